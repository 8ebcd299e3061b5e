"""Creep: serial and ``mpiexec -n 2`` agree (run by ``make test-mpi`` on 2 ranks)."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from parallel_helpers import assert_columns_agree, assert_profiles_agree, series

pytestmark = pytest.mark.mpi

KEYS = ("time", "voltage", "creep_strain:anode", "creep_rate:anode",
        "contact_fraction:electrolyte|anode", "contact_pressure:electrolyte|anode",
        "current_peak_to_mean:electrolyte|anode", "hydrostatic_stress:anode",
        "thickness_change")


def test_creeping_contact_serial_and_parallel_agree(case_factory):
    """Rough Li with a void on Li6PS5Cl under 5 MPa, creeping through a rest and a stripping
    current: the adaptive steps (creep-rate and creep-change limits), the time series and the
    interface profile agree."""
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    case = case_factory(
        geometry={"dimension": 2, "width": 5.0, "lateral_cells": 20},
        layers=[{"name": "cathode", "material": "Li", "thickness": 2.0, "cells": 3},
                {"name": "electrolyte", "material": "Li6PS5Cl", "thickness": 5.0, "cells": 8},
                {"name": "anode", "material": "Li", "thickness": 5.0, "cells": 6}],
        mechanics={"stack_pressure": 5.0, "creep": True, "contact": {
            "interface": "electrolyte|anode", "rms_height": 0.05, "wavelength": 10.0,
            "contact_distance": 1e-3,
            "voids": [{"center": [5.0], "radius": 1.0, "depth": 0.1}]}},
        protocol={"steps": [{"kind": "rest", "duration": 1.0},
                            {"kind": "discharge", "current": 10.0, "duration": 2.0}]},
        solver={"dt_min": 1e-3, "dt_max": 0.5, "rtol": 1e-12, "atol": 1e-14, "stol": 1e-14},
    )
    par, ppar = series(case, KEYS, MPI.COMM_WORLD, "interface")
    ser, pser = series(case, KEYS, MPI.COMM_SELF, "interface")
    assert par.shape == ser.shape and len(ser) > 10
    creep = ser[:, KEYS.index("creep_strain:anode")]
    assert creep[-1] > 1.5 * creep[0] > 0  # it crept
    finite = np.isfinite(ser)  # the peak-to-mean current is NaN at rest
    assert np.array_equal(finite, np.isfinite(par))
    ser, par = np.where(finite, ser, 0.0), np.where(finite, par, 0.0)
    assert_columns_agree(par, ser)
    assert_profiles_agree(ppar, pser)
