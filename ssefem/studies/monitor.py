"""Watch a run's accepted states against the model's expectations, and explain failures.

The monitor knows no physics: it reads :class:`~ssefem.expectations.Expectation` entries and the
fields' ``bounds`` from the model. A range left becomes a :class:`RunWarning` (logged once, then
counted); when a step fails for good, :meth:`Monitor.likely_causes` names what the last accepted
state was close to (an electrode nearly full or empty) and which expectations it had left.
"""

from __future__ import annotations

import logging
import math

from ssefem.expectations import RunWarning
from ssefem.system import System

log = logging.getLogger(__name__)

#: a bounded field within this fraction of its range from a bound counts as at the bound
NEAR_BOUND = 0.02


class Monitor:
    def __init__(self, system: System):
        self.system = system
        self.warnings: dict[str, RunWarning] = {}

    def check(self, row: dict) -> None:
        """Check one accepted state (its recorded row; the fields hold that state)."""
        for e in self.system.model.expectations:
            if e.on == "observable":
                v = row.get(e.target)
                if not isinstance(v, float | int) or not math.isfinite(v):
                    continue
                lo = hi = float(v)
            elif e.target in self.system.u:
                lo, hi = self.system.field_range(e.target)
            else:
                continue
            bad = e.excess(lo, hi)
            if bad is None:
                continue
            w = self.warnings.get(e.name)
            if w is None:
                w = self.warnings[e.name] = RunWarning(e, float(row.get("time", 0.0)), bad)
                log.log(logging.WARNING if e.severity == "warning" else logging.INFO,
                        "%s%s", "" if e.severity == "warning" else "note: ", w.message())
            else:
                w.update(bad)

    def likely_causes(self) -> list[str]:
        """What the last accepted state says about a failure: bounded fields at a bound, and
        the expectations the run has left."""
        out = []
        for n, f in self.system.model.fields.items():
            if f.bounds is None or f.bound_meaning is None or n not in self.system.u_n:
                continue
            lo, hi = self.system.field_range(n, previous=True)
            tol = NEAR_BOUND * (f.bounds[1] - f.bounds[0])
            if lo - f.bounds[0] < tol:
                out.append(f"{f.bound_meaning[0]} ({n} down to {lo:.4g})")
            if f.bounds[1] - hi < tol:
                out.append(f"{f.bound_meaning[1]} ({n} up to {hi:.4g})")
        out += [w.expectation.meaning for w in self.warnings.values()
                if w.expectation.severity == "warning"]
        out += [c for d in self.system.model.diagnoses if (c := d.check(self.system))]
        return out

    def explain(self, message: str) -> str:
        """A failure message with its likely physical cause appended, where one is known."""
        causes = self.likely_causes()
        return f"{message}; likely cause: {'; '.join(causes)}" if causes else message

    def summary(self, severity: str | None = "warning") -> list[dict]:
        """The expectations left, of one severity (``None``: all, for a checkpoint)."""
        return [w.as_dict() for w in self.warnings.values()
                if severity is None or w.expectation.severity == severity]

    def load(self, summary: list[dict]) -> None:
        """Take back what :meth:`summary` gave (a resumed run)."""
        known = {e.name: e for e in self.system.model.expectations}
        self.warnings = {
            d["name"]: RunWarning(known[d["name"]], d["first_time_s"], d["worst"], d["states"])
            for d in summary if d["name"] in known}
