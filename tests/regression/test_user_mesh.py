"""A user-supplied .msh with ssefem's physical names runs like the built-in mesh."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ssefem.runner import run

MSH = Path(__file__).parents[2] / "meshes" / "stack_2d.msh"


def test_user_mesh_matches_builtin(case_factory):
    common = dict(
        initial={"stoichiometry": 0.55},
        protocol={"steps": [{"kind": "discharge", "current": 3.0, "duration": 120.0}]},
        solver={"dt_initial": 20.0, "dt_max": 40.0},
    )
    geom = {"dimension": 2, "width": 2.0, "lateral_cells": 2}
    builtin = run(case_factory(geometry=geom, **common), write=False, progress=False)
    user = run(case_factory(geometry={**geom, "mesh_file": str(MSH)}, **common), write=False,
               progress=False)
    v1 = np.array([r["voltage"] for r in builtin.series.rows])
    v2 = np.array([r["voltage"] for r in user.series.rows])
    assert len(v1) > 3 and v1.shape == v2.shape
    np.testing.assert_allclose(v2, v1, rtol=0, atol=1e-9)
