"""Scalar time series: one CSV row per accepted state, columns named with units."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from mpi4py import MPI

from ssefem.output.results import atomic_write_text

_UNITS = {"time": "s", "cycle": "", "step": "", "kind": "", "current": "A/m^2",
          "charge": "C/m^2", "voltage": "V", "stack_pressure_set": "Pa",
          "area_specific_resistance": "Ohm m^2"}


class TimeSeries:
    """Collects rows (all ranks hold the same values); rank 0 writes the CSV."""

    def __init__(self, units: dict[str, str] | None = None):
        self.rows: list[dict] = []
        self.units = {**_UNITS, **(units or {})}

    def append(self, row: dict) -> None:
        self.rows.append(dict(row))

    def column(self, name: str) -> list:
        return [r.get(name) for r in self.rows]

    def keys(self) -> list[str]:
        """Column names in order of first appearance (some steps add columns: a pressure
        sweep's resistance; rows without them leave those cells empty)."""
        if not self.rows:
            return list(_UNITS)
        return list(dict.fromkeys(k for r in self.rows for k in r))

    def header(self) -> list[str]:
        return [f"{k} [{self.units[k]}]" if self.units.get(k) else k for k in self.keys()]

    def to_csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(self.header())
        keys = self.keys()
        for r in self.rows:
            w.writerow([f"{v:.12g}" if isinstance(v, float) else v
                        for v in (r.get(k, "") for k in keys)])
        return buf.getvalue()

    def write(self, path: Path, comm: MPI.Comm) -> None:
        if comm.rank == 0:
            atomic_write_text(path, self.to_csv())
