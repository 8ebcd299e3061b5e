"""The three linear solvers a case may choose give the same voltage curve (2-D transient with a
discharge, a rest and a hold: the iterative path, GMRES + per-field GAMG with the preconditioner
reused within each Newton solve, must match the direct ones), also with the cell's mechanics
(the displacement's block gets its block size and rigid-body modes)."""

from __future__ import annotations

import numpy as np
import pytest

from ssefem.runner import run

STEPS = [{"kind": "discharge", "current": 3.0, "duration": 300.0},
         {"kind": "rest", "duration": 60.0},
         {"kind": "hold", "voltage": 4.0, "duration": 60.0}]
SOLVER = {"dt_initial": 20.0, "dt_max": 60.0, "rtol": 1e-12, "atol": 1e-14, "stol": 1e-14}


def _curve(case_factory, keys, linear_solver, **changes):
    case = case_factory(
        geometry={"dimension": 2, "width": 2.0, "lateral_cells": 3},
        initial={"stoichiometry": 0.55}, protocol={"steps": STEPS},
        solver={**SOLVER, "linear_solver": linear_solver}, **changes)
    rows = run(case, write=False, progress=False).series.rows
    return np.array([[r[k] for k in keys] for r in rows])


@pytest.mark.parametrize("solver", ["gamg", "superlu_dist"])
def test_linear_solvers_agree(case_factory, solver):
    keys = ("time", "voltage", "current")
    ref, got = _curve(case_factory, keys, "mumps"), _curve(case_factory, keys, solver)
    assert got.shape == ref.shape and len(ref) > 5
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-7)


@pytest.mark.parametrize("lateral", ["roller", "periodic"])
def test_gamg_agrees_with_mumps_with_mechanics(case_factory, lateral):
    keys = ("time", "voltage", "current", "thickness_change", "stack_pressure",
            "hydrostatic_stress:cathode", "hydrostatic_stress:electrolyte")
    mech = {"stack_pressure": 5.0, "collectors": "pressure", "lateral": lateral}
    ref = _curve(case_factory, keys, "mumps", mechanics=mech)
    got = _curve(case_factory, keys, "gamg", mechanics=mech)
    assert got.shape == ref.shape and len(ref) > 5
    assert np.ptp(ref[:, keys.index("hydrostatic_stress:cathode")]) > 1e5  # it did change
    scale = np.maximum(np.abs(ref).max(axis=0), 1e-300)
    np.testing.assert_array_less(np.abs(got - ref).max(axis=0) / scale, 1e-8)
