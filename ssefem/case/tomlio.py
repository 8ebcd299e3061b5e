"""Reading case files (untrusted text) and writing resolved cases back as TOML.

A case file is data from anywhere: it is read whole (up to :data:`MAX_BYTES`), parsed with
``tomllib``, its nesting limited to :data:`MAX_DEPTH` before validation, and every failure
becomes one :class:`~ssefem.errors.CaseError` line naming the key (a duplicated key by its
path and line). :func:`dump_toml` writes what :func:`load_case` reads back unchanged.
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ssefem.case.messages import clip, from_validation_error, one_line, shorten
from ssefem.case.schema import Case
from ssefem.errors import CaseError

#: largest case file read (bytes)
MAX_BYTES = 16 * 2**20
#: deepest nesting of tables and arrays accepted
MAX_DEPTH = 16

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")


def case_from_dict(data: dict) -> Case:
    """Validate a case given as a dict; raise :class:`CaseError` naming the key path."""
    if not isinstance(data, dict):
        raise CaseError("", "a case is a table of keys")
    check_depth(data)
    try:
        return Case.model_validate(_plain(data))
    except ValidationError as err:
        raise from_validation_error(Case, err) from None
    except CaseError as err:  # raised outside pydantic's wrapping (assignment checks)
        raise shorten(err) from None
    except RecursionError:
        raise CaseError("", f"nesting deeper than {MAX_DEPTH} levels") from None


def _plain(value: Any) -> Any:
    """NumPy scalars as Python numbers and tuples as lists (a case built in Python may hold
    them; strict types would refuse an ``np.int64`` count), everything else as it is."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        item = value.item()
        return item if isinstance(item, (bool, int, float, str)) else value
    return value


def check_depth(data: Any, limit: int = MAX_DEPTH) -> None:
    """Refuse tables and arrays nested deeper than ``limit`` (walked without recursion)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, key, depth = stack.pop()
        if depth > limit:
            raise CaseError(clip(key, 120), f"nested deeper than {limit} levels")
        if isinstance(value, dict):
            stack.extend((v, f"{key}.{k}" if key else str(k), depth + 1) for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((v, f"{key}[{i}]", depth + 1) for i, v in enumerate(value))


def load_case(path: str | Path) -> Case:
    """Read and validate a TOML case file (schema only; see ``ssefem.validate`` for physics)."""
    path = Path(path)
    shown = clip(str(path))
    if not path.is_file():
        raise CaseError("", f"case file {shown!r} not found")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise CaseError("", f"case file {shown!r} is {size / 2**20:.1f} MiB, more than a "
                            f"case needs ({MAX_BYTES // 2**20} MiB at most)")
        raw = path.read_bytes()[: MAX_BYTES + 1]
    except OSError as err:
        raise CaseError("", f"case file {shown!r} cannot be read: {err.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise CaseError("", f"{clip(path.name)}: not UTF-8 text (byte {err.start})") from None
    data = parse_toml(text, clip(path.name))
    case = case_from_dict(data)
    mesh_file = case.geometry.mesh_file
    if mesh_file is not None and not Path(mesh_file).is_absolute():
        case.geometry.mesh_file = os.path.abspath(path.parent / mesh_file)  # relative to the case
    return case


def parse_toml(text: str, name: str = "case.toml") -> dict:
    """``tomllib.loads`` with its failures as one line: a duplicated key named by its path."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        msg = str(err)
        m = _LINE.search(msg)
        if m and ("overwrite" in msg or "twice" in msg or "Duplicate" in msg):
            key = _key_at(text, int(m.group(1)), msg)
            if key:
                raise CaseError(key, f"duplicated key (broken TOML: {name} line "
                                f"{m.group(1)})") from None
        raise shorten(CaseError("", f"{name}: broken TOML: {one_line(msg)}")) from None
    except RecursionError:
        lineno = _deep_value_line(text)
        key = _key_at(text, lineno) if lineno else None
        raise CaseError(key or "", f"arrays or tables nested deeper than {MAX_DEPTH} levels "
                        f"({name} line {lineno or '?'})") from None


def _deep_value_line(text: str) -> int | None:
    """The line (1-based) where the value nested deeper than :data:`MAX_DEPTH` starts: a scan
    of brackets outside strings and comments (tomllib itself fails there by recursion)."""
    depth, start, quote = 0, None, None
    for lineno, line in enumerate(text.splitlines(), start=1):
        i = 0
        if depth == 0 and quote is None and line.lstrip().startswith("["):
            continue  # a table header
        while i < len(line):
            ch = line[i]
            if quote is not None:
                if ch == "\\" and quote == '"':
                    i += 1
                elif ch == quote:
                    quote = None
            elif ch in "\"'":
                quote = ch
            elif ch == "#":
                break
            elif ch in "[{":
                if depth == 0:
                    start = lineno
                depth += 1
                if depth > MAX_DEPTH:
                    return start
            elif ch in "]}":
                depth = max(0, depth - 1)
            i += 1
        if quote == "'" or quote == '"':
            quote = None  # TOML basic and literal strings end on their line
    return None


def _key_at(text: str, lineno: int, msg: str = "") -> str | None:
    """The key path defined on line ``lineno`` (1-based) of a TOML text, from the table
    headers above it (arrays of tables indexed by how often their header came)."""
    lines = text.splitlines()
    if not 1 <= lineno <= len(lines):
        return None
    table, counts = "", {}
    for line in lines[: lineno - 1]:
        m = _HEADER.match(line)
        if m:
            name = _dotted(m.group(2))
            if m.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
            table = _indexed(name, counts)
    line = lines[lineno - 1]
    m = _HEADER.match(line)
    if m:
        return _indexed(_dotted(m.group(2)), counts)
    m = re.match(r"^\s*([^=]+?)\s*=", line)
    if not m:
        return None
    key = _dotted(m.group(1))
    inline = re.search(r"Duplicate inline table key '([^']*)'", msg)
    if inline:
        key = f"{key}.{inline.group(1)}"
    return f"{table}.{key}" if table else key


def _dotted(key: str) -> str:
    parts = [p.strip().strip("\"'") for p in re.split(r"\.(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)",
                                                         key)]
    return ".".join(parts)


def _indexed(name: str, counts: dict[str, int]) -> str:
    """``protocol.steps`` -> ``protocol.steps[2]`` after three ``[[protocol.steps]]``."""
    parts = name.split(".")
    out = []
    for i in range(len(parts)):
        prefix = ".".join(parts[: i + 1])
        out.append(parts[i] + (f"[{counts[prefix]}]" if prefix in counts else ""))
    return ".".join(out)


# -- writing -----------------------------------------------------------------------------------

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f",
            "\r": "\\r"}


def _string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(k: str) -> str:
    return k if _BARE_KEY.fullmatch(k) else _string(k)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()
                               if x is not None) + "}"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dump_toml(data: dict) -> str:
    """Write a plain dict (of str, numbers, bools, lists, dicts) as TOML; ``None`` values are
    left out. ``tomllib.loads(dump_toml(d))`` gives ``d`` back (without its ``None`` values)."""
    lines: list[str] = []

    def table(path: list[str], d: dict, header: str | None) -> None:
        scalars = {k: v for k, v in d.items() if v is not None and not isinstance(v, dict)
                   and not _is_table_array(v)}
        if header is not None:
            lines.append(f"\n{header}")
        for k, v in scalars.items():
            lines.append(f"{_key(k)} = {_value(v)}")
        for k, v in d.items():
            sub = [*path, _key(k)]
            if isinstance(v, dict):
                table(sub, v, f"[{'.'.join(sub)}]")
            elif _is_table_array(v):
                for item in v:
                    table(sub, item, f"[[{'.'.join(sub)}]]")

    table([], data, None)
    return "\n".join(lines).lstrip() + "\n"
