"""Command line: ``ssefem run|validate|materials|plugins|plot``.

Exit status: 0 done; 2 bad input (one line ``error: <key path>: <problem>``, nothing written);
3 the solver failed after cut-back (what finished is published, ``"status": "failed"``); 4 the
results cannot be written (disk full, another run writing them, a filesystem error; published
results untouched); 5 out of memory; 130 / 143 stopped by SIGINT / SIGTERM (what finished is set
aside as ``.<name>.interrupted-<run>`` for ``ssefem run --restart``; published results untouched).
"""

from __future__ import annotations

import argparse
import logging
import sys


class _RankFilter(logging.Filter):
    def __init__(self, rank: int):
        super().__init__()
        self.rank = rank

    def filter(self, record: logging.LogRecord) -> bool:
        return self.rank == 0


def _configure_logging(verbose: int) -> None:
    from mpi4py import MPI

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(_RankFilter(MPI.COMM_WORLD.rank))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("ssefem")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose else logging.WARNING)


def _parser() -> argparse.ArgumentParser:
    from ssefem.version import __version__

    p = argparse.ArgumentParser(prog="ssefem", description="All-solid-state battery simulator "
                                "on FEniCSx (DOLFINx).")
    p.add_argument("--version", action="version", version=f"ssefem {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="-v info, -vv debug")
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="run a case file")
    r.add_argument("case")
    r.add_argument("-o", "--output", help="results directory (default results/<case name>)")
    r.add_argument("--no-progress", action="store_true")
    r.add_argument("--restart", nargs="?", const=True, default=None, metavar="DIR",
                   help="continue from the last checkpoint: of DIR, or (without DIR) of the newest "
                   "published, interrupted, killed or failed run of this case's results")
    v = sub.add_parser("validate", help="check a case file without solving")
    v.add_argument("case")
    sub.add_parser("materials", help="list the material library")
    sub.add_parser("plugins", help="list installed plugins")
    pl = sub.add_parser("plot", help="(re)draw the PNG plots of a results directory")
    pl.add_argument("results")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(args.verbose)
    from ssefem.errors import CaseError, Interrupted, ResultsError, SolverError

    try:
        return _COMMANDS[args.command](args)
    except CaseError as err:
        _rank0_print(f"error: {err}", file=sys.stderr)
        return 2
    except SolverError as err:
        _rank0_print(f"solver error: {err}", file=sys.stderr)
        return 3
    except ResultsError as err:
        kept = f"; what finished is in {err.kept}" if err.kept else ""
        _rank0_print(f"results error: {err}{kept}", file=sys.stderr)
        return 4
    except MemoryError:
        _rank0_print("out of memory: the case needs more memory than this machine (or rank) "
                     "has; use coarser meshes (cells, lateral_cells) or more ranks",
                     file=sys.stderr)
        return 5
    except Interrupted as err:
        where = f" at t = {err.time:.6g} s" if err.time is not None else " before the solve"
        _rank0_print(f"interrupted by {err.name}{where}; published results untouched"
                     + (f"; what finished is in {err.kept} (ssefem run --restart continues it)"
                        if getattr(err, "kept", None) else ""), file=sys.stderr)
        return err.exit_status


def _rank0_print(*a, **kw) -> None:
    from mpi4py import MPI

    if MPI.COMM_WORLD.rank == 0:
        print(*a, **kw)


def _run(args) -> int:
    from ssefem.case import load_case
    from ssefem.runner import run

    case = load_case(args.case)
    result = run(case, outdir=args.output, progress=False if args.no_progress else None,
                 restart=args.restart)
    s = result.summary
    _rank0_print(f"{case.name}: {s['status']} in {sum(s['timings_s'].values()):.1f} s, "
                 f"{s['solver']['accepted_steps']} steps; results in {result.directory}")
    return 0


def _validate(args) -> int:
    from mpi4py import MPI

    from ssefem.case import load_case
    from ssefem.output.collective import on_rank0
    from ssefem.output.target import resolve_target
    from ssefem.validate import prepare

    case = load_case(args.case)
    prepare(case, MPI.COMM_WORLD)
    on_rank0(MPI.COMM_WORLD, lambda: resolve_target(case.name, case.output.directory, None))
    _rank0_print(f"{args.case}: valid ({len(case.layers)} layers, "
                 f"{len(case.protocol.steps)} protocol steps x {case.protocol.repeat})")
    return 0


def _materials(args) -> int:
    from ssefem.materials import Library, format_table

    _rank0_print(format_table(Library.builtin()))
    return 0


def _plugins(args) -> int:
    from importlib.metadata import version as dist_version

    from ssefem.plugins import CORE, installed

    eps = installed()
    if not any(ep.dist and ep.dist.name.lower() != CORE for ep in eps.values()):
        _rank0_print("no plugins installed (entry-point group ssefem.plugins)")
    for name, ep in sorted(eps.items(), key=lambda kv: (kv[1].dist.name.lower() != CORE
                                                        if kv[1].dist else True, kv[0])):
        dist = ep.dist.name if ep.dist else "?"
        ver = dist_version(dist) if ep.dist else "?"
        kind = "component" if dist.lower() == CORE else "plugin"
        _rank0_print(f"{name:20s} {kind:10s} {ep.value:45s} {dist} {ver}")
    return 0


def _plot(args) -> int:
    import csv
    import json
    from pathlib import Path

    from ssefem.errors import CaseError
    from ssefem.output.plots import plot_results
    from ssefem.output.timeseries import TimeSeries

    d = Path(args.results)
    if not (d / "summary.json").is_file():
        raise CaseError("results", f"{d} holds no summary.json")
    ts = TimeSeries()
    with open(d / "timeseries.csv") as fh:
        for row in csv.DictReader(fh):
            clean = {k.split(" [")[0]: v for k, v in row.items()}
            ts.append({k: (v if k == "kind" else float(v)) for k, v in clean.items()})
    plot_results(d, ts, json.loads((d / "summary.json").read_text()))
    _rank0_print(f"plots written to {d}")
    return 0


_COMMANDS = {"run": _run, "validate": _validate, "materials": _materials, "plugins": _plugins,
             "plot": _plot}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
