"""The three linear solvers a case may choose give the same voltage curve (2-D transient with a
discharge, a rest and a hold: the iterative path, GMRES + GAMG with its hierarchy reused within
each Newton solve, must match the direct ones)."""

from __future__ import annotations

import numpy as np
import pytest

from ssefem.runner import run


@pytest.mark.parametrize("solver", ["gamg", "superlu_dist"])
def test_linear_solvers_agree(case_factory, solver):
    def curve(linear_solver):
        case = case_factory(
            geometry={"dimension": 2, "width": 2.0, "lateral_cells": 3},
            initial={"stoichiometry": 0.55},
            protocol={"steps": [{"kind": "discharge", "current": 3.0, "duration": 300.0},
                                {"kind": "rest", "duration": 60.0},
                                {"kind": "hold", "voltage": 4.0, "duration": 60.0}]},
            solver={"dt_initial": 20.0, "dt_max": 60.0, "rtol": 1e-12, "atol": 1e-14,
                    "stol": 1e-14, "linear_solver": linear_solver})
        rows = run(case, write=False, progress=False).series.rows
        return np.array([[r["time"], r["voltage"], r["current"]] for r in rows])

    ref, got = curve("mumps"), curve(solver)
    assert got.shape == ref.shape and len(ref) > 5
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-7)
