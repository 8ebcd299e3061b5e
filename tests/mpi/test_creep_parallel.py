"""Creep: serial and ``mpiexec -n 2`` agree (run by ``make test-mpi`` on 2 ranks)."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from ssefem.runner import run

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
    results = {}
    for name, comm in (("par", MPI.COMM_WORLD), ("ser", MPI.COMM_SELF)):
        res = run(case, write=False, progress=False, comm=comm)
        rows = res.series.rows
        results[name] = (np.array([[r[k] for k in KEYS] for r in rows]),
                         res.profiles.blocks["interface"])
    (par, ppar), (ser, pser) = results["par"], results["ser"]
    assert par.shape == ser.shape and len(ser) > 10
    creep = ser[:, KEYS.index("creep_strain:anode")]
    assert creep[-1] > 1.5 * creep[0] > 0  # it crept
    finite = np.isfinite(ser)  # the peak-to-mean current is NaN at rest
    assert np.array_equal(finite, np.isfinite(par))
    ser, par = np.where(finite, ser, 0.0), np.where(finite, par, 0.0)
    scale = np.maximum(np.abs(ser).max(axis=0), 1e-300)
    np.testing.assert_array_less(np.abs(par - ser).max(axis=0) / scale, 1e-8)
    if MPI.COMM_WORLD.rank == 0:
        for (_, _, a), (_, _, b) in zip(ppar, pser, strict=True):
            for k in a:
                s = max(np.abs(b[k]).max(), 1e-300)
                assert a[k].shape == b[k].shape and np.abs(a[k] - b[k]).max() / s < 1e-8, k
