"""Newton with continuation in a control parameter (applied voltage, current, surface potential).

A plain solve at the target value is tried first. When it fails, the parameter is ramped from
its last converged value: each converged point is kept, a failed one is retried with half the
increment, a converged one lets the increment grow. Space-charge problems with surface
potentials of many RT/F need this: Newton from a flat start does not converge there.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ssefem.errors import ConvergenceFailure
from ssefem.system import System

log = logging.getLogger(__name__)


@dataclass
class ContinuationResult:
    iterations: int  # Newton iterations, all attempts included
    points: int  # converged solves (1: the plain solve worked)
    cutbacks: int  # failed attempts


def solve_with_continuation(system: System, control: str, transient: bool, parameter: str,
                            target: float, *, min_fraction: float = 1.0 / 4096,
                            growth: float = 2.0) -> ContinuationResult:
    """Solve with the named constant ``parameter`` (dimensionless) set to ``target``.

    Raises :class:`ConvergenceFailure` (with the state at the last converged value) when the
    increment falls below ``min_fraction`` of the whole ramp.
    """
    c = system.ctx.constant(parameter)
    start = float(c.value)
    saved = system.snapshot()
    c.value = target
    try:
        return ContinuationResult(system.solve(control, transient), 1, 0)
    except ConvergenceFailure as err:
        log.debug("plain solve at %s = %g failed (%s): continuation", parameter, target, err)
        last = err
    its, points, cuts = last.iterations, 0, 1
    system.load(saved)
    if start == target:  # nothing to ramp: the failed solve is the answer
        c.value = target
        raise ConvergenceFailure(last.reason, its, f"solve at {parameter} = {target:.6g} "
                                 f"failed (already the last value, nothing to ramp): {last}")
    value, step = start, (target - start) / 2.0
    span = abs(target - start)
    while value != target:
        trial = value + step
        if (trial - target) * (target - start) >= 0:  # at or past the target
            trial = target
        c.value = trial
        try:
            its += system.solve(control, transient)
        except ConvergenceFailure as err:
            system.load(saved)
            cuts += 1
            step /= 2.0
            last = err
            if abs(step) < min_fraction * span:
                c.value = value
                raise ConvergenceFailure(
                    last.reason, its, f"continuation in {parameter} stalled at {value:.6g} "
                    f"(target {target:.6g}): {last}") from None
            continue
        saved, value, points = system.snapshot(), trial, points + 1
        step *= growth
    return ContinuationResult(its, points, cuts)
