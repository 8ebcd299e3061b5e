"""Checkpoints of a running protocol, and resuming from one (``ssefem run --restart``).

A checkpoint directory holds:

- ``state.<k>.r<rank>.npz``: every rank's values of every unknown (present and previous time
  level, ghosts included) and of the named constants, checkpoint ``k``;
- ``rows.jsonl``: the time-series rows, one JSON object a line, appended at each checkpoint
  (floats written by ``repr``, so they read back bit for bit);
- ``profiles.jsonl``: the interface-profile blocks likewise (rank 0);
- ``progress.json``: written last and atomically: checkpoint ``k``, the protocol position,
  the runner's counters, how many rows and profile blocks belong to it, and what the state
  must match (the case's fingerprint, the number of ranks, the global size of every field).

A kill at any moment leaves either the previous or the new checkpoint complete: the new state
files carry a new ``k`` and the older ones are removed only after ``progress.json`` names the new
one. Resuming needs the same case and the same number of ranks (the state is the partition's):
adios4dolfinx, which could re-read on another partition, needs ADIOS2's Python bindings built
with MPI and the ``fenics-dolfinx`` distribution, neither of which the DOLFINx wheel has.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from ssefem.errors import CaseError
from ssefem.output.collective import on_each, on_rank0
from ssefem.output.results import atomic_write_text
from ssefem.studies.protocol import Position, ProtocolRunner
from ssefem.system import System

FORMAT = 1
PROGRESS = "progress.json"


#: tables a restart may change: where and how results are written, and the solver's settings
#: (a run that failed in the solver may be continued with a smaller dt_min, say)
MAY_CHANGE = ("output", "solver")


def case_fingerprint(case_data: dict) -> str:
    """What a restart must match: the case without the tables in :data:`MAY_CHANGE`."""
    data = {k: v for k, v in case_data.items() if k not in MAY_CHANGE}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


class Checkpointer:
    """``on_position`` of a :class:`ProtocolRunner`: checkpoints every ``every`` accepted steps
    (0: only at step ends) and at the end of every protocol step (collective)."""

    def __init__(self, directory: Path, system: System, runner: ProtocolRunner, series,
                 profiles, every: int, fingerprint: str):
        self.directory = Path(directory)
        self.system, self.runner = system, runner
        self.series, self.profiles = series, profiles
        self.every = every
        self.fingerprint = fingerprint
        self.comm = system.model.regions.comm
        self.k = 0
        self.rows_written = 0
        self.blocks_written = {name: 0 for name in profiles.blocks}
        self._last_step = runner.nsteps
        on_rank0(self.comm, lambda: self.directory.mkdir(parents=True, exist_ok=True))

    def __call__(self, position: Position) -> None:
        due = self.every and self.runner.nsteps - self._last_step >= self.every
        if position.at_boundary or due:
            self.write(position)

    def write(self, position: Position) -> None:
        k = self.k + 1
        rank = self.comm.rank
        state = {f"u:{n}": f.x.array for n, f in self.system.u.items()}
        state |= {f"u_n:{n}": f.x.array for n, f in self.system.u_n.items()}
        state |= {f"constant:{n}": np.asarray(c.value) for n, c in
                  self.system.ctx.constants.items()}
        path = self.directory / f"state.{k}.r{rank}.npz"

        def save_state() -> None:
            tmp = path.with_name(f".{path.name}.tmp.npz")
            np.savez(tmp, **state)
            os.replace(tmp, path)

        on_each(self.comm, save_state)  # a full disk on one rank stops every rank alike
        progress = {
            "format": FORMAT, "checkpoint": k, "fingerprint": self.fingerprint,
            "ranks": self.comm.size, "dofs": _sizes(self.system),
            "position": {"cycle": position.cycle, "index": position.index,
                         "t_end": position.t_end, "dt": position.dt, "prev": position.prev},
            "counters": self.runner.counters(),
            "rows": len(self.series.rows),
            "profile_blocks": sum(len(b) for b in self.profiles.blocks.values()),
        }
        blocks = self._new_blocks() if rank == 0 else []

        def append_and_commit() -> None:
            self._append("rows.jsonl", self.series.rows[self.rows_written:])
            self._append("profiles.jsonl", blocks)
            atomic_write_text(self.directory / PROGRESS, json.dumps(progress) + "\n")

        on_rank0(self.comm, append_and_commit)
        (self.directory / f"state.{self.k}.r{rank}.npz").unlink(missing_ok=True)
        self.k, self._last_step = k, self.runner.nsteps
        self.rows_written = len(self.series.rows)

    def _new_blocks(self) -> list[dict]:
        """The profile blocks recorded since the last checkpoint (rank 0 holds them)."""
        out = []
        for name, blocks in self.profiles.blocks.items():
            out += [{"name": name, "row": row, "time": t,
                     "values": {c: np.asarray(v).tolist() for c, v in values.items()}}
                    for row, t, values in blocks[self.blocks_written[name]:]]
            self.blocks_written[name] = len(blocks)
        return out

    def _append(self, name: str, items: list[dict]) -> None:
        with open(self.directory / name, "a") as fh:
            for item in items:
                fh.write(json.dumps(item) + "\n")


def find_restart(target: Path, fingerprint: str, comm) -> Path:
    """The newest run of ``target`` with a checkpoint of this case on this many ranks: the
    published results or a run set aside as interrupted, killed or failed (collective)."""
    from ssefem.output.marker import is_results_dir
    from ssefem.output.results import set_aside_dirs

    def newest() -> Path:
        found = []
        for d in [target] * is_results_dir(target) + set_aside_dirs(target):
            try:
                progress = json.loads((d / "checkpoint" / PROGRESS).read_text())
            except (OSError, ValueError):
                continue
            if progress.get("fingerprint") == fingerprint and progress.get("ranks") == comm.size:
                found.append((os.stat(d / "checkpoint" / PROGRESS).st_mtime, d))
        if not found:
            raise CaseError("--restart", f"no checkpoint of this case on {comm.size} rank(s) in "
                            f"{target} or the runs set aside next to it")
        return max(found)[1]

    return on_rank0(comm, newest)


def _sizes(system: System) -> dict[str, int]:
    return {n: V.dofmap.index_map.size_global * V.dofmap.index_map_bs
            for n, V in system.spaces.items()}


def _read_lines(path: Path, n: int) -> list[dict]:
    if n == 0:
        return []
    lines = path.read_text().splitlines()
    if len(lines) < n:
        raise CaseError("restart", f"{path} holds {len(lines)} entries, the checkpoint "
                        f"needs {n}")
    return [json.loads(line) for line in lines[:n]]


def load_checkpoint(directory: Path, system: System, runner: ProtocolRunner, series, profiles,
                    fingerprint: str) -> tuple[Position, dict]:
    """Load the state, rows, profiles and counters of the checkpoint in ``directory``; returns
    the position to resume from and the progress record (collective; bad or foreign
    checkpoints raise :class:`CaseError` on every rank)."""
    comm = system.model.regions.comm
    directory = Path(directory)
    progress, error = None, None
    if comm.rank == 0:
        try:
            progress = _check(directory, json.loads((directory / PROGRESS).read_text()),
                              fingerprint, comm.size, _sizes(system))
        except FileNotFoundError:
            error = f"no checkpoint in {directory}"
        except (OSError, ValueError, KeyError) as err:
            error = f"unreadable checkpoint in {directory}: {err}"
        except CaseError as err:
            error = err.message
    error = comm.bcast(error, root=0)  # the global sizes are alike on every rank
    if error is not None:
        raise CaseError("restart", error)
    progress = comm.bcast(progress, root=0)
    k = progress["checkpoint"]
    local = None
    try:
        with np.load(directory / f"state.{k}.r{comm.rank}.npz", allow_pickle=False) as data:
            local = {key: data[key] for key in data.files}
        for level, funcs in (("u", system.u), ("u_n", system.u_n)):
            for n, f in funcs.items():
                a = local[f"{level}:{n}"]
                if a.shape != f.x.array.shape:
                    raise ValueError(f"{n} has {a.size} values here, {f.x.array.size} there")
    except (OSError, KeyError, ValueError) as err:
        local = f"checkpoint {k} in {directory}: {err}"
    errors = [e for e in comm.allgather(local if isinstance(local, str) else None) if e]
    if errors:
        raise CaseError("restart", errors[0])
    for level, funcs in (("u", system.u), ("u_n", system.u_n)):
        for n, f in funcs.items():
            f.x.array[:] = local[f"{level}:{n}"]
    for key, value in local.items():
        if key.startswith("constant:"):
            system.ctx.constant(key.removeprefix("constant:"), float(value))
    if comm.rank == 0:
        series.rows = _read_lines(directory / "rows.jsonl", progress["rows"])
        for b in _read_lines(directory / "profiles.jsonl", progress["profile_blocks"]):
            values = {c: np.asarray(v) for c, v in b["values"].items()}
            profiles.blocks[b["name"]].append((b["row"], b["time"], values))
    series.rows = comm.bcast(series.rows if comm.rank == 0 else None, root=0)
    runner.load_counters(progress["counters"])
    return Position(**progress["position"]), progress


def _check(directory: Path, progress: dict, fingerprint: str, ranks: int,
           sizes: dict[str, int]) -> dict:
    if progress.get("format") != FORMAT:
        raise CaseError("restart", f"the checkpoint in {directory} has format "
                        f"{progress.get('format')!r}, this ssefem reads {FORMAT}")
    if progress["fingerprint"] != fingerprint:
        raise CaseError("restart", f"the checkpoint in {directory} belongs to another case "
                        "(only the [output] and [solver] tables may change for a restart)")
    if progress["ranks"] != ranks:
        raise CaseError("restart", f"the checkpoint in {directory} was written on "
                        f"{progress['ranks']} ranks; restart with mpiexec -n "
                        f"{progress['ranks']}")
    _check_sizes(sizes, progress["dofs"])
    return progress


def _check_sizes(sizes: dict[str, int], saved: dict[str, int]) -> None:
    if sizes != saved:
        raise CaseError("restart", "the checkpoint's fields differ from this model's (another "
                        "mesh or another version of ssefem)")
