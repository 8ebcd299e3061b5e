"""Serial and ``mpiexec -n 2`` give the same results (run by ``make test-mpi`` on 2 ranks).

Each test runs the case once on COMM_WORLD (distributed) and once on COMM_SELF (serial, on every
rank) and compares the voltage curves.
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from ssefem.runner import run

pytestmark = pytest.mark.mpi


def _curve(case, comm):
    rows = run(case, write=False, progress=False, comm=comm).series.rows
    return np.array([[r["time"], r["voltage"], r["current"],
                      r["stoichiometry:cathode"]] for r in rows])


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_serial_and_parallel_agree(case_factory, dim):
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    case = case_factory(
        geometry={"dimension": dim, "width": 2.0, "lateral_cells": 3},
        initial={"stoichiometry": 0.55},
        protocol={"steps": [{"kind": "discharge", "current": 3.0, "duration": 400.0},
                            {"kind": "hold", "voltage": 4.0, "duration": 100.0}]},
        solver={"dt_initial": 20.0, "dt_max": 50.0, "rtol": 1e-12, "atol": 1e-14,
                "stol": 1e-14},
    )
    par = _curve(case, MPI.COMM_WORLD)
    ser = _curve(case, MPI.COMM_SELF)
    assert par.shape == ser.shape and len(par) > 5
    np.testing.assert_allclose(par, ser, rtol=1e-8, atol=1e-10)


def test_results_written_in_parallel(case_factory, tmp_path_factory):
    """The results directory is complete when written by 2 ranks."""
    comm = MPI.COMM_WORLD
    out = comm.bcast(str(tmp_path_factory.mktemp("par")) if comm.rank == 0 else None)
    case = case_factory(geometry={"dimension": 2, "width": 2.0, "lateral_cells": 2},
                        protocol={"steps": [{"kind": "discharge", "current": 1.0,
                                             "duration": 60.0}]},
                        output={"progress": False, "plots": False, "fields_every": 1})
    res = run(case, outdir=f"{out}/r", progress=False)
    comm.barrier()
    import json
    from pathlib import Path

    summary = json.loads((Path(out) / "r" / "summary.json").read_text())
    assert summary["ranks"] == comm.size and summary["status"] == "completed"
    assert (Path(out) / "r" / "fields" / "cathode.xdmf").is_file()
    assert res.summary["solver"]["accepted_steps"] > 0


def test_thin_coating_serial_and_parallel_agree(case_factory):
    """The coating as a thin-layer jump (a field on the interface submesh) in parallel."""
    case = case_factory(
        geometry={"dimension": 2, "width": 2.0, "lateral_cells": 4},
        layers=[{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 8},
                {"name": "coating", "material": "LiNbO3", "thickness": 0.05, "mode": "thin"},
                {"name": "electrolyte", "material": "LiPON", "thickness": 1.5, "cells": 6},
                {"name": "anode", "material": "Li", "thickness": 2.0, "cells": 2}],
        initial={"stoichiometry": 0.55},
        protocol={"steps": [{"kind": "discharge", "current": 3.0, "duration": 200.0}]},
        solver={"dt_initial": 20.0, "dt_max": 50.0, "rtol": 1e-12, "atol": 1e-14,
                "stol": 1e-14},
    )
    par = _curve(case, MPI.COMM_WORLD)
    ser = _curve(case, MPI.COMM_SELF)
    assert par.shape == ser.shape and len(par) > 3
    np.testing.assert_allclose(par, ser, rtol=1e-8, atol=1e-10)
