"""Scalar time series: one CSV row per accepted state, columns named with units.

With :meth:`TimeSeries.stream_to` every row reaches the CSV file as it is accepted (appended and
flushed; the file is rewritten only when a step adds a column), so a killed run keeps its curve.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from mpi4py import MPI

from ssefem.output.collective import on_rank0
from ssefem.output.results import atomic_write_text

_UNITS = {"time": "s", "cycle": "", "step": "", "kind": "", "current": "A/m^2",
          "charge": "C/m^2", "voltage": "V", "stack_pressure_set": "Pa",
          "area_specific_resistance": "Ohm m^2"}


class TimeSeries:
    """Collects rows (all ranks hold the same values); rank 0 writes the CSV."""

    def __init__(self, units: dict[str, str] | None = None):
        self.rows: list[dict] = []
        self.units = {**_UNITS, **(units or {})}
        self._stream: tuple[Path, MPI.Comm] | None = None
        self._streamed_keys: list[str] | None = None

    def append(self, row: dict) -> None:
        self.rows.append(dict(row))
        if self._stream is not None:
            self._write_last()

    def stream_to(self, path: Path, comm: MPI.Comm) -> None:
        """Write the rows so far to ``path`` and append each later row as it comes
        (collective)."""
        self._stream = (Path(path), comm)
        self.write(path, comm)
        self._streamed_keys = self.keys()

    def _write_last(self) -> None:
        path, comm = self._stream
        keys = self.keys()
        if keys != self._streamed_keys:
            self.write(path, comm)
            self._streamed_keys = keys
            return
        line = self._line(self.rows[-1], keys)

        def append() -> None:
            with open(path, "a") as fh:
                fh.write(line)

        on_rank0(comm, append)

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
            w.writerow(self._cells(r, keys))
        return buf.getvalue()

    @staticmethod
    def _cells(row: dict, keys: list[str]) -> list:
        return [f"{v:.12g}" if isinstance(v, float) else v for v in (row.get(k, "") for k in keys)]

    def _line(self, row: dict, keys: list[str]) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(self._cells(row, keys))
        return buf.getvalue()

    def write(self, path: Path, comm: MPI.Comm) -> None:
        """Write the whole CSV atomically (collective)."""
        text = self.to_csv() if comm.rank == 0 else ""
        on_rank0(comm, lambda: atomic_write_text(path, text))
