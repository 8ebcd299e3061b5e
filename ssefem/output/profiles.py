"""Interface profiles: one CSV per :class:`~ssefem.terms.Profile`, a block of rows (one per cell
along the interface) for every recorded state, tagged with the state's row of the time series."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ssefem.output.results import atomic_write_text
from ssefem.system import System


class ProfileSeries:
    """``record(row, time)`` evaluates every profile of the model (collective); rank 0 keeps
    the values and ``write`` puts them in ``<directory>/<name>.csv``."""

    def __init__(self, system: System):
        self.system = system
        self.blocks: dict[str, list[tuple[int, float, dict]]] = {
            p.name: [] for p in system.model.profiles}

    def record(self, row: int, time: float) -> None:
        for p in self.system.model.profiles:
            values = self.system.profile(p)
            if values is not None:
                self.blocks[p.name].append((row, time, values))

    def write(self, directory: Path) -> None:
        units = {"x": "m", "y": "m", "z": "m"}
        for p in self.system.model.profiles:
            units.update({o.name: o.unit for o in p.columns})
            blocks = self.blocks[p.name]
            if not blocks:
                continue
            keys = list(blocks[0][2])
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["row", "time [s]"] + [f"{k} [{units[k]}]" if units[k] != "1" else k
                                              for k in keys])
            for row, t, values in blocks:
                for j in range(len(values[keys[0]])):
                    w.writerow([row, f"{t:.12g}"] + [f"{values[k][j]:.10g}" for k in keys])
            directory.mkdir(parents=True, exist_ok=True)
            atomic_write_text(directory / f"{p.name}.csv", buf.getvalue())
