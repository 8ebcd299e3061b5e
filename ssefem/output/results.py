"""The results directory, written atomically.

Everything is written into a hidden staging directory next to the target; the staging directory
replaces ``results/<case>`` only when the run has finished or failed in the solver (then
``summary.json`` says ``"status": "failed"`` and what finished is kept). Any other failure leaves
only the hidden staging directory, never a half-written result.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from mpi4py import MPI


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


class ResultsDir:
    """Context manager giving a staging path; ``finish()`` publishes it."""

    def __init__(self, target: str | Path, comm: MPI.Comm):
        self.target = Path(target)
        self.comm = comm
        self.staging = self.target.parent / f".{self.target.name}.partial"
        self._published = False

    def __enter__(self) -> ResultsDir:
        if self.comm.rank == 0:
            if self.staging.exists():
                shutil.rmtree(self.staging)
            (self.staging / "fields").mkdir(parents=True)
        self.comm.barrier()
        return self

    def path(self, name: str) -> Path:
        return self.staging / name

    def write_json(self, name: str, data: dict) -> None:
        if self.comm.rank == 0:
            atomic_write_text(self.path(name), json.dumps(data, indent=2, default=str) + "\n")

    def write_text(self, name: str, text: str) -> None:
        if self.comm.rank == 0:
            atomic_write_text(self.path(name), text)

    def publish(self) -> None:
        """Replace the target with the staging directory (collective)."""
        self.comm.barrier()
        if self.comm.rank == 0:
            old = self.target.parent / f".{self.target.name}.old"
            if self.target.exists():
                if old.exists():
                    shutil.rmtree(old)
                os.replace(self.target, old)
            os.replace(self.staging, self.target)
            if old.exists():
                shutil.rmtree(old)
        self.comm.barrier()
        self._published = True

    def __exit__(self, exc_type, exc, tb) -> None:
        return None
