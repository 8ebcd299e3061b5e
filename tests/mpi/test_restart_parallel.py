"""Restart on 2 ranks: a 2-D run interrupted in the middle of a discharge continues from its
checkpoint (every rank its own part of the state) and repeats the uninterrupted 2-rank run; a
checkpoint written on 2 ranks is refused on 1, naming the rank count."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pytest
from mpi4py import MPI

import ssefem.studies.protocol as protocol
from ssefem.errors import CaseError
from ssefem.runner import run

pytestmark = pytest.mark.mpi


def _shared_dir() -> Path:
    comm = MPI.COMM_WORLD
    path = tempfile.mkdtemp(prefix="ssefem-restart-") if comm.rank == 0 else None
    return Path(comm.bcast(path, root=0))


def test_restart_on_two_ranks(case_factory, monkeypatch):
    comm = MPI.COMM_WORLD
    assert comm.size >= 2, "run under mpiexec -n 2"
    case = case_factory(
        geometry={"dimension": 2, "width": 2.0, "lateral_cells": 3},
        initial={"stoichiometry": 0.55},
        protocol={"steps": [{"kind": "discharge", "current": 3.0, "duration": 400.0},
                            {"kind": "rest", "duration": 100.0}]},
        solver={"dt_initial": 5.0, "dt_max": 20.0},
        output={"checkpoint_every": 4, "plots": False, "progress": False, "fields_every": 0})
    base = _shared_dir()
    ref = run(case, outdir=base / "ref")
    accept = protocol.ProtocolRunner._accept

    def accept_then_stop(self, *args, **kwargs):
        accept(self, *args, **kwargs)
        if self.nsteps == 10:
            raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(protocol.ProtocolRunner, "_accept", accept_then_stop)
        with pytest.raises(KeyboardInterrupt):
            run(case, outdir=base / "cut")
    comm.barrier()
    staging = [p for p in base.iterdir() if p.name.startswith(".cut.") and p.is_dir()]
    assert len(staging) == 1, staging
    resumed = run(case, outdir=base / "resumed", restart=staging[0])
    a, b = ref.series.rows, resumed.series.rows
    assert len(a) == len(b) > 10
    worst = max(abs(x[k] - y[k]) / max(1.0, abs(x[k])) for x, y in zip(a, b)
                for k in x if isinstance(x[k], float) and math.isfinite(x[k]))
    assert worst <= 1e-10
    with pytest.raises(CaseError, match="written on 2 ranks; restart with mpiexec -n 2"):
        run(case, outdir=base / f"serial{comm.rank}", restart=staging[0], comm=MPI.COMM_SELF)
