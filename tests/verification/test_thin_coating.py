"""The coating as a thin-layer jump equals the meshed coating (no storage in the layer)."""

from __future__ import annotations

import numpy as np
import pytest

from ssefem.runner import run


def _layers(mode: str):
    return [{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 12},
            {"name": "coating", "material": "LiNbO3", "thickness": 0.05, "cells": 4,
             "mode": mode},
            {"name": "electrolyte", "material": "LiPON", "thickness": 1.5, "cells": 6},
            {"name": "anode", "material": "Li", "thickness": 2.0, "cells": 2}]


@pytest.mark.parametrize("dim", [1, 2])
def test_thin_equals_meshed(case_factory, dim):
    common = dict(
        geometry={"dimension": dim, "width": 2.0, "lateral_cells": 2, "cell_type": "tensor"},
        initial={"stoichiometry": 0.55},
        protocol={"steps": [{"kind": "steady", "currents": [0.0, 2.0, -2.0]},
                            {"kind": "discharge", "current": 4.0, "duration": 300.0},
                            {"kind": "hold", "voltage": 4.0, "duration": 60.0}]},
        solver={"dt_initial": 20.0, "dt_max": 60.0, "rtol": 1e-12, "atol": 1e-14,
                "stol": 1e-14},
    )
    meshed = run(case_factory(layers=_layers("meshed"), **common), write=False, progress=False)
    thin = run(case_factory(layers=_layers("thin"), **common), write=False, progress=False)
    assert "thin_layer_conduction:coating (flux, electrochemistry)" in thin.summary["terms"]
    v_m = np.array([r["voltage"] for r in meshed.series.rows])
    v_t = np.array([r["voltage"] for r in thin.series.rows])
    assert v_m.shape == v_t.shape and len(v_m) > 5
    np.testing.assert_allclose(v_t, v_m, rtol=0, atol=1e-9)
    # the coating's drop is the ohmic i * thickness / sigma (LiNbO3: 1e-4 S/m at 298.15 K)
    row = thin.series.rows[1]
    assert row["potential_drop:coating"] == pytest.approx(-2.0 * 0.05e-6 / 1e-4, rel=1e-8)
    assert abs(row["potential_drop:coating"]) > 5e-4  # it matters for the voltage
