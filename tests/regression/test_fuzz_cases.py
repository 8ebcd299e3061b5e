"""Property-based fuzzing of case files (hypothesis): malformed variants of every shipped case.

Each generated case is one mutation of a case in ``cases/``: a value swapped for another type,
a string for a number, a boolean, NaN/inf, 1e+-300, a huge string, a deep nesting, a deleted or
unknown key, an absurd mesh size, or, on the TOML text, a duplicated key or broken syntax. It
goes through what ``ssefem validate`` runs (``load_case`` + ``prepare``), in-process: either the
case is valid (some mutations leave it so) or it raises one :class:`CaseError` whose line
``error: <key>: <problem>`` is one line under 300 characters naming a key of the case (or, for
the file itself, saying what is broken), with no other exception and nothing written. At least
300 malformed cases are refused per run. A handful of the same cases then go through the CLI
as subprocesses (exit 2, one line on stderr, no traceback, nothing written).
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssefem.case import load_case
from ssefem.errors import CaseError
from ssefem.validate import prepare

ROOT = Path(__file__).resolve().parents[2]
CASES = {p.stem: tomllib.loads(p.read_text()) for p in sorted((ROOT / "cases").glob("*.toml"))}
TOP = {"name", "description", "temperature", "geometry", "layers", "interfaces", "initial",
       "protocol", "solver", "mechanics", "output", "plugins"}
EXAMPLES = 360
REFUSED: list[str] = []  # the error lines of the refused cases (counted at the end)


# -- an independent TOML writer (inline values, one top-level key per line) ---------------------

def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, Deep):
        return "[" * v.depth + "]" * v.depth
    raise TypeError(type(v))


def to_toml(data: dict) -> str:
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in data.items())


class Deep:
    """A placeholder written as an array nested ``depth`` levels deep."""

    def __init__(self, depth: int):
        self.depth = depth


# -- mutations ----------------------------------------------------------------------------------

def paths(d, prefix=()) -> list[tuple]:
    """Every key path of a parsed case (tables, array items, values)."""
    out = []
    items = d.items() if isinstance(d, dict) else enumerate(d) if isinstance(d, list) else ()
    for k, v in items:
        out.append(prefix + (k,))
        out.extend(paths(v, prefix + (k,)))
    return out


def dotted(path: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def put(d, path: tuple, value) -> None:
    for p in path[:-1]:
        d = d[p]
    if value is DELETE:
        del d[path[-1]]
    else:
        d[path[-1]] = value


DELETE = object()
HUGE = "x" * 200_000
REPLACEMENTS = st.one_of(
    st.sampled_from([True, False, "2.0", "1", "", HUGE, "a\nb\"\\\x01\u00e9", float("nan"),
                     float("inf"), -float("inf"), 1e300, -1e300, 1e-300, -1.0, 0, 2**63 - 1,
                     [], [1.0, "x"], {}, {"a": 1}, DELETE]),
    st.builds(Deep, st.sampled_from([40, 5000])),
    st.text(max_size=20), st.integers(-10**6, 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
)
UNKNOWN = st.from_regex(r"[a-z][a-z_]{2,12}", fullmatch=True)


@st.composite
def malformed(draw):
    """(name, TOML text, the key path mutated or '' for the text itself)."""
    name = draw(st.sampled_from(sorted(CASES)))
    data = json.loads(json.dumps(CASES[name]))
    kind = draw(st.sampled_from(["replace"] * 6 + ["unknown", "mesh", "duplicate", "broken"]))
    where = ""
    if kind == "replace":
        path = draw(st.sampled_from(paths(data)))
        put(data, path, draw(REPLACEMENTS))
        where = dotted(path)
    elif kind == "unknown":
        tables = [()] + [p for p in paths(data) if isinstance(_get(data, p), dict)]
        table = draw(st.sampled_from(tables))
        key = draw(UNKNOWN)
        put(data, table + (key,), 1.0)
        where = dotted(table + (key,))
    elif kind == "mesh":
        data.setdefault("geometry", {}).update(
            dimension=3, lateral_cells=draw(st.sampled_from([2000, 10000])))
        for layer in data["layers"]:
            layer["cells"] = draw(st.sampled_from([20, 100000]))
        where = "geometry"
    text = to_toml(data)
    if kind == "duplicate":
        lines = text.splitlines(keepends=True)
        i = draw(st.integers(0, len(lines) - 1))
        text = "".join(lines[: i + 1] + [lines[i]] + lines[i + 1:])
        where = lines[i].split(" = ")[0].strip('"')
    elif kind == "broken":
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(st.sampled_from(['"', "[", "]", "=", "{", "\n=", "'''"])) + text[i:]
    return name, text, where, kind


def _get(d, path):
    for p in path:
        d = d[p]
    return d


def check_outcome(tmp: Path, text: str, where: str, kind: str) -> None:
    case_file = tmp / "case.toml"
    case_file.write_text(text)
    before = sorted(os.listdir(tmp))
    try:
        prepare(load_case(case_file))
    except CaseError as err:
        line = f"error: {err}"
        assert "\n" not in line and len(line) < 300, (kind, where, line[:400])
        assert "Traceback" not in line
        if kind == "duplicate":
            assert err.key == where and "duplicated key" in err.message, (where, line)
        elif not err.key:  # the file itself (a string TOML cannot hold is broken TOML)
            assert any(w in err.message for w in ("broken TOML", "nest", "UTF-8")), line
        else:
            top = re.split(r"[.\[]", err.key)[0]
            assert top in TOP or (kind == "unknown" and err.key == where), (kind, where, line)
        REFUSED.append(line)
    assert sorted(os.listdir(tmp)) == before  # nothing written


@settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(case=malformed())
def test_malformed_cases_give_one_line(case, tmp_path):
    _, text, where, kind = case
    check_outcome(tmp_path, text, where, kind)


def test_at_least_300_malformed_cases_were_refused():
    assert len(REFUSED) >= 300, len(REFUSED)
    assert len(set(REFUSED)) > 100  # varied, not one error over and over


# -- the CLI itself, on a few ---------------------------------------------------------------------

def _default() -> dict:
    return json.loads(json.dumps(CASES["default"]))


def _with(path: tuple, value) -> str:
    d = _default()
    put(d, path, value)
    return to_toml(d)


CLI_CASES = [
    ("bool_thickness", _with(("layers", 0, "thickness"), True), "layers[0].thickness"),
    ("string_cells", _with(("layers", 1, "cells"), "4"), "layers[1].cells"),
    ("huge_string", _with(("layers", 2, "material"), "L" * 1_000_000), "layers[2].material"),
    ("deep_array", _with(("solver", "rtol"), Deep(5000)), "solver"),
    ("duplicated", to_toml(_default()) + "temperature = 300.0\n", "temperature"),
    ("mesh_bomb", _with(("geometry",), {"dimension": 3, "lateral_cells": 10000}),
     "geometry.lateral_cells"),
]


@pytest.mark.parametrize("name, text, key", CLI_CASES, ids=[c[0] for c in CLI_CASES])
def test_cli_refuses_in_one_line(tmp_path, name, text, key):
    (tmp_path / "case.toml").write_text(text)
    cmd = "run" if name in ("bool_thickness", "mesh_bomb") else "validate"
    args = [cmd, "case.toml"] + (["-o", "out"] if cmd == "run" else [])
    proc = subprocess.run([sys.executable, "-m", "ssefem.cli", *args], cwd=tmp_path,
                          check=False, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and len(lines[0]) < 300, proc.stderr[-2000:]
    assert lines[0].startswith(f"error: {key}: " if key else "error: "), lines[0]
    assert proc.stdout == ""
    assert sorted(os.listdir(tmp_path)) == ["case.toml"]
