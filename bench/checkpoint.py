"""Benchmark: the cost of checkpoints and of streaming the time series.

Runs each case three ways in one process, alternating, ``--repeat`` times (default 3), and
reports the median wall time of each over the run with neither:

- ``none``: no checkpoint at all (``Checkpointer.write`` replaced by a no-op), no free-space
  checks and the time series written only at the end (no streaming) — what ssefem did before;
- ``ends``: checkpoints only after the set-up and at the end of every protocol step
  (``output.checkpoint_every = 0``);
- ``every10``: also every 10 accepted steps (the default).

Cases: ``cases/default.toml`` (1-D, ~400 steps) and the 3-D benchmark cell of ``bench/run.py``
discharged for 40 steps (tensor mesh, ``--cells`` elements per direction). Target: ``every10``
within 5 % of ``none``. Usage: ``python bench/checkpoint.py [--cells 12] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import ssefem  # noqa: F401
from ssefem.case import case_from_dict, load_case
from ssefem.output.diskspace import SpaceGuard
from ssefem.output.timeseries import TimeSeries
from ssefem.runner import run
from ssefem.studies import checkpoint

ROOT = Path(__file__).resolve().parents[1]


def _cell_3d(n: int):
    return case_from_dict({
        "name": "bench_ckpt_3d", "geometry": {"dimension": 3, "width": 10.0, "lateral_cells": n,
                                              "cell_type": "tensor"},
        "layers": [{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": n},
                   {"name": "electrolyte", "material": "LiPON", "thickness": 1.5, "cells": n},
                   {"name": "anode", "material": "Li", "thickness": 2.0,
                    "cells": max(2, n // 4)}],
        "initial": {"stoichiometry": 0.6},
        "protocol": {"steps": [{"kind": "discharge", "c_rate": 1.0, "duration": 400.0}]},
        "solver": {"dt_initial": 10.0, "dt_max": 10.0},
        "output": {"plots": False, "progress": False, "fields_every": 0},
    })


def _variant(case, how: str):
    data = case.model_dump(mode="json", exclude_none=True)
    data["output"].update(plots=False, progress=False, fields_every=0,
                          checkpoint_every=10 if how == "every10" else 0)
    return case_from_dict(data)


def _time(case, how: str, outdir: Path) -> float:
    saved = [(checkpoint.Checkpointer, "write"), (TimeSeries, "stream_to"),
             (SpaceGuard, "before"), (SpaceGuard, "after")]
    saved = [(owner, name, getattr(owner, name)) for owner, name in saved]
    if how == "none":
        for owner, name, _ in saved:
            setattr(owner, name, lambda self, *a, **kw: None)
    try:
        t0 = time.perf_counter()
        run(_variant(case, how), outdir=outdir)
        return time.perf_counter() - t0
    finally:
        for owner, name, fn in saved:
            setattr(owner, name, fn)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=12)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    cases = {"default (1-D)": load_case(ROOT / "cases" / "default.toml"),
             f"3-D cell ({args.cells}^3 hexahedra per layer)": _cell_3d(args.cells)}
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, case in cases.items():
            _time(case, "none", Path(tmp) / "warm")  # JIT and caches outside the timing
            times = {how: [] for how in ("none", "ends", "every10")}
            for r in range(args.repeat):
                for how in times:
                    times[how].append(_time(case, how, Path(tmp) / f"{how}{r}"))
            med = {how: statistics.median(t) for how, t in times.items()}
            report[label] = {"median_s": med,
                             "ends_over_none": med["ends"] / med["none"],
                             "every10_over_none": med["every10"] / med["none"]}
            print(f"{label}: none {med['none']:.2f} s, ends {med['ends']:.2f} s "
                  f"({med['ends'] / med['none']:.3f}), every 10 steps {med['every10']:.2f} s "
                  f"({med['every10'] / med['none']:.3f})")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
