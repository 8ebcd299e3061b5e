"""Scalar time series: one CSV row per accepted state, columns named with units."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from mpi4py import MPI

from ssefem.output.results import atomic_write_text

_UNITS = {"time": "s", "cycle": "", "step": "", "kind": "", "current": "A/m^2",
          "charge": "C/m^2", "voltage": "V"}


class TimeSeries:
    """Collects rows (all ranks hold the same values); rank 0 writes the CSV."""

    def __init__(self, units: dict[str, str] | None = None):
        self.rows: list[dict] = []
        self.units = {**_UNITS, **(units or {})}

    def append(self, row: dict) -> None:
        self.rows.append(dict(row))

    def column(self, name: str) -> list:
        return [r[name] for r in self.rows]

    def header(self) -> list[str]:
        keys = list(self.rows[0]) if self.rows else list(_UNITS)
        return [f"{k} [{self.units[k]}]" if self.units.get(k) else k for k in keys]

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.header())
        for r in self.rows:
            w.writerow([f"{v:.12g}" if isinstance(v, float) else v for v in r.values()])
        return buf.getvalue()

    def write(self, path: Path, comm: MPI.Comm) -> None:
        if comm.rank == 0:
            atomic_write_text(path, self.to_csv())
