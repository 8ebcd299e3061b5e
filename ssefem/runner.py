"""Run a case end to end: validate, mesh, build the model, solve the protocol, write results."""

from __future__ import annotations

import dataclasses
import gc
import logging
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import dolfinx
from mpi4py import MPI

from ssefem.case import Case, case_from_dict, dump_toml, load_case
from ssefem.cell_state import CAPACITY, OCV
from ssefem.errors import Interrupted, SolverError
from ssefem.interrupt import Interrupts
from ssefem.mesh import StackSpec, load_regions
from ssefem.output import FieldWriter, ResultsDir, TimeSeries
from ssefem.output.collective import on_rank0
from ssefem.output.diskspace import SpaceGuard
from ssefem.output.marker import is_results_dir, remove_results_dir
from ssefem.output.profiles import ProfileSeries
from ssefem.output.target import resolve_target
from ssefem.assembly import assemble
from ssefem.plugins import collect_transports
from ssefem.state import SUMMARY
from ssefem.studies import ProtocolRunner
from ssefem.studies.checkpoint import Checkpointer, case_fingerprint, find_restart, load_checkpoint
from ssefem.studies.protocol import Position
from ssefem.studies.registry import collect_studies, reports
from ssefem.system import System
from ssefem.tabulation import Tabulation, cached, remember
from ssefem.validate import prepare
from ssefem.version import __version__

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    case: Case
    directory: Path | None
    series: TimeSeries
    summary: dict
    system: System
    profiles: ProfileSeries | None = None
    #: the studies' tables (name -> rows), as written to <name>.csv
    tables: dict = dataclasses.field(default_factory=dict)


def stack_spec(case: Case) -> StackSpec:
    """The meshed layers of a case (thin layers become interface conditions)."""
    g = case.geometry
    layers = [layer for layer in case.layers if layer.mode == "meshed"]
    return StackSpec(
        names=tuple(layer.name for layer in layers),
        thicknesses=tuple(layer.thickness for layer in layers),
        cells=tuple(layer.cells for layer in layers),
        grading=tuple(layer.grading for layer in layers),
        face_cell=tuple(layer.face_cell for layer in layers),
        dimension=g.dimension, width=g.width, lateral_cells=g.lateral_cells,
        tensor=g.cell_type == "tensor", axisymmetric=g.axisymmetric,
    )


def _git_hash() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                             cwd=Path(__file__).parent, timeout=5)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def run(case: Case | str | Path, outdir: str | Path | None = None, comm: MPI.Comm = MPI.COMM_WORLD,
        progress: bool | None = None, write: bool = True,
        restart: str | Path | bool | None = None) -> RunResult:
    """Run a case. Bad input raises :class:`CaseError` before anything is written; a solver failure
    raises :class:`SolverError` after the finished part of the results has been published; an
    interrupt (SIGINT, SIGTERM) raises :class:`Interrupted` after what finished has been set aside
    (the published results untouched); results that cannot be written raise :class:`ResultsError`.

    ``restart``: a directory of an earlier run of the same case whose ``checkpoint/`` it continues
    from, or True for the newest such run of this target (published, interrupted or killed)."""
    if not isinstance(case, Case):
        case = load_case(case)
    # PETSc objects left as garbage by an earlier run in this process are destroyed
    # collectively: here, at the same point on every rank (left to the cyclic collector, one rank
    # destroys a solver while the other assembles, and both wait for ever)
    gc.collect()
    with Interrupts(comm) as interrupts:
        library, plugins = prepare(case, comm)
        tabulate([t for p in plugins for t in p.tabulations(case, library)], comm)
        target = None
        if write:
            target = on_rank0(comm, lambda: resolve_target(case.name, case.output.directory,
                                                           outdir))
        setup = _setup(case, library, plugins, comm)
        interrupts.claim()  # meshing (gmsh) took the signals over
        try:
            interrupts.check(0.0)  # a signal during meshing or compilation: nothing written
            if not write:
                runner = ProtocolRunner(setup.system, case, setup.record,
                                        studies=setup.studies)
                runner.on_position = lambda position: interrupts.check(runner.time)
                runner.equilibrate()
                runner.run()
                return RunResult(case, None, setup.series,
                                 _finish(setup.summary, runner, setup.timings, None),
                                 setup.system, setup.profiles, runner.tables)
            return _staged_run(setup, target, progress, restart, interrupts)
        finally:
            # the solvers are destroyed here, in one order on every rank (MUMPS's destruction
            # is collective): left to the cyclic garbage collector (the protocol runner and its
            # callbacks form cycles), two ranks destroyed different solvers and both waited
            setup.system.close()


def tabulate(needed: list[Tabulation], comm: MPI.Comm) -> None:
    """Compute the tables the case's physics derives from sub-runs, before its model is built
    (:mod:`ssefem.tabulation`): rank 0 reads each from the cache or runs its sub-cases serially
    and writes it there; every rank then holds it (collective)."""
    for t in needed:
        def compute(t=t) -> dict:
            data = cached(t)
            if data is None:
                log.info("tabulating %s (sub-runs; cached for later runs)", t.kind)
                data = t.compute(_run_rows)
                remember(t, data, write=True)
            return data

        remember(t, on_rank0(comm, compute), write=False)


def _run_rows(case: dict) -> list[dict]:
    return run(case_from_dict(case), write=False, progress=False, comm=MPI.COMM_SELF).series.rows


@dataclass
class _Setup:
    case: Case
    plugins: list
    system: System
    series: TimeSeries
    profiles: ProfileSeries
    summary: dict
    timings: dict
    studies: dict  # the protocol step kinds of ssefem's and the plugins' studies

    def record(self, row: dict) -> None:
        self.series.append(row)
        self.profiles.record(len(self.series.rows) - 1, row["time"])


def _setup(case: Case, library, plugins, comm: MPI.Comm) -> _Setup:
    """Mesh, model and system of a case, and the summary's static part."""
    timings = {}
    t0 = time.perf_counter()
    features = [p.mesh_features for p in plugins]
    regions = load_regions(stack_spec(case), comm, case.geometry.mesh_file, features)
    timings["mesh"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # the built-in components, then the case's plugins (``prepare`` gives them in that order)
    model = assemble(case, library, regions, plugins, collect_transports(plugins, case, library))
    for line in model.describe():
        log.info(line)
    system = System(model, case.solver.model_dump())
    timings["setup"] = time.perf_counter() - t0
    summary = {
        "case": case.name, "status": "running",
        "versions": {"ssefem": __version__, "dolfinx": dolfinx.__version__,
                     "petsc": ".".join(map(str, _petsc_version()))},
        "git": _git_hash(), "ranks": comm.size,
        "dofs": {n: V.dofmap.index_map.size_global for n, V in system.spaces.items()},
        "terms": [f"{t.name} ({t.kind}, {t.origin})" for t in model.terms],
        "capacity_C_m2": model.state.find(CAPACITY),
        "ocv_V": model.state.find(OCV),
        **model.state.find(SUMMARY, {}),  # what components publish for the reader
    }
    series = TimeSeries({**{o.name: o.unit for o in model.observables},
                         **{p.column: p.column_unit for p in model.sweep_parameters.values()}})
    return _Setup(case, plugins, system, series, ProfileSeries(system), summary, timings,
                  collect_studies(plugins))


def _staged_run(s: _Setup, target, progress, restart, interrupts: Interrupts) -> RunResult:
    """Solve the protocol writing into a staging directory; publish it at the end."""
    case, system, series, profiles = s.case, s.system, s.series, s.profiles
    comm = system.model.regions.comm
    show = case.output.progress if progress is None else progress
    bar = _progress_bar(case, comm) if show else None
    failure = None
    with ResultsDir(target, comm, case.name) as res:
        space = SpaceGuard(comm, res.staging, res.target)
        every = case.output.fields_every
        with FieldWriter(system, res.path("fields")) as fields:

            def on_step(n: int, t: float) -> None:
                if every and n % every == 0:
                    space.before("fields")
                    fields.write(t)
                    space.after("fields")

            runner = ProtocolRunner(system, case, s.record, on_step,
                                    bar.update_to if bar is not None else None,
                                    studies=s.studies)
            fingerprint = case_fingerprint(case.model_dump(mode="json"))
            start, source = None, None
            if restart:
                source = (find_restart(res.target, fingerprint, comm) if restart is True
                          else Path(restart))
                start, _ = load_checkpoint(source / "checkpoint", system, runner, series,
                                           profiles, fingerprint)
                s.summary["restarted_from"] = {"directory": str(source), "time_s": runner.time}
                log.warning("restarting from %s at t = %.6g s", source, runner.time)
            series.stream_to(res.path("timeseries.csv"), comm)
            checkpoint = Checkpointer(res.path("checkpoint"), system, runner, series, profiles,
                                      case.output.checkpoint_every, fingerprint)

            def on_position(position: Position) -> None:
                space.before("checkpoint")
                try:
                    interrupts.check(runner.time)
                except Interrupted:
                    checkpoint.write(position)  # a restart continues from exactly here
                    raise
                checkpoint(position)
                space.after("checkpoint")

            runner.on_position = on_position
            t0 = time.perf_counter()
            try:
                if start is None:
                    runner.equilibrate()
                    checkpoint.write(Position(0, 0))  # a restart never repeats the set-up
                fields.write(runner.time)
                runner.run(start)
            except SolverError as err:
                failure = err
            except Interrupted as err:
                s.timings["solve"] = time.perf_counter() - t0
                res.write_json("summary.json", _finish(s.summary, runner, s.timings, err))
                raise
            finally:
                if bar is not None:
                    bar.close()
            s.timings["solve"] = time.perf_counter() - t0
            space.before("fields")
            fields.write(runner.time)
        series.write(res.path("timeseries.csv"), comm)
        for name, rows in runner.tables.items():
            res.write_text(f"{name}.csv", table_csv(rows))
        studied = on_rank0(comm, lambda: reports(case, s.studies, runner.tables))
        for report in studied:
            for name, text in report.files.items():
                res.write_text(name, text)
        on_rank0(comm, lambda: profiles.write(res.path("profiles")))
        res.write_text("resolved_case.toml", dump_toml(case.model_dump(mode="json",
                                                                       exclude_none=True)))
        summary = _finish(s.summary, runner, s.timings, failure)
        for report in studied:
            summary.update(report.summary)
        if case.output.plots:
            from ssefem.output.plots import plot_results

            on_rank0(comm, lambda: plot_results(res.staging, series, summary, profiles))
        result = RunResult(case, res.target, series, summary, system, profiles, runner.tables)
        staged = dataclasses.replace(result, directory=res.staging)  # published with the rest
        for p in s.plugins:
            p.outputs(staged)
        res.write_json("summary.json", summary)
        res.publish()
    if restart is True and source != res.target:  # found by ssefem: superseded now
        on_rank0(comm, lambda: _remove_consumed(source))
    if failure is not None:
        raise failure
    return result


def _remove_consumed(source: Path) -> None:
    """A set-aside run that ``--restart`` found and carried to the end is removed (it is in the
    results now); one named by the user (``--restart DIR``) stays."""
    if is_results_dir(source) and source.name.startswith("."):
        remove_results_dir(source)


def _finish(summary: dict, runner: ProtocolRunner, timings: dict, failure) -> dict:
    rows = runner.results
    status = ("interrupted" if isinstance(failure, Interrupted) else
              "failed" if failure else "completed")
    summary.update(
        status=status,
        error=str(failure) if failure else None,
        time_s=runner.time,
        charge_C_m2=runner.charge,
        steps=[{"kind": r.kind, "step": r.index, "cycle": r.cycle, "ended_by": r.ended_by,
                "end_time_s": r.time} for r in rows],
        solver={"accepted_steps": runner.nsteps, "newton_iterations": runner.newton_total,
                "cutbacks": runner.cutbacks},
        tables=sorted(runner.tables),
        warnings=runner.monitor.summary("warning"),
        notes=runner.monitor.summary("note"),
        timings_s=timings,
    )
    return summary


def table_csv(rows: list[dict]) -> str:
    """A study's table as CSV: one column per key of its rows, numbers to full precision."""
    if not rows:
        return ""
    keys = list(rows[0])
    lines = [",".join(keys)]
    lines += [",".join(repr(float(r[k])) if isinstance(r[k], float) else str(r[k])
                       for k in keys) for r in rows]
    return "\n".join(lines) + "\n"


def _petsc_version():
    from petsc4py import PETSc

    return PETSc.Sys.getVersion()


def _progress_bar(case: Case, comm: MPI.Comm):
    if comm.rank != 0:
        return None
    from tqdm import tqdm

    class Bar(tqdm):
        def update_to(self, t: float) -> None:
            self.set_postfix_str(f"t={t:.4g} s")
            self.update(1)

    return Bar(desc=case.name, unit="step", leave=False)
