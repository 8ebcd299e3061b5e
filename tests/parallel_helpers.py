"""Serial against ``mpiexec -n 2``: a case's time series (and interface profiles) run on a
communicator, and the comparisons the MPI tests share."""

from __future__ import annotations

import numpy as np
from mpi4py import MPI

from ssefem.runner import run


def series(case, keys, comm, profile: str | None = None):
    """The time series columns ``keys`` of ``case`` run on ``comm`` (an array, one row per
    record) and, with ``profile``, that profile's blocks (gathered on rank 0)."""
    res = run(case, write=False, progress=False, comm=comm)
    rows = np.array([[r[k] for k in keys] for r in res.series.rows])
    return rows if profile is None else (rows, res.profiles.blocks[profile])


def assert_columns_agree(par, ser, rel: float = 1e-8) -> None:
    """Every column's largest difference within ``rel`` of the column's largest magnitude."""
    assert par.shape == ser.shape, (par.shape, ser.shape)
    scale = np.maximum(np.abs(ser).max(axis=0), 1e-300)
    np.testing.assert_array_less(np.abs(par - ser).max(axis=0) / scale, rel)


def assert_profiles_agree(par, ser, rel: float = 1e-8) -> None:
    """Profile blocks (as gathered on rank 0) equal column by column within ``rel``."""
    if MPI.COMM_WORLD.rank != 0:
        return
    for (_, _, a), (_, _, b) in zip(par, ser, strict=True):
        for k in a:
            s = max(np.abs(b[k]).max(), 1e-300)
            assert a[k].shape == b[k].shape and np.abs(a[k] - b[k]).max() / s < rel, k
