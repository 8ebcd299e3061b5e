"""Proof (a) of issue 13: an out-of-tree plugin (tests/plugins/ssefem_band) makes a slab of an
electrolyte less conductive, reading the layer's position from the mesh and its conductivity
from the material library, with no core edit. At steady current i the voltage changes by
i w (1/sigma_band - 1/sigma) exactly (1-D and 2-D: the current crosses the band uniformly)."""

from __future__ import annotations

import numpy as np
import pytest

from ssefem.errors import CaseError
from ssefem.materials import Library
from ssefem.runner import run
from ssefem.validate import prepare

T = 298.15
CURRENTS = [4.0, 25.0]  # A/m^2
START, WIDTH, SIGMA_BAND = 0.25, 0.5, 2e-5  # um, um, S/m


def band_case(case_factory, dim: int, band: dict | None):
    geometry = {"dimension": dim} if dim == 1 else {"dimension": dim, "width": 1.0,
                                                     "lateral_cells": 2}
    return case_factory(
        temperature=T, geometry=geometry,
        layers=[{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 4},
                {"name": "electrolyte", "material": "LiPON", "thickness": 1.5, "cells": 6},
                {"name": "anode", "material": "Li", "thickness": 1.0, "cells": 2}],
        protocol={"steps": [{"kind": "steady", "currents": CURRENTS}]},
        plugins={"band": band} if band else {})


def _voltages(case):
    return np.array([r["voltage"] for r in run(case, write=False, progress=False).series.rows])


@pytest.mark.parametrize("dim", [1, 2])
def test_band_changes_the_voltage_by_its_resistance(case_factory, dim):
    sigma = Library.builtin().get("LiPON").at("conductivity", T)
    band = {"layer": "electrolyte", "start": START, "width": WIDTH, "conductivity": SIGMA_BAND}
    drop = _voltages(band_case(case_factory, dim, None)) - _voltages(
        band_case(case_factory, dim, band))
    expected = np.array(CURRENTS) * WIDTH * 1e-6 * (1 / SIGMA_BAND - 1 / sigma)
    print(f"{dim}-D: {drop} against {expected}")
    np.testing.assert_allclose(drop, expected, rtol=1e-10, atol=0)


def test_a_band_outside_its_layer_is_refused_by_validate(case_factory):
    case = band_case(case_factory, 1, {"layer": "electrolyte", "start": 1.0, "width": 0.6,
                                       "conductivity": SIGMA_BAND})
    with pytest.raises(CaseError, match=r"band ends 1.6 um into 'electrolyte'") as err:
        prepare(case)
    assert err.value.key == "plugins.band.width"
