"""Tables that a physics derives from whole-case sub-runs, computed before its model is built.

Some cell-scale laws come from resolved sub-problems: the contact law of a rough interface from
one period of the roughness polarised over a grid of stack pressures. A physics describes such a
table as a :class:`Tabulation` (what it depends on, and how to reduce the sub-runs' time series to
the table); the runner computes the tabulations a case needs as pre-steps, before it builds the
model (:func:`ssefem.runner.tabulate`), and the physics then reads the table with :func:`table`.
The physics thus never runs a case itself (no import of the application from the physics), and
every table is cached on disk (:mod:`ssefem.table_cache`), keyed by its inputs and a digest of
the code that builds it, and kept in this process once read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ssefem.table_cache import cache_dir, table_key

#: ``run_case(case as a dict) -> rows of its time series``: what a tabulation's ``compute`` is
#: given to run its sub-cases (serially, without writing results)
RunCase = Callable[[dict], list[dict]]


@dataclass(frozen=True)
class Tabulation:
    """A table from sub-runs.

    Attributes:
        kind: the cache's subdirectory (``contact_law``).
        inputs: JSON-ready description of everything the table depends on (its sub-cases).
        compute: ``run_case -> table`` (JSON-ready), running the sub-cases with ``run_case``.
        packages: the packages whose source is hashed into the key.
    """

    kind: str
    inputs: dict
    compute: Callable[[RunCase], dict] = field(compare=False)
    packages: tuple[str, ...] = ("ssefem",)

    @property
    def key(self) -> str:
        return table_key(self.inputs, self.packages)

    @property
    def path(self) -> Path:
        return cache_dir(self.kind) / f"{self.key}.json"


_memo: dict[tuple[str, str], dict] = {}


def cached(t: Tabulation) -> dict | None:
    """The table if this process has it or the disk cache holds it (a file that cannot be read
    counts as absent)."""
    if (t.kind, t.key) in _memo:
        return _memo[t.kind, t.key]
    try:
        data = json.loads(t.path.read_text())
    except (OSError, ValueError):
        return None
    _memo[t.kind, t.key] = data
    return data


def remember(t: Tabulation, data: dict, write: bool) -> None:
    """Keep a computed table in this process and, with ``write``, in the disk cache (written
    atomically: a concurrent reader sees the old file or the new, never a part)."""
    _memo[t.kind, t.key] = data
    if write:
        path = t.path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data))
        os.replace(tmp, path)


def table(t: Tabulation) -> dict:
    """The table of a tabulation the runner computed (or the cache holds)."""
    data = cached(t)
    if data is None:
        raise LookupError(f"the {t.kind} table was not computed before the model was built: "
                          "run the case through ssefem.runner (which computes the tabulations "
                          "that the components' and plugins' tabulations hooks give first) or call "
                          "ssefem.runner.tabulate")
    return data
