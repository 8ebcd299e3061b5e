"""Expected ranges of physical quantities: leaving one is a named warning, not an error.

A physics component knows where its description holds: an insertion electrode's open-circuit
potential fit covers a stoichiometry window, a cell's terminal voltage belongs near the open-circuit
window of its electrodes. It publishes that as an :class:`Expectation`; a study checks every
accepted state against the model's expectations (it never asks which physics published them) and
reports each one left as a :class:`RunWarning` in the log and in ``summary.json``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class Expectation:
    """``low <= value <= high`` for an observable (SI units, as recorded) or for every value of a
    field (dimensionless, as solved).

    Attributes:
        name: warning code, unique in a model (``stoichiometry_window:cathode``).
        target: the observable's or field's name.
        low, high: the range.
        meaning: what leaving it means, said to the user (one sentence, no trailing period).
        on: ``"observable"`` (a recorded column) or ``"field"`` (the field's extreme values).
        unit: unit of the values in messages.
        severity: ``"warning"`` (the results are doubtful: logged as a warning, listed under
            ``warnings`` in ``summary.json``) or ``"note"`` (a known, usually benign departure
            such as a passivating interphase: logged as information, listed under ``notes``).
    """

    name: str
    target: str
    low: float
    high: float
    meaning: str
    on: Literal["observable", "field"] = "observable"
    unit: str = ""
    severity: Literal["warning", "note"] = "warning"

    def __post_init__(self):
        if not self.low <= self.high:
            raise ValueError(f"expectation {self.name!r}: low {self.low} exceeds high {self.high}")

    def excess(self, lo: float, hi: float) -> float | None:
        """The value furthest outside the range among ``lo`` .. ``hi`` (None: inside)."""
        if lo < self.low:
            return lo
        if hi > self.high:
            return hi
        return None


@dataclass
class RunWarning:
    """An expectation that a run left: when first, how often, and the worst value seen."""

    expectation: Expectation
    first_time: float
    worst: float
    count: int = 1
    steps: list[int] = field(default_factory=list, repr=False)

    def update(self, value: float) -> None:
        if self._beyond(value) > self._beyond(self.worst):
            self.worst = value
        self.count += 1

    def _beyond(self, value: float) -> float:
        """How far ``value`` lies outside the range (0 inside)."""
        e = self.expectation
        return max(e.low - value, value - e.high, 0.0)

    def message(self) -> str:
        e = self.expectation
        unit = f" {e.unit}" if e.unit else ""
        if math.isinf(e.low):
            where = f"above {e.high:.6g}{unit}"
        elif math.isinf(e.high):
            where = f"below {e.low:.6g}{unit}"
        else:
            where = f"outside [{e.low:.6g}, {e.high:.6g}]{unit}"
        return (f"{e.name}: {e.target} reached {self.worst:.6g}{unit}, {where} "
                f"(first at t = {self.first_time:.6g} s, {self.count} state(s)): {e.meaning}")

    def as_dict(self) -> dict:
        e = self.expectation
        return {"name": e.name, "severity": e.severity, "target": e.target,
                "range": [_json_number(e.low), _json_number(e.high)], "unit": e.unit,
                "worst": self.worst, "first_time_s": self.first_time, "states": self.count,
                "message": self.message()}


def _json_number(x: float) -> float | None:
    """``x`` for JSON: an open end of a range (+-inf) is null."""
    return x if math.isfinite(x) else None


@dataclass(frozen=True)
class Diagnosis:
    """A likely physical cause of a solver failure that a component recognises in the last
    accepted state, asked only when a solve has failed.

    Attributes:
        name: unique in a model (``depletion:electrolyte``).
        check: called with the system on every rank (collective); returns the cause, one
            sentence without a trailing period, or None when it does not apply.
    """

    name: str
    check: Callable[[Any], str | None]
