"""Power-law creep of lithium against closed forms written out here from Norton's law
d eps_cr / dt = (3/2) A sigma_vm^(n-1) s (independent of the code): the creep rate of a bar in
uniaxial stress and its Arrhenius law, stress relaxation of a bar held at fixed length and of the
Li of a 1-D cell under constant stack pressure, and the contact of rough Li on LLZO growing by
creep at constant stack pressure.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from codata import K_B_EV, R
from ssefem.materials import Library
from ssefem.runner import run

LI = Library.builtin().get("Li")
T_REF = 298.15
LENGTH = 2.0  # um, the bar's


def _bar(kind: str, T: float, pressure: float | None = None, strain: float | None = None):
    """A Li bar [0, 2] x [0, 1] (x [0, 1] in 3-D) on symmetry rollers at x = 0 (and y = 0, z = 0
    in 3-D; the axis in axisymmetric), free elsewhere: uniaxial stress under a ``pressure`` (Pa)
    on its end x = 2, or at a held axial ``strain`` (the end x = 2 displaced). Returns the
    System."""
    from mesh_helpers import one_layer_regions
    from mpi4py import MPI

    from dolfinx import mesh

    from ssefem.model import Model
    from ssefem.physics.mechanics.creep import CreepLaw, add_creep, creep_strain
    from ssefem.physics.mechanics.elasticity import (
        HELD_DISPLACEMENT,
        ElasticLayer,
        add_elasticity,
        add_pressure,
        add_support,
    )
    from ssefem.scales import Scales
    from ssefem.system import System

    ghost = mesh.GhostMode.shared_facet
    if kind == "3d":
        msh = mesh.create_box(MPI.COMM_WORLD, [[0, 0, 0], [LENGTH, 1, 1]], [2, 1, 1],
                              mesh.CellType.tetrahedron, ghost_mode=ghost)
        rollers = ["x0", "y0", "z0"]
    else:
        msh = mesh.create_rectangle(MPI.COMM_WORLD, [[0, 0], [LENGTH, 1]], [2, 1],
                                    mesh.CellType.triangle, ghost_mode=ghost)
        rollers = ["x0"]
    parts = {name: (lambda x, k=k: np.isclose(x[k], 0.0))
             for name, k in zip(rollers, range(3), strict=False)}
    parts["x1"] = lambda x: np.isclose(x[0], LENGTH)
    regions = one_layer_regions(msh, "bar", parts, axisymmetric=kind == "axisymmetric")
    model = Model(regions, Scales(T))
    E, nu = LI.at("youngs_modulus", T), LI.at("poisson_ratio", T)
    layer = ElasticLayer("bar", E, nu, creep_strain=creep_strain("bar", regions.dim))
    sigma = add_elasticity(model, [layer], E)
    add_creep(model, sigma, {"bar": CreepLaw.of(LI, T)})
    for name in rollers:
        add_support(model, name, "roller")
    if pressure is not None:
        add_pressure(model, "x1", E, pressure)
    else:
        add_support(model, "x1", "axial")
        model.constants[HELD_DISPLACEMENT] = strain * LENGTH
    return System(model)


def _march(system, dt: float, steps: int) -> list[dict]:
    system.dt.value = dt / system.model.scales.time
    rows = []
    for _ in range(steps):
        system.solve("current", True)
        system.commit()
        rows.append(system.observe())
    return rows


def _norton(T: float) -> tuple[float, float]:
    """(A(T), n) from the library's entry."""
    return LI.at("creep_prefactor", T), LI.at("creep_exponent", T)


@pytest.mark.parametrize("kind", ["3d", "axisymmetric"])
def test_uniaxial_creep_rate_is_nortons(kind):
    """A bar under an end pressure p: the stress is p wherever the bar creeps (statically
    determinate), so the axial strain is -p/E - A p^n t from the first step on, and backward
    Euler integrates a constant rate exactly. The rate from two times matches A p^n to 1e-6; the
    creep-strain and creep-rate observables read A p^n t and A p^n."""
    p = 1e6
    A, n = _norton(T_REF)
    rate = A * p**n
    assert 1e-3 < rate < 1e-2  # 1/s: Li creeps visibly at 1 MPa
    dt = 1.0
    rows = _march(_bar(kind, T_REF, pressure=p), dt, 3)
    strain = [r["axial_strain:bar"] for r in rows]
    measured = -(strain[2] - strain[0]) / (2 * dt)
    assert measured == pytest.approx(rate, rel=1e-6)
    E = LI.at("youngs_modulus", T_REF)
    assert strain[0] == pytest.approx(-p / E - rate * dt, rel=1e-6)
    for k, r in enumerate(rows, start=1):
        assert r["creep_strain:bar"] == pytest.approx(rate * k * dt, rel=1e-6)
        assert r["creep_rate:bar"] == pytest.approx(rate, rel=1e-6)


def test_creep_rate_follows_arrhenius():
    """The creep rate at 1 MPa from 273 to 333 K follows A_ref p^n exp(-Ea/k_B (1/T - 1/T_ref))
    with the prefactor's activation energy (0.37 eV) to 1e-6, and the library's separate creep
    activation energy in J/mol (LePage et al. 2019) to 1e-4 (the two entries, 0.37 eV and
    3.57e4 J/mol, differ by 0.05 K in Ea/k_B: 2e-5 in the rate at 273 K)."""
    p = 1e6
    A_ref, n = _norton(T_REF)
    Ea_eV = LI.properties["creep_prefactor"].Ea
    Ea = LI.at("creep_activation_energy", T_REF)  # J/mol
    rates = {}
    for T in (273.15, 298.15, 333.15):
        rows = _march(_bar("axisymmetric", T, pressure=p), 1.0, 2)
        rates[T] = rows[0]["axial_strain:bar"] - rows[1]["axial_strain:bar"]  # per second
        arrhenius = 1 / T - 1 / T_REF
        assert rates[T] == pytest.approx(
            A_ref * p**n * math.exp(-Ea_eV / K_B_EV * arrhenius), rel=1e-6), T
        assert rates[T] == pytest.approx(A_ref * p**n * math.exp(-Ea / R * arrhenius),
                                         rel=1e-4), T
    assert rates[333.15] / rates[273.15] > 10  # a law the test can see


def _relaxed(s0: float, modulus: float, A: float, n: float, t):
    """sigma(t) of d sigma / dt = -modulus A sigma^n from s0: exactly
    sigma^(1-n) = s0^(1-n) + (n - 1) modulus A t."""
    return (s0 ** (1 - n) + (n - 1) * modulus * A * np.asarray(t)) ** (1 / (1 - n))


def test_stress_relaxation_of_a_bar_held_at_fixed_length():
    """An axisymmetric Li bar stretched to eps0 and held (free mantle): uniaxial stress
    sigma = E (eps0 - eps_cr_xx) with d eps_cr_xx / dt = A sigma^n (the flow rule in uniaxial
    stress: s_xx = 2 sigma / 3, sigma_vm = sigma), so d sigma / dt = -E A sigma^n: modulus E,
    prefactor A. Backward Euler with tau / 20 (tau = 1 / (E A s0^(n-1)), 58 ms at 1 MPa) is
    within 1 % at tau, 3 tau and 10 tau, and halving the step halves the error (first order)."""
    s0 = 1e6
    A, n = _norton(T_REF)
    E = LI.at("youngs_modulus", T_REF)
    tau = 1 / (E * A * s0 ** (n - 1))
    samples = np.array([1, 3, 10])
    errors = {}
    for per_tau in (20, 40):
        rows = _march(_bar("axisymmetric", T_REF, strain=s0 / E), tau / per_tau,
                      10 * per_tau)
        # uniaxial stress: sigma_xx = 3 sigma_h
        sigma = np.array([3 * rows[k * per_tau - 1]["hydrostatic_stress:bar"] for k in samples])
        exact = _relaxed(s0, E, A, n, samples * tau)
        assert exact[-1] < 0.5 * s0  # relaxed by half
        errors[per_tau] = np.abs(sigma / exact - 1)
    assert np.all(errors[20] < 0.01)
    order = np.log2(errors[20] / errors[40])
    assert np.all((order > 0.9) & (order < 1.1)), order


def test_stress_relaxation_in_a_1d_cell_under_stack_pressure(case_factory):
    """The Li anode of a 1-D cell (uniaxial strain) under a constant stack pressure p: axial
    stress -p, lateral stress -p + q with the creep strain diag(e, -e/2, -e/2) and
    q = 2 mu p / M + (3 mu - 4 mu^2 / M) e (M = lambda + 2 mu). The flow rule in this state
    (sigma_vm = q, s_xx = -2 q / 3) gives de/dt = -A q^n, so dq/dt = -E' A q^n with
    E' = 3 mu - 4 mu^2 / M = E / (2 (1 - nu)), from q0 = p (1 - 2 nu) / (1 - nu) (the elastic
    state the protocol starts creep from). q = 3/2 (sigma_h + p) from the hydrostatic stress;
    fixed steps of tau / 20 are within 1 % of the closed form at tau, 3 tau and 10 tau."""
    p = 1e6
    A, n = _norton(T_REF)
    E, nu = LI.at("youngs_modulus", T_REF), LI.at("poisson_ratio", T_REF)
    modulus = E / (2 * (1 - nu))
    q0 = p * (1 - 2 * nu) / (1 - nu)
    tau = 1 / (modulus * A * q0 ** (n - 1))
    dt = tau / 20
    case = case_factory(
        mechanics={"stack_pressure": p / 1e6, "creep": ["anode"]},
        protocol={"steps": [{"kind": "rest", "duration": 10 * tau}]},
        solver={"dt_initial": dt, "dt_max": dt, "dt_growth": 1.0,
                "max_creep_strain_change": 1.0})
    rows = run(case, write=False, progress=False).series.rows
    t = np.array([r["time"] for r in rows])
    assert len(rows) == 200 and np.allclose(np.diff(t), dt)
    q = np.array([1.5 * (r["hydrostatic_stress:anode"] + p) for r in rows])
    exact = _relaxed(q0, modulus, A, n, t)
    samples = [19, 59, 199]  # tau, 3 tau, 10 tau
    assert exact[samples[-1]] < 0.6 * q0
    np.testing.assert_allclose(q[samples], exact[samples], rtol=0.01)
    # the creep strain that relaxed it: |e| = (q0 - q) / E'
    assert rows[-1]["creep_strain:anode"] == pytest.approx((q0 - q[-1]) / modulus, rel=1e-8)


def _rough_contact(case_factory, creep: bool):
    """Rough Li (RMS 0.1 um, wavelength 10 um) on LLZO under 2 MPa, resting for an hour."""
    return case_factory(
        geometry={"dimension": 2, "width": 5.0, "lateral_cells": 40},
        layers=[{"name": "pos", "material": "Li", "thickness": 2.0, "cells": 4},
                {"name": "electrolyte", "material": "LLZO-Ta", "thickness": 10.0, "cells": 20},
                {"name": "anode", "material": "Li", "thickness": 5.0, "cells": 10}],
        mechanics={"stack_pressure": 2.0, "creep": ["anode"] if creep else False,
                   "contact": {"interface": "electrolyte|anode", "rms_height": 0.1,
                               "wavelength": 10.0, "contact_distance": 1e-3}},
        protocol={"steps": [{"kind": "rest", "duration": 3600.0}]},
        solver={"dt_max": 600.0})


def test_contact_grows_by_creep_at_constant_stack_pressure(case_factory):
    """Rough Li on LLZO at 2 MPa: elastically about a tenth of the interface touches
    (Westergaard: f = 2/pi asin(sqrt(p/p*)), p* ~ 0.3 GPa); creeping, the Li flows into the gaps
    and the contact fraction grows with every step through the hour's rest, fast at first (the
    stress peaks of the elastic contact creep at up to 1e4 1/s) and ever slower as the stress
    relaxes, so the steps grow from dt_min to dt_max. Without creep it stays at the elastic
    value.

    The contact distance is 1 nm: a P1 displacement cannot follow the curved initial gap within
    a facet (0.2 nm of sag over 0.125 um), so a creeping surface that conforms to the ceramic
    keeps sub-nanometre gaps between quadrature points."""
    iface = "contact_fraction:electrolyte|anode"
    rows = run(_rough_contact(case_factory, True), write=False, progress=False).series.rows
    t = np.array([r["time"] for r in rows])
    f = np.array([r[iface] for r in rows])
    rate = np.array([r["creep_rate:anode"] for r in rows])
    assert np.all(np.diff(f) >= 0)
    assert f[0] < 0.15 and f[-1] > 0.8
    for a, b in ((1e-6, 1e-3), (1e-3, 1.0), (1.0, 100.0), (100.0, 3600.0)):
        assert np.interp(b, t, f) > np.interp(a, t, f) + 0.01, (a, b)
    dt = np.diff(np.concatenate([[0.0], t]))
    assert dt[0] <= 1e-5 and dt[-2] == pytest.approx(600.0)
    assert rate[-1] < 1e-4 * rate[0]  # the stress relaxed
    elastic = run(_rough_contact(case_factory, False), write=False, progress=False).series.rows
    fe = np.array([r[iface] for r in elastic])
    assert np.ptp(fe) < 1e-12 and fe[0] == pytest.approx(f[0], abs=0.05)
