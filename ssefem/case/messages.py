"""Schema errors as one short line naming the key: ``<key path>: <problem> (got <value>)``.

pydantic's own messages name its classes ("instance of Layer", "union[...]", "model_type") and
echo whole inputs (a megabyte string, a whole table). Here every message is rewritten in the
case file's terms, echoes at most :data:`ECHO` characters of a value, suggests the close match
of a misspelt key, and is cut to :data:`LINE` characters.
"""

from __future__ import annotations

import difflib
import re
import types
import typing

from pydantic import BaseModel, ValidationError

from ssefem.case.hints import temperature_hint
from ssefem.case.steps import TAG, step_model
from ssefem.errors import CaseError

#: most characters of an offending value echoed in a message
ECHO = 80
#: most characters of a whole message (key path and problem)
LINE = 280
#: most characters of one key-path part
KEY_PART = 40

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")
_LONG_TOKEN = re.compile(rf"\S{{{ECHO + 1},}}")


def clip(text: str, limit: int = ECHO) -> str:
    """``text`` cut to ``limit`` characters, with '...' where it was cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def one_line(text: str) -> str:
    """Control characters escaped, tokens longer than :data:`ECHO` clipped."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    return _LONG_TOKEN.sub(lambda m: clip(m.group()), text)


def shorten(err: CaseError) -> CaseError:
    """The error as one line of at most :data:`LINE` characters (key and message)."""
    key = ".".join(clip(one_line(p), KEY_PART) for p in err.key.split(".")) if err.key else ""
    message = one_line(err.message)
    message = clip(message, max(40, LINE - len(key) - 2))
    if key == err.key and message == err.message:
        return err
    return CaseError(key, message)


def describe(value: object) -> str:
    """A value as the case file shows it, clipped: ``'abc'``, ``2.5``, ``true``, ``a table``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return clip(repr(value))
    if isinstance(value, str):
        return clip(repr(value))
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    return "a value of another type"


def key_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and not _is_schema_tag(part):
            out += f".{part}" if out else part
    return out


def _is_schema_tag(part: str) -> bool:
    """pydantic's own location parts: validator and union-member tags, not case keys."""
    return part.startswith(("function-", "literal[", "union[", "list[", "dict[", "tagged-union[",
                            TAG))


def _model_at(root: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model class whose field ``loc`` names (for the suggestions of an unknown key)."""
    current: object = root
    for part in loc:
        if isinstance(part, str) and part.startswith(TAG):  # the protocol step's kind
            current = step_model(part)
            continue
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            if not isinstance(part, str) or part not in current.model_fields:
                return None
            current = current.model_fields[part].annotation
        elif typing.get_origin(current) is list and isinstance(part, int):
            current = typing.get_args(current)[0]
        elif typing.get_origin(current) is dict and isinstance(part, str):
            current = typing.get_args(current)[1]
        else:
            return None
    current = _unwrap(current)
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrap(tp: object) -> object:
    """``X | None`` -> ``X``; a union holding one model -> that model."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        models = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:
            return models[0]
        return args[0] if len(args) == 1 else tp
    return tp


def _unknown_key(root: type[BaseModel], e: dict, missing: list[str]) -> str:
    name = str(e["loc"][-1])
    model = _model_at(root, e["loc"][:-1])
    fields = list(model.model_fields) if model is not None else []
    close = (difflib.get_close_matches(name, missing, n=1, cutoff=0.6)
             or difflib.get_close_matches(name, fields, n=1, cutoff=0.6))
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key {describe(name)}{hint}"


def _message(root: type[BaseModel], e: dict, errors: list[dict]) -> CaseError:
    key = key_path(e["loc"])
    cause = e.get("ctx", {}).get("error")
    if isinstance(cause, CaseError):
        return CaseError(".".join(filter(None, [key, cause.key])) if cause.key else key,
                         cause.message)
    kind = e["type"]
    got = e.get("input")
    ctx = e.get("ctx", {})
    if kind == "extra_forbidden":
        parent = e["loc"][:-1]
        missing = [x["loc"][-1] for x in errors
                   if x["type"] == "missing" and x["loc"][:-1] == parent]
        return CaseError(key, _unknown_key(root, e, missing))
    if kind == "missing":
        return CaseError(key, "missing required key")
    if kind in ("too_short", "too_long") and "actual_length" in ctx:
        bound = "at least" if kind == "too_short" else "at most"
        n = ctx.get("min_length" if kind == "too_short" else "max_length")
        return CaseError(key, f"needs {bound} {n} entries, got {ctx['actual_length']}")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return CaseError(key, f"Input should be a valid dictionary (a TOML table), got "
                         f"{describe(got)}")
    msg = e["msg"].removeprefix("Value error, ")
    msg = re.sub(r" or instance of \w+", "", msg)
    msg = msg.replace(" after validation", "")
    msg = f"{msg} (got {describe(got)})" if "input" in e else msg
    if key == "temperature" and isinstance(got, (int, float)) and not isinstance(got, bool):
        msg += temperature_hint(float(got))
    return CaseError(key, msg)


def from_validation_error(root: type[BaseModel], err: ValidationError) -> CaseError:
    """The one error to report: an unknown key first (a misspelt key also makes the correct
    one missing), else pydantic's first."""
    errors = err.errors()
    chosen = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    return shorten(_message(root, chosen, errors))
