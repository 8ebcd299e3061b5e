"""Refusing to write what the disk cannot hold, before HDF5 finds out.

HDF5 aborts the process (SIGABRT and thousands of lines of diagnostics) when a write meets a full
disk, so running into ENOSPC inside a field write cannot be turned into an error afterwards.
:class:`SpaceGuard` checks the free space before each field or checkpoint write against what the
last write of that kind took (measured as the drop in free space), with a margin, and raises a
named :class:`ResultsError` on every rank instead; the run then ends with what it finished set
aside and the published results untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

from mpi4py import MPI

from ssefem.errors import ResultsError
from ssefem.output.collective import on_rank0

#: free space always kept for the small files written at the end (summary, CSV, plots: ~0.1 MiB)
RESERVE = 2**19
#: how many times the last write of a kind must fit
MARGIN = 2.0


def free_bytes(path: Path) -> int:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize


class SpaceGuard:
    def __init__(self, comm: MPI.Comm, directory: Path, label: Path | None = None):
        self.comm = comm
        self.directory = Path(directory)
        self.label = label or directory  # what the message names: the results being written
        self.last: dict[str, int] = {}
        self._before: int | None = None

    def _free(self) -> int:
        return on_rank0(self.comm, lambda: free_bytes(self.directory))

    def before(self, what: str, estimate: int = 0) -> None:
        """Raise :class:`ResultsError` (every rank) when ``what`` may not fit (collective)."""
        free = self._free()
        need = int(MARGIN * max(self.last.get(what, 0), estimate)) + RESERVE
        if free < need:
            raise ResultsError(f"disk full: {free / 2**20:.1f} MiB free, writing the {what} "
                               f"needs about {need / 2**20:.1f} MiB; free some space and "
                               "continue with ssefem run --restart",
                               self.label)
        self._before = free

    def after(self, what: str) -> None:
        if self._before is not None:
            self.last[what] = max(self.last.get(what, 0), self._before - self._free())
            self._before = None
