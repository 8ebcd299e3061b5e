"""Resolved (Nernst-Planck-Poisson) ion conductor inside a cell, against closed-form limits.

LiCoO2 | LiPON (resolved) | Li, 1-D. The Debye length is set through the mobile-ion
concentration c0 (the conductivity stays the library's, D follows by Nernst-Einstein), so
lambda_D -> 0 is the physical limit of a concentrated solid electrolyte.

1. Equilibrium space charge: at open circuit a potential step dpsi between electrode and
   electrolyte is shared by the Stern layer (capacitance C_S) and the diffuse layer, whose charge
   is Poisson-Boltzmann's, sigma = sign(u) (eps RT/(F lambda_D)) sqrt(2 (e^-u + u - 1)) with
   u = F psi_d / RT: sigma = C_S (dpsi_total - psi_d) fixes psi_d. An ideal contact puts all of
   -dpsi across the diffuse layer.
2. Electroneutral limit: with a Stern layer of fixed capacitance the diffuse layer's share of
   the interfacial potential drop falls like C_S lambda_D / eps, and the cell voltage under
   current converges to the electroneutral model's as lambda_D/L goes 1e-2, 1e-3, 1e-4.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from mpi4py import MPI

from codata import EPS0, F, R
from ssefem.cell_state import OCV
from ssefem.materials import Library
from ssefem.mesh import load_regions
from ssefem.physics import build_cell_model
from ssefem_space_charge.resolved import Contact, NernstPlanckPoissonTransport
from ssefem.physics.electrochemistry.terminals import APPLIED_CURRENT
from ssefem.runner import stack_spec
from ssefem.studies.continuation import solve_with_continuation
from ssefem.system import System

from npp_helpers import pb_electrode_charge, stern_split

LIB = Library.builtin()
T = 298.15
VT = R * T / F
L = 1.5
EPS = LIB.get("LiPON").at("relative_permittivity", T)
TOL = {"rtol": 1e-12, "atol": 1e-13, "stol": 1e-15, "max_iterations": 50}
CATHODE, ANODE = "cathode|electrolyte", "electrolyte|anode"


def _c0(ratio: float) -> float:
    """Mobile concentration giving lambda_D = ratio * L."""
    return EPS0 * EPS * R * T / (F**2 * (ratio * L * 1e-6) ** 2)


def _system(case_factory, ratio: float | None, contacts: dict, degree: int = 1, cells=100):
    layers = [{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 16},
              {"name": "electrolyte", "material": "LiPON", "thickness": L, "cells": cells},
              {"name": "anode", "material": "Li", "thickness": 3.0, "cells": 3}]
    transports = {}
    if ratio is not None:
        layers[1]["face_cell"] = 0.02 * ratio * L
        transports = {"electrolyte": NernstPlanckPoissonTransport(
            T, contacts=contacts, mobile_concentration={"electrolyte": _c0(ratio)},
            degree=degree)}
    case = case_factory(initial={"stoichiometry": 0.6}, layers=layers)
    regions = load_regions(stack_spec(case), MPI.COMM_WORLD)
    model = build_cell_model(case, LIB, regions, transports)
    return model, System(model, TOL)


@pytest.mark.parametrize("stern", [None, 0.05])
def test_equilibrium_space_charge_at_both_electrodes(case_factory, stern):
    ratio = 1e-3
    lam = ratio * L * 1e-6
    steps = {CATHODE: 0.12, ANODE: -0.08}  # V
    contacts = {k: Contact(stern, v) for k, v in steps.items()}
    model, system = _system(case_factory, ratio, contacts, degree=2)
    solve_with_continuation(system, "current", False, APPLIED_CURRENT, 0.0)
    obs = system.observe()
    for iface, step in steps.items():
        expected = (pb_electrode_charge(-step / VT, EPS, lam) if stern is None
                    else stern_split(step, stern, EPS, lam)[0])
        assert obs[f"electrode_charge:{iface}"] == pytest.approx(expected, rel=2e-3), iface
    # Gauss: the electrolyte holds minus both electrodes' charges
    total = obs[f"electrode_charge:{CATHODE}"] + obs[f"electrode_charge:{ANODE}"]
    assert obs["space_charge:electrolyte"] == pytest.approx(-total, rel=1e-6, abs=1e-9)
    assert abs(obs[f"electrode_charge:{CATHODE}"]) > 1e-3  # a real space-charge layer
    # at open circuit no current flows: the voltage is the OCV
    assert obs["voltage"] == pytest.approx(model.state.get(OCV), abs=1e-9)


def test_cell_voltage_converges_to_the_electroneutral_model(case_factory):
    currents = (2.0, -2.0, 10.0)

    def voltages(ratio):
        contacts = {CATHODE: Contact(0.02), ANODE: Contact(0.02)}
        model, system = _system(case_factory, ratio, contacts)
        out = []
        for i in currents:
            solve_with_continuation(system, "current", False, APPLIED_CURRENT,
                                    i / model.scales.current)
            out.append(system.observe()["voltage"])
        return np.array(out)

    en = voltages(None)
    errors = [np.abs(voltages(r) - en).max() for r in (1e-2, 1e-3, 1e-4)]
    assert errors[0] > errors[1] > errors[2]
    assert errors[1] / errors[2] > 5  # first order in lambda_D once the layer is thin
    assert errors[2] < 2e-3  # V, at 10 A/m^2 where the cell polarises by ~0.17 V


def test_junction_between_two_resolved_layers(case_factory):
    """A potential step dpsi between a LiNbO3 coating and Li6PS5Cl (different carrier
    concentrations and permittivities) at open circuit: two back-to-back diffuse layers with
    psi_b - psi_a = dpsi at the junction and equal and opposite charges (continuous
    displacement), Q_a(u_a) + Q_b(u_a + dpsi) = 0, solved by bisection."""
    c_a, c_b, step = 30.0, 1.0, -0.08
    eps_a = LIB.get("LiNbO3").at("relative_permittivity", T)
    eps_b = LIB.get("Li6PS5Cl").at("relative_permittivity", T)
    lam_a = math.sqrt(EPS0 * eps_a * R * T / (F**2 * c_a))
    lam_b = math.sqrt(EPS0 * eps_b * R * T / (F**2 * c_b))
    layers = [{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 8},
              {"name": "coating", "material": "LiNbO3", "thickness": 0.05, "cells": 60,
               "face_cell": 0.02 * lam_a * 1e6},
              {"name": "electrolyte", "material": "Li6PS5Cl", "thickness": 10.0, "cells": 120,
               "face_cell": 0.02 * lam_b * 1e6},
              {"name": "anode", "material": "Li", "thickness": 3.0, "cells": 3}]
    case = case_factory(initial={"stoichiometry": 0.6}, layers=layers)
    t = NernstPlanckPoissonTransport(
        T, contacts={"coating|electrolyte": Contact(None, step)},
        mobile_concentration={"coating": c_a, "electrolyte": c_b}, degree=2)
    regions = load_regions(stack_spec(case), MPI.COMM_WORLD)
    model = build_cell_model(case, LIB, regions, {"coating": t, "electrolyte": t})
    system = System(model, TOL)
    system.ctx.constant("equilibration").value = 0.0
    solve_with_continuation(system, "current", False, "equilibration", 1.0)
    obs = system.observe()
    lo, hi = sorted((0.0, -step / VT))
    for _ in range(200):  # Q_a(u) + Q_b(u + step) is decreasing in u
        u = 0.5 * (lo + hi)
        if -pb_electrode_charge(u, eps_a, lam_a) - pb_electrode_charge(u + step / VT, eps_b, lam_b) > 0:
            lo = u
        else:
            hi = u
    q_a = -pb_electrode_charge(u, eps_a, lam_a)  # the coating's ionic charge
    assert abs(q_a) > 1e-3
    assert obs["space_charge:coating"] == pytest.approx(q_a, rel=2e-3)
    assert obs["space_charge:electrolyte"] == pytest.approx(-q_a, rel=2e-3)
    total = sum(obs[k] for k in obs if k.startswith(("space_charge:", "electrode_charge:")))
    assert abs(total) < 1e-9 * abs(q_a)  # Gauss across the junction
