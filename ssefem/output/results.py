"""The results directory: staged per run, published in one atomic step, never lost.

A run writes into its own hidden staging directory ``.<name>.staging-<run>`` next to the target
(marked as ssefem's from its first moment) while holding the target's lock
(:mod:`ssefem.output.lock`), so two runs of one case never mix. The staging directory becomes
``results/<name>`` only when the run has finished, or failed in the solver after cut-back (then
``summary.json`` says ``"status": "failed"`` and what finished is kept); publishing is one atomic
exchange (:mod:`ssefem.output.publish`). An interrupt sets the staging directory aside as
``.<name>.interrupted-<run>``, any other failure as ``.<name>.failed-<run>``; the published results
stay as they were. The leftovers of a killed run are found by the next run of the case
(:func:`recover`): its staging directory is set aside as ``.<name>.killed-<run>`` (``ssefem run
--restart`` continues from its checkpoint), and old results caught mid-publish are removed or put
back. Every filesystem step's outcome is collective (:mod:`ssefem.output.collective`).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path

from mpi4py import MPI

from ssefem.errors import Interrupted, ResultsError
from ssefem.output.collective import on_rank0
from ssefem.output.lock import RunLock
from ssefem.output.marker import is_results_dir, read_marker, remove_results_dir, write_marker
from ssefem.output.publish import publish
from ssefem.output.target import Target

log = logging.getLogger(__name__)

#: kinds of directories set aside, kept for a restart (the newest KEEP of each target)
ASIDE = ("interrupted", "killed", "failed")
KEEP = 3


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def set_aside_dirs(target: Path) -> list[Path]:
    """The directories set aside for ``target`` by earlier runs, newest first."""
    found = [p for kind in ASIDE for p in target.parent.glob(f".{target.name}.{kind}-*")
             if read_marker(p) is not None]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)


def recover(target: Path) -> list[str]:
    """Put the leftovers of killed runs of ``target`` in order (call holding its lock); returns
    what was done, one line each."""
    done = []
    parent, name = target.parent, target.name
    for old in parent.glob(f".{name}.old-*"):  # a two-step publish killed half way
        if read_marker(old) is None:
            _remove_if_empty(old)  # a removal killed after its marker went
            continue
        if not target.exists():
            os.rename(old, target)
            done.append(f"{target}: put back the results a killed publish had moved to {old.name}")
        else:
            remove_results_dir(old)
    for staging in parent.glob(f".{name}.staging-*"):
        marker = read_marker(staging)
        run = staging.name.rsplit("staging-", 1)[1]
        if marker is None:
            _remove_if_empty(staging)  # killed between mkdir and its marker, or at a removal's end
            continue
        if marker["run"] != run:  # the old results, exchanged out by a publish that was killed
            remove_results_dir(staging)
            continue
        aside = parent / f".{name}.killed-{run}"
        os.rename(staging, aside)
        done.append(f"{target}: run {run} was killed; what it finished is in {aside.name} "
                    f"(ssefem run --restart continues it)")
    for kind in ASIDE:
        dirs = [p for p in set_aside_dirs(target) if p.name.startswith(f".{name}.{kind}-")]
        for stale in dirs[KEEP:]:
            remove_results_dir(stale)
            done.append(f"{target}: removed {stale.name} (the newest {KEEP} {kind} runs are kept)")
    return done


def _remove_if_empty(d: Path) -> None:
    if d.is_dir() and not d.is_symlink() and not any(d.iterdir()):
        d.rmdir()


def _new_run_id() -> str:
    return f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"


class ResultsDir:
    """Context manager giving a staging path; ``publish()`` makes it the results (collective).

    Leaving the context by an exception without publishing sets the staging directory aside
    (``.<name>.interrupted-<run>`` after an :class:`Interrupted`, else ``.<name>.failed-<run>``)."""

    def __init__(self, target: Target | str | Path, comm: MPI.Comm, case: str = ""):
        if not isinstance(target, Target):
            target = Target(Path(os.path.abspath(target)), "--output")
        self.target = target.path
        self.comm = comm
        self.case = case
        self.run = comm.bcast(_new_run_id() if comm.rank == 0 else None, root=0)
        self.staging = self.target.parent / f".{self.target.name}.staging-{self.run}"
        self.aside: Path | None = None
        self._lock = RunLock(self.target.parent, self.target.name)
        self._published = False

    def __enter__(self) -> ResultsDir:
        def enter() -> list[str]:
            try:
                self.target.parent.mkdir(parents=True, exist_ok=True)
            except (FileExistsError, NotADirectoryError):
                raise ResultsError("a file is in the way: this directory cannot be created",
                                   self.target.parent) from None
            self._lock.acquire()
            try:
                self._check_target()
                done = recover(self.target)
                self.staging.mkdir()
                write_marker(self.staging, self.case, self.run)
                (self.staging / "fields").mkdir()
            except BaseException:
                self._lock.release()
                raise
            return done

        for line in on_rank0(self.comm, enter):
            log.warning(line)
        return self

    def _check_target(self) -> None:
        if (self.target.exists() or self.target.is_symlink()) and not is_results_dir(self.target):
            raise ResultsError("appeared during the run and is not a results directory "
                               "ssefem created: it is left alone", self.target)

    def path(self, name: str) -> Path:
        return self.staging / name

    def write_json(self, name: str, data: dict) -> None:
        text = json.dumps(data, indent=2, default=str) + "\n"
        on_rank0(self.comm, lambda: atomic_write_text(self.path(name), text))

    def write_text(self, name: str, text: str) -> None:
        on_rank0(self.comm, lambda: atomic_write_text(self.path(name), text))

    def publish(self) -> None:
        """Replace the target with the staging directory in one atomic step (collective)."""
        def swap() -> None:
            self._check_target()  # under the lock: nothing of the user's is ever exchanged out
            old = publish(self.staging, self.target,
                          self.target.parent / f".{self.target.name}.old-{self.run}")
            if old is not None:
                remove_results_dir(old)

        on_rank0(self.comm, swap)
        self._published = True

    def set_aside(self, kind: str) -> Path:
        """Rename the staging directory to ``.<name>.<kind>-<run>`` (collective)."""
        aside = self.target.parent / f".{self.target.name}.{kind}-{self.run}"
        on_rank0(self.comm, lambda: os.rename(self.staging, aside))
        self.aside = aside
        return aside

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc is not None and not self._published and self.aside is None:
                kind = "interrupted" if isinstance(exc, Interrupted) else "failed"
                try:
                    exc.kept = self.set_aside(kind)
                except Exception as err:  # the original error is the one to report
                    log.error("could not set %s aside: %s", self.staging, err)
        finally:
            if self.comm.rank == 0:
                self._lock.release()
