"""Expected ranges of physical quantities: leaving one is a named warning, not an error.

A physics component knows where its description holds: an insertion electrode's open-circuit
potential fit covers a stoichiometry window, a cell's terminal voltage belongs near the open-circuit
window of its electrodes. It publishes that as an :class:`Expectation`; a study checks every
accepted state against the model's expectations (it never asks which physics published them) and
reports each one left as a :class:`RunWarning` in the log and in ``summary.json``.
"""

from __future__ import annotations

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
    """

    name: str
    target: str
    low: float
    high: float
    meaning: str
    on: Literal["observable", "field"] = "observable"
    unit: str = ""

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
        e = self.expectation
        centre = 0.5 * (e.low + e.high)
        if abs(value - centre) > abs(self.worst - centre):
            self.worst = value
        self.count += 1

    def message(self) -> str:
        e = self.expectation
        unit = f" {e.unit}" if e.unit else ""
        return (f"{e.name}: {e.target} reached {self.worst:.6g}{unit}, outside "
                f"[{e.low:.6g}, {e.high:.6g}]{unit} (first at t = {self.first_time:.6g} s, "
                f"{self.count} state(s)): {e.meaning}")

    def as_dict(self) -> dict:
        e = self.expectation
        return {"name": e.name, "target": e.target, "range": [e.low, e.high], "unit": e.unit,
                "worst": self.worst, "first_time_s": self.first_time, "states": self.count,
                "message": self.message()}


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
