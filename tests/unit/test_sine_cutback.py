"""The time-domain impedance's cut-back: a step whose Newton solve fails is split into 4
sub-steps (each its own voltage), again where those fail, and a named SolverError after
MAX_CUTS levels. A stand-in system that fails above a step size shows it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ssefem.errors import ConvergenceFailure, SolverError
from ssefem.studies import sine


class _Value:
    value = 0.0


class _System:
    def __init__(self, largest_step: float):
        self.largest_step = largest_step
        self.dt, self.voltage = _Value(), _Value()
        self.model = SimpleNamespace(scales=SimpleNamespace(time=2.0))
        self.ctx = SimpleNamespace(constant=lambda name: self.voltage)
        self.solved = []  # (dt in s, voltage) of each converged solve

    def solve(self, control, transient):
        if self.dt.value * 2.0 > self.largest_step:
            raise ConvergenceFailure(-6, 3)
        self.solved.append((self.dt.value * 2.0, self.voltage.value))
        return 2

    def restore(self):
        pass

    def commit(self):
        pass


def _runner(largest_step: float):
    return SimpleNamespace(system=_System(largest_step), newton_total=0, cutbacks=0,
                           time=5.0, monitor=SimpleNamespace(explain=lambda m: m))


def test_a_failed_step_is_taken_in_sub_steps_at_their_own_voltages():
    r = _runner(largest_step=0.3)
    sine._advance(r, 1.0, 2.0, lambda t: 10 * t)
    # 1 s fails, 0.25 s converges: four sub-steps ending at 1.25, 1.5, 1.75, 2 s
    assert [round(dt, 12) for dt, _ in r.system.solved] == [0.25] * 4
    assert [v for _, v in r.system.solved] == pytest.approx([12.5, 15.0, 17.5, 20.0])
    assert r.cutbacks == 1 and r.newton_total == 8


def test_a_step_that_fails_at_every_level_raises_a_named_error():
    r = _runner(largest_step=1e-6)
    with pytest.raises(SolverError, match="time-domain impedance step .* 3 cut-backs"):
        sine._advance(r, 0.0, 1.0, lambda t: 0.0)
    assert r.system.solved == []
