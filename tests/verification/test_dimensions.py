"""1-D, 2-D, 3-D and axisymmetric 2-D versions of the same laterally uniform cell give the same
voltage curve."""

from __future__ import annotations

import numpy as np

from ssefem.runner import run


def _curve(case_factory, dim: int, axisymmetric: bool = False):
    case = case_factory(
        geometry={"dimension": dim, "width": 2.0, "lateral_cells": 2, "cell_type": "tensor",
                  "axisymmetric": axisymmetric},
        layers=[{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 8,
                 "grading": 2.0},
                {"name": "coating", "material": "LiNbO3", "thickness": 0.02, "cells": 2},
                {"name": "electrolyte", "material": "LiPON", "thickness": 1.5, "cells": 4},
                {"name": "anode", "material": "Li", "thickness": 2.0, "cells": 2}],
        initial={"stoichiometry": 0.55},
        protocol={"steps": [{"kind": "discharge", "current": 3.0, "duration": 600.0},
                            {"kind": "rest", "duration": 120.0},
                            {"kind": "hold", "voltage": 4.0, "duration": 120.0}]},
        solver={"dt_initial": 20.0, "dt_max": 60.0, "rtol": 1e-12, "atol": 1e-14,
                "stol": 1e-14},
    )
    rows = run(case, write=False, progress=False).series.rows
    return np.array([[r["time"], r["voltage"], r["current"]] for r in rows])


def test_1d_2d_3d_same_voltage_curve(case_factory):
    c1, c2, c3 = (_curve(case_factory, d) for d in (1, 2, 3))
    axisymmetric = _curve(case_factory, 2, axisymmetric=True)
    assert len(c1) > 10
    for c in (c2, c3, axisymmetric):
        assert c.shape == c1.shape
        np.testing.assert_allclose(c[:, 0], c1[:, 0], rtol=0, atol=1e-9)
        np.testing.assert_allclose(c[:, 1], c1[:, 1], rtol=0, atol=1e-6)
        np.testing.assert_allclose(c[:, 2], c1[:, 2], rtol=1e-6, atol=1e-6)
    assert np.ptp(c1[:, 1]) > 0.01  # the curve is not flat: the comparison means something
