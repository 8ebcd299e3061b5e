"""solve_with_continuation on a stand-in system (no DOLFINx): a failed solve at the parameter's
present value has nothing to ramp and must raise, not return the restored state as converged
(found with the galvanostatic binary-salt test, bench/probes/npp_jacobian_probe.py: a repeated
backward-Euler step that stopped at max_it was reported as a converged point)."""

from __future__ import annotations

import numpy as np
import pytest

from ssefem.errors import ConvergenceFailure
from ssefem.studies.continuation import solve_with_continuation


class _Constant:
    def __init__(self, value):
        self.value = value


class _Ctx:
    def __init__(self):
        self.c = _Constant(1.0)

    def constant(self, name):
        return self.c


class _System:
    """Converges only for parameter values <= ``limit``; each solve moves the state."""

    def __init__(self, limit):
        self.ctx = _Ctx()
        self.limit = limit
        self.u = np.zeros(3)
        self.solves = []

    def snapshot(self):
        return {"u": self.u.copy()}

    def load(self, state):
        self.u[:] = state["u"]

    def solve(self, control, transient):
        value = float(self.ctx.c.value)
        self.solves.append(value)
        self.u += 1.0  # a solve changes the state, converged or not
        if value > self.limit:
            raise ConvergenceFailure(-5, 40)
        return 3


def test_failed_solve_at_the_present_value_raises():
    system = _System(limit=0.0)  # every solve fails
    with pytest.raises(ConvergenceFailure) as info:
        solve_with_continuation(system, "current", True, "p", 1.0)  # start = target = 1
    assert info.value.reason == -5 and info.value.iterations == 40
    assert system.solves == [1.0]
    np.testing.assert_array_equal(system.u, 0.0)  # the state before the solve
    assert system.ctx.c.value == 1.0


def test_ramp_still_works():
    system = _System(limit=2.5)
    res = solve_with_continuation(system, "current", True, "p", 2.0)
    assert (res.points, res.cutbacks) == (1, 0)
    system.ctx.c.value = 1.0
    with pytest.raises(ConvergenceFailure):
        solve_with_continuation(system, "current", True, "p", 4.0)  # beyond the limit
    assert system.ctx.c.value <= 2.5
