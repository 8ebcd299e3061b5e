"""Mechanics of the cell against closed forms: uniaxial compression of a laterally constrained
stack (1-D, 2-D, 3-D and axisymmetric), chemical strain of the cathode through a discharge, the
stress-potential coupling, a fixed gap, and the free expansion of a cube and of a cylinder. The
closed forms are written out here from linear elasticity, independent of the code.
"""

from __future__ import annotations

import numpy as np
import pytest

from codata import F
from ssefem.materials import Library
from ssefem.runner import run

P = 5e6  # Pa
LIB = Library.builtin()
LAYERS = {"cathode": ("LiCoO2", 2.0), "electrolyte": ("LiPON", 1.5), "anode": ("Li", 3.0)}


def _elastic(name):
    mat = LIB.get(LAYERS[name][0])
    return mat.at("youngs_modulus", 298.15), mat.at("poisson_ratio", 298.15)


def _constrained_strain(p, E, nu):
    """Axial strain of a layer under axial pressure p with its lateral strains held at zero:
    sigma_xx = -p = (lambda + 2 mu) eps_xx."""
    return -p * (1 + nu) * (1 - 2 * nu) / (E * (1 - nu))


def _steady(case_factory, dim, mechanics, currents=(0.0,), axisymmetric=False):
    case = case_factory(
        geometry={"dimension": dim, "width": 2.0, "lateral_cells": 2,
                  "axisymmetric": axisymmetric},
        initial={"stoichiometry": 0.6}, mechanics=mechanics,
        protocol={"steps": [{"kind": "steady", "currents": list(currents)}]})
    return run(case, write=False, progress=False).series.rows[-1]


@pytest.mark.parametrize("dim,axisymmetric,lateral", [
    (1, False, "roller"), (2, False, "roller"), (3, False, "roller"), (2, True, "roller"),
    (2, False, "periodic"), (3, False, "periodic")],
    ids=["1d", "2d", "3d", "axisymmetric", "2d-periodic", "3d-periodic"])
def test_uniaxial_compression_of_a_constrained_stack(case_factory, dim, axisymmetric, lateral):
    """Axisymmetric: a cylinder in a die (rollers on its mantle, and on the axis u_r = 0): the
    hoop strain vanishes like the plane-strain one, so the closed form is the same. Periodic:
    one period of a laterally infinite stack, whose mean lateral strain is zero: the same."""
    row = _steady(case_factory, dim, {"stack_pressure": P / 1e6, "lateral": lateral},
                  axisymmetric=axisymmetric)
    change = 0.0
    for name in LAYERS:
        E, nu = _elastic(name)
        exact = _constrained_strain(P, E, nu)
        assert abs(row[f"axial_strain:{name}"] / exact - 1) < 1e-8, name
        # sigma_yy = sigma_zz = nu/(1-nu) sigma_xx: hydrostatic -p (1+nu) / (3 (1-nu))
        sh = -P * (1 + nu) / (3 * (1 - nu))
        assert abs(row[f"hydrostatic_stress:{name}"] / sh - 1) < 1e-8, name
        change += LAYERS[name][1] * 1e-6 * exact
    assert abs(row["stack_pressure"] / P - 1) < 1e-8
    assert abs(row["thickness_change"] / change - 1) < 1e-8


def test_stress_shifts_the_open_circuit_potential(case_factory):
    """U + Omega sigma_h / F: the open-circuit voltage moves by exactly that under pressure."""
    free = _steady(case_factory, 1, {"stack_pressure": 0.0})
    loaded = _steady(case_factory, 1, {"stack_pressure": 200.0})
    off = _steady(case_factory, 1, {"stack_pressure": 200.0, "stress_potential": False})
    nu = _elastic("cathode")[1]
    omega = LIB.get("LiCoO2").at("partial_molar_volume", 298.15)
    sh = -200e6 * (1 + nu) / (3 * (1 - nu))
    expected = omega * sh / F
    assert abs(expected) > 1e-4  # a shift the test can see
    assert abs((loaded["voltage"] - free["voltage"]) / expected - 1) < 1e-6
    assert abs(off["voltage"] - free["voltage"]) < 1e-12


def test_fixed_gap_holds_the_preloaded_stack(case_factory):
    row = _steady(case_factory, 2, {"stack_pressure": P / 1e6, "collectors": "fixed_gap"})
    assert abs(row["stack_pressure"] / P - 1) < 1e-8
    for name in LAYERS:
        exact = _constrained_strain(P, *_elastic(name))
        assert abs(row[f"axial_strain:{name}"] / exact - 1) < 1e-8


@pytest.mark.parametrize("collectors", ["pressure", "fixed_gap"])
def test_cathode_breathes_with_its_composition(case_factory, collectors):
    """Through a discharge the cathode's chemical strain eps* = Omega c_max (theta - theta0) / 3
    follows its mean composition. Laterally constrained (1-D), under constant pressure:
    eps_xx = eps* (1 + nu) / (1 - nu) - p / M (M the constrained modulus); with both collectors
    held, the total thickness stays at its preloaded value, so the pressure becomes
    p + L_c eps* (1 + nu) / (1 - nu) / sum(L_i / M_i)."""
    case = case_factory(
        initial={"stoichiometry": 0.6},
        mechanics={"stack_pressure": P / 1e6, "collectors": collectors},
        protocol={"steps": [{"kind": "discharge", "current": 5.0, "duration": 600.0}]},
        solver={"dt_initial": 20.0, "dt_max": 60.0})
    rows = run(case, write=False, progress=False).series.rows
    mat = LIB.get("LiCoO2")
    omega, cmax = mat.at("partial_molar_volume", 298.15), mat.at("c_max", 298.15)
    nu = _elastic("cathode")[1]
    M = {n: E_ * (1 - nu_) / ((1 + nu_) * (1 - 2 * nu_))
         for n, (E_, nu_) in ((n, _elastic(n)) for n in LAYERS)}
    th = np.array([r["stoichiometry:cathode"] for r in rows])
    assert th[-1] - th[0] > 0.02  # the discharge changed the composition
    free = (1 + nu) / (1 - nu) * omega * cmax * (th - 0.6) / 3  # unconstrained axial part
    if collectors == "pressure":
        exact = free - P / M["cathode"]
        got = np.array([r["axial_strain:cathode"] for r in rows])
        np.testing.assert_allclose(got, exact, rtol=1e-6, atol=1e-12)
        stack = np.array([r["thickness_change"] for r in rows])
        other = sum(LAYERS[n][1] * _constrained_strain(P, *_elastic(n))
                    for n in ("electrolyte", "anode"))
        np.testing.assert_allclose(stack, 1e-6 * (LAYERS["cathode"][1] * exact + other),
                                   rtol=1e-6, atol=1e-15)
    else:
        compliance = sum(LAYERS[n][1] / M[n] for n in LAYERS)
        exact = P + LAYERS["cathode"][1] * free / compliance
        got = np.array([r["stack_pressure"] for r in rows])
        np.testing.assert_allclose(got, exact, rtol=1e-6)


def _box_regions(n: int):
    """A unit cube of one layer, with its three faces at 0 tagged x0, y0, z0 (symmetry planes)."""
    from mesh_helpers import one_layer_regions
    from mpi4py import MPI

    from dolfinx import mesh

    msh = mesh.create_box(MPI.COMM_WORLD, [[0, 0, 0], [1, 1, 1]], [n, n, n],
                          mesh.CellType.tetrahedron, ghost_mode=mesh.GhostMode.shared_facet)
    return one_layer_regions(msh, "cathode", {
        f"{a}0": (lambda x, k=k: np.isclose(x[k], 0.0)) for k, a in enumerate("xyz")})


@pytest.mark.parametrize("linear_solver", ["mumps", "gamg"])
def test_free_expansion_of_an_insertion_layer(linear_solver):
    """A cube of LiCoO2 on three symmetry rollers, its composition raised uniformly by 0.3:
    every strain equals Omega dc / 3 and the stress vanishes."""
    import ufl
    from dolfinx import fem

    from ssefem.fields import Field
    from ssefem.model import Model
    from ssefem.physics.mechanics.elasticity import DISPLACEMENT, ElasticLayer, add_elasticity, add_support
    from ssefem.scales import Scales
    from ssefem.system import System

    mat = LIB.get("LiCoO2")
    omega, cmax = mat.at("partial_molar_volume", 298.15), mat.at("c_max", 298.15)
    E, nu = _elastic("cathode")
    regions = _box_regions(4)
    model = Model(regions, Scales(298.15))
    model.add_field(Field("c", ("cathode",), 0.8, cmax, "mol/m^3", steady=False))
    layer = ElasticLayer("cathode", E, nu, lambda ctx, s: omega * cmax * (s["c"] - 0.5) / 3)
    sigma = add_elasticity(model, [layer], E)
    for face in ("x0", "y0", "z0"):
        add_support(model, face, "roller")
    system = System(model, {"linear_solver": linear_solver})
    system.solve("current", False)
    ctx = system.ctx
    u = system.u[DISPLACEMENT]
    grad = ufl.grad(u)
    expected = omega * cmax * 0.3 / 3
    assert abs(expected) > 1e-3
    for i in range(3):
        for j in range(3):
            val = fem.assemble_scalar(fem.form(grad[i, j] * ctx.dx, entity_maps=system.entity_maps))
            val = regions.comm.allreduce(val)
            assert abs(val - (expected if i == j else 0.0)) < 1e-6 * abs(expected), (i, j, val)
    s = sigma(ctx, "cathode")
    smax = fem.assemble_scalar(fem.form(ufl.inner(s, s) * ctx.dx, entity_maps=system.entity_maps))
    assert np.sqrt(regions.comm.allreduce(smax)) * E < 1e-6 * E * abs(expected)


def _cylinder_regions(n: int):
    """The meridian plane [0, 1.5] x [0, 1] (x the axis, y the radius) of one layer as an
    axisymmetric mesh, its face x = 0 tagged x0."""
    from mesh_helpers import one_layer_regions
    from mpi4py import MPI

    from dolfinx import mesh

    msh = mesh.create_rectangle(MPI.COMM_WORLD, [[0, 0], [1.5, 1]], [3 * n, 2 * n],
                                mesh.CellType.triangle, ghost_mode=mesh.GhostMode.shared_facet)
    return one_layer_regions(msh, "cathode", {"x0": lambda x: np.isclose(x[0], 0.0)},
                             axisymmetric=True)


@pytest.mark.parametrize("linear_solver", ["mumps", "gamg"])
def test_free_expansion_of_an_insertion_cylinder(linear_solver):
    """A cylinder of LiCoO2 on one roller (its face x = 0), free mantle, its composition raised
    uniformly by 0.3: eps_xx = eps_rr = eps_thth = Omega dc / 3, u_r = eps* r, no stress. The
    hoop strain u_r / r carries it: without it eps_thth would be 0 and the stress could not
    vanish (sigma_thth = -(lambda + 2 mu) eps* for that displacement)."""
    import ufl
    from dolfinx import fem

    from ssefem.fields import Field
    from ssefem.model import Model
    from ssefem.physics.mechanics.elasticity import DISPLACEMENT, ElasticLayer, add_elasticity, add_support
    from ssefem.scales import Scales
    from ssefem.system import System

    mat = LIB.get("LiCoO2")
    omega, cmax = mat.at("partial_molar_volume", 298.15), mat.at("c_max", 298.15)
    E, nu = _elastic("cathode")
    regions = _cylinder_regions(3)
    model = Model(regions, Scales(298.15))
    model.add_field(Field("c", ("cathode",), 0.8, cmax, "mol/m^3", steady=False))
    layer = ElasticLayer("cathode", E, nu, lambda ctx, s: omega * cmax * (s["c"] - 0.5) / 3)
    sigma = add_elasticity(model, [layer], E)
    add_support(model, "x0", "roller")
    system = System(model, {"linear_solver": linear_solver})
    system.solve("current", False)
    ctx = system.ctx

    def integral(f):
        form = fem.form(f * ctx.dx, entity_maps=system.entity_maps)
        return regions.comm.allreduce(fem.assemble_scalar(form))

    u = system.u[DISPLACEMENT]
    r = ufl.SpatialCoordinate(regions.mesh)[1]
    volume = integral(ctx.one)
    assert abs(volume / (np.pi * 1.5) - 1) < 1e-12  # pi R^2 L: the measure is the cylinder's
    expected = omega * cmax * 0.3 / 3
    assert abs(expected) > 1e-3
    grad = ufl.grad(u)
    for i in range(2):
        for j in range(2):
            val = integral(grad[i, j]) / volume
            assert abs(val - (expected if i == j else 0.0)) < 1e-8 * abs(expected), (i, j, val)
    hoop = np.sqrt(integral((u[1] / r - expected) ** 2) / volume)
    assert hoop < 1e-8 * abs(expected), hoop
    radial = np.sqrt(integral((u[1] - expected * r) ** 2) / volume)
    assert radial < 1e-8 * abs(expected), radial
    s = sigma(ctx, "cathode")
    smax = np.sqrt(integral(ufl.inner(s, s)) / volume)
    assert smax < 1e-8 * abs(expected), smax
