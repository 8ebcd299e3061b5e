"""Axisymmetric 2-D cell: serial and ``mpiexec -n 2`` agree (run by ``make test-mpi``).

The weight 2 pi r enters every measure, the interfaces' oriented interior-facet integrals
included, and the hoop strain enters the mechanics (free mantle, so it is not zero).
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from parallel_helpers import assert_columns_agree, series

pytestmark = pytest.mark.mpi

KEYS = ("time", "voltage", "current", "stoichiometry:cathode", "thickness_change",
        "hydrostatic_stress:cathode", "hydrostatic_stress:electrolyte")


def test_axisymmetric_cell_serial_and_parallel_agree(case_factory):
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    case = case_factory(
        geometry={"dimension": 2, "width": 2.0, "lateral_cells": 3, "axisymmetric": True},
        initial={"stoichiometry": 0.55},
        mechanics={"stack_pressure": 5.0, "lateral": "free"},
        protocol={"steps": [{"kind": "discharge", "current": 3.0, "duration": 300.0},
                            {"kind": "hold", "voltage": 4.0, "duration": 100.0}]},
        solver={"dt_initial": 20.0, "dt_max": 50.0, "rtol": 1e-12, "atol": 1e-14,
                "stol": 1e-14},
    )
    par = series(case, KEYS, MPI.COMM_WORLD)
    ser = series(case, KEYS, MPI.COMM_SELF)
    assert par.shape == ser.shape and len(par) > 5
    assert np.ptp(par[:, KEYS.index("voltage")]) > 0.01  # the curve is not flat
    np.testing.assert_allclose(par[:, :2], ser[:, :2], rtol=0, atol=1e-8)  # time, voltage
    assert_columns_agree(par, ser)
