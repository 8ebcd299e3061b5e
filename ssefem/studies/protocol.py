"""Run a case's protocol on a :class:`System`: adaptive backward-Euler steps with cut-back.

Sign convention: current densities are positive on discharge. Each accepted step (and each
steady point) becomes one row of the time series handed to ``record``.

The protocol steps the cell's own observables (voltage, current); everything else it asks the
model for (:mod:`ssefem.controls`): the components' step limiters bound the time steps, their
sweep parameters are what a steady step can sweep, and :data:`~ssefem.controls.EQUILIBRATE`
says who needs the open-circuit state first. It imports no physics beyond the terminals.
"""

from __future__ import annotations

import dataclasses
import logging
import math
from dataclasses import dataclass
from typing import Callable

from ssefem.case import Case, Step
from ssefem.case.steps import StepBase, StudyStep
from ssefem.cell_state import CAPACITY
from ssefem.controls import EQUILIBRATE, SweepParameter
from ssefem.errors import ConvergenceFailure, SolverError
from ssefem.physics.electrochemistry.terminals import APPLIED_CURRENT, APPLIED_VOLTAGE
from ssefem.studies.continuation import solve_with_continuation
from ssefem.studies.monitor import Monitor
from ssefem.studies.registry import resolve
from ssefem.studies.study import StepResult, Study
from ssefem.system import System
from ssefem.terms import EQUILIBRATION

log = logging.getLogger(__name__)

_MAX_EVENT_ITERATIONS = 30


@dataclass
class Position:
    """Where a protocol stands after an accepted state: the step (``index`` may equal the
    number of steps: the cycle is done), and inside a time-stepped step its end time, its next
    trial step length and its last accepted observations (all None at a step boundary). A
    run resumed from a position repeats exactly what the uninterrupted run did after it."""

    cycle: int
    index: int
    t_end: float | None = None
    dt: float | None = None
    prev: dict | None = None

    @property
    def at_boundary(self) -> bool:
        return self.t_end is None


class ProtocolRunner:
    """Drive a protocol; ``record(row)`` gets every accepted state, ``on_step()`` after each,
    ``on_position(position)`` the protocol's position after each (to checkpoint it)."""

    def __init__(self, system: System, case: Case, record: Callable[[dict], None],
                 on_step: Callable[[int, float], None] | None = None,
                 progress: Callable[[float], None] | None = None,
                 on_position: Callable[[Position], None] | None = None,
                 studies: dict[str, Study] | None = None):
        self.system = system
        self.studies = dict(studies or {})
        #: tables that studies add (name -> rows), written as <name>.csv with the results
        self.tables: dict[str, list[dict]] = {}
        self.case = case
        self.opts = case.solver
        self.record = record
        self.on_step = on_step or (lambda n, t: None)
        self.progress = progress or (lambda t: None)
        self.on_position = on_position or (lambda p: None)
        self._resume: Position | None = None
        sc = system.model.scales
        self.i_ref, self.v_ref, self.t_ref = sc.current, sc.potential, sc.time
        self.time = 0.0
        self.charge = 0.0  # C/m^2 passed, discharge positive
        self.nsteps = 0
        self.newton_total = 0
        self.cutbacks = 0
        self.results: list[StepResult] = []
        self.capacity = system.model.state.find(CAPACITY)
        self.limiters = list(system.model.step_limiters)
        self.monitor = Monitor(system)

    # -- controls ----------------------------------------------------------------------------------
    def _current_of(self, step: Step) -> float:
        if step.current is not None:
            mag = step.current
        else:
            if not self.capacity:
                raise ValueError("a C-rate needs an insertion electrode's capacity")
            mag = step.c_rate * self.capacity / 3600.0
        return mag if step.kind == "discharge" else -mag

    def _set_current(self, i: float) -> None:
        self.system.ctx.constant(APPLIED_CURRENT).value = i / self.i_ref

    def _set_voltage(self, v: float) -> None:
        self.system.ctx.constant(APPLIED_VOLTAGE).value = v / self.v_ref

    # -- one solve ------------------------------------------------------------------------------
    def _solve(self, control: str, transient: bool, dt: float | None = None) -> dict:
        if dt is not None:
            self.system.dt.value = dt / self.t_ref
        its = self.system.solve(control, transient)
        self.newton_total += its
        return self.system.observe()

    def _row(self, obs: dict, step: Step, index: int, cycle: int, current: float) -> dict:
        return {"time": self.time, "cycle": cycle, "step": index, "kind": step.kind,
                "charge": self.charge, **obs, "current": current}

    # -- steps ----------------------------------------------------------------------------------
    def equilibrate(self) -> None:
        """Open-circuit equilibrium before the first step, where the model asks for one: a steady
        solve at zero current becomes the initial state.

        - :data:`~ssefem.terms.EQUILIBRATION`: continued in the homotopy from 0 (the initial
          fields) to 1;
        - :data:`~ssefem.controls.EQUILIBRATE` published, as creep does: the elastic response
          to the stack pressure (the creep strain held at 0), from which creep starts. Without
          it the first time step loads the metal and relaxes it at once, Newton starting from
          the penetration stresses of the initial contact guess (GPa), where its iterates come
          down the power law by a factor of only 1 - 1/n each: rough Li on LLZO at 5 MPa then
          failed (30 iterations) at every step length from 1 s down to dt_min.
        """
        ctx = self.system.ctx
        if EQUILIBRATION not in ctx.constants and not self.system.model.state.find(EQUILIBRATE):
            return
        self._set_current(0.0)
        try:
            if EQUILIBRATION in ctx.constants:
                ctx.constant(EQUILIBRATION).value = 0.0
                res = solve_with_continuation(self.system, "current", False, EQUILIBRATION, 1.0)
                self.newton_total += res.iterations
                self.cutbacks += res.cutbacks
            else:
                self.newton_total += self.system.solve("current", False)
        except ConvergenceFailure as err:
            raise SolverError(self.monitor.explain(f"initial equilibration failed: {err}"),
                              err.reason, 0.0) from None
        self.system.commit()

    def run(self, start: Position | None = None) -> list[StepResult]:
        """Run the protocol (call :meth:`equilibrate` first), or the rest of it from ``start``
        (with the state and counters of that position loaded: :meth:`load_counters`)."""
        steps = self.case.protocol.steps
        for cycle in range(start.cycle if start else 0, self.case.protocol.repeat):
            for index, step in enumerate(steps):
                if start is not None and (cycle, index) < (start.cycle, start.index):
                    continue
                here = start is not None and (cycle, index) == (start.cycle, start.index)
                self._resume = start if here and not start.at_boundary else None
                if isinstance(step, StudyStep):
                    self.results.append(self._study(step, index, cycle))
                else:
                    self.results.append(getattr(self, f"_{step.kind}")(step, index, cycle))
                self.on_position(Position(cycle, index + 1))
        return self.results

    def _study(self, step: StudyStep, index: int, cycle: int) -> StepResult:
        study = self.studies.get(step.kind)
        if study is None:
            raise ValueError(f"no study runs steps of kind {step.kind!r} (known: "
                             f"{', '.join(self.studies) or 'none'})")
        return study.run(self, resolve(study, step, f"protocol.steps[{index}]"), index, cycle)

    # -- what a study may call -------------------------------------------------------------------
    def steady_state(self, current: float, what: str | None = None) -> dict:
        """Solve the steady state at ``current`` (A/m^2, discharge positive), reached by
        continuation from the present state; returns its observations."""
        self._continue(APPLIED_CURRENT, current / self.i_ref, what or f"{current} A/m^2")
        return self.system.observe()

    def record_state(self, obs: dict, step: StepBase, index: int, cycle: int,
                     current: float, **extra: float) -> dict:
        """Record ``obs`` (the state the fields hold) as a row of the time series, checked
        against the model's expectations; ``extra`` adds columns the study declared."""
        row = {**self._row(obs, step, index, cycle, current), **extra}
        self.record(row)
        self.monitor.check(row)
        return row

    def add_table(self, name: str, rows: list[dict]) -> None:
        """Append ``rows`` (dicts of numbers with the same keys) to the study table ``name``."""
        self.tables.setdefault(name, []).extend(rows)

    def counters(self) -> dict:
        """The runner's totals and finished steps (JSON-ready), for a checkpoint."""
        return {"time": self.time, "charge": self.charge, "nsteps": self.nsteps,
                "newton_total": self.newton_total, "cutbacks": self.cutbacks,
                "results": [dataclasses.asdict(r) for r in self.results],
                "warnings": self.monitor.summary(None), "tables": self.tables}

    def load_counters(self, data: dict) -> None:
        """Take back what :meth:`counters` gave."""
        self.time, self.charge = float(data["time"]), float(data["charge"])
        self.nsteps, self.newton_total = int(data["nsteps"]), int(data["newton_total"])
        self.cutbacks = int(data["cutbacks"])
        self.results = [StepResult(**r) for r in data["results"]]
        self.monitor.load(data["warnings"])
        self.tables = {k: list(v) for k, v in data.get("tables", {}).items()}

    def _sweep(self, step: Step) -> tuple[SweepParameter | None, list]:
        """The sweep parameter of a steady step and its values ((None, [None]) without)."""
        sweep = step.swept
        if sweep is None:
            return None, [None]
        params = self.system.model.sweep_parameters
        if sweep.parameter not in params:
            raise ValueError(f"no component of the model offers the sweep parameter "
                             f"{sweep.parameter!r} (offered: {', '.join(params) or 'none'})")
        return params[sweep.parameter], list(sweep.values)

    def _steady(self, step: Step, index: int, cycle: int) -> StepResult:
        """Steady polarisation at each current; with a sweep (``sweep``, or ``stack_pressures``
        for the stack pressure), at each value of the parameter in turn (reached by
        continuation), with the area-specific resistance (V(0) - V(i)) / i measured against the
        open-circuit voltage at that value."""
        param, values = self._sweep(step)
        for p in values:
            extra = {}
            if p is not None:
                self._continue(param.constant, param.to_constant(p),
                               f"{param.name} {p} {param.unit}")
                self._continue(APPLIED_CURRENT, 0.0, "open circuit")
                v0 = self.system.observe()["voltage"]
                extra = {param.column: param.to_column(p)}
            for i in step.currents:
                obs = self.steady_state(i)
                if p is not None:
                    extra["area_specific_resistance"] = (v0 - obs["voltage"]) / i if i else math.nan
                self.record_state(obs, step, index, cycle, i, **extra)
        self.on_step(self.nsteps, self.time)
        return StepResult("steady", index, cycle, "done", self.time)

    def _continue(self, parameter: str, value: float, what: str) -> None:
        try:
            res = solve_with_continuation(self.system, "current", False, parameter, value)
        except ConvergenceFailure as err:
            raise SolverError(self.monitor.explain(f"steady solve at {what} failed after "
                                                   f"continuation: {err}"),
                              err.reason, self.time) from None
        self.newton_total += res.iterations
        self.cutbacks += res.cutbacks

    def _discharge(self, step: Step, index: int, cycle: int) -> StepResult:
        i = self._current_of(step)
        self._set_current(i)
        cutoff = step.until_voltage
        sign = 1.0 if i > 0 else -1.0  # discharge: voltage falls to the cut-off
        return self._march(step, index, cycle, "current", i,
                           lambda obs: cutoff is not None and sign * (obs["voltage"] - cutoff) <= 0,
                           lambda obs: obs["voltage"] - cutoff if cutoff is not None else 0.0)

    _charge = _discharge

    def _rest(self, step: Step, index: int, cycle: int) -> StepResult:
        self._set_current(0.0)
        return self._march(step, index, cycle, "current", 0.0, lambda obs: False, None)

    def _hold(self, step: Step, index: int, cycle: int) -> StepResult:
        self._set_voltage(step.voltage)
        limit = step.until_current
        return self._march(step, index, cycle, "voltage", None,
                           lambda obs: limit is not None and abs(obs["current"]) <= limit,
                           lambda obs: abs(obs["current"]) - limit if limit else 0.0)

    def _march(self, step: Step, index: int, cycle: int, control: str, current: float | None,
               ended: Callable[[dict], bool], distance: Callable[[dict], float] | None):
        o = self.opts
        resume, self._resume = self._resume, None
        if resume is not None:  # continue a step that a checkpoint left running
            t_end, dt, prev = resume.t_end, resume.dt, resume.prev
        else:
            t_end = self.time + step.duration if step.duration else math.inf
            dt = o.dt_initial
            prev = self.system.observe()
        ended_by = "duration"
        while self.time < t_end * (1 - 1e-12):
            dt = min(dt, o.dt_max, t_end - self.time, max(self._max_step(prev), o.dt_min))
            try:
                obs = self._solve(control, transient=True, dt=dt)
            except ConvergenceFailure as err:
                self.system.restore()
                self.cutbacks += 1
                dt /= 4.0
                log.debug("cut back to dt=%.3g s at t=%.6g s (%s)", dt, self.time, err)
                if dt < o.dt_min:
                    raise SolverError(self.monitor.explain(
                        f"time step fell below dt_min={o.dt_min} s at t={self.time:.6g} s in "
                        f"step {index} ({step.kind}): {err}"), err.reason, self.time) from None
                continue
            if ended(obs) and distance is not None:
                # locate the event: shrink the step until the cut-off is met closely
                obs, dt = self._locate(control, dt, prev, obs, distance, ended)
                self._accept(obs, dt, step, index, cycle, current)
                ended_by = "cut-off"
                break
            # the step's change against its limits: the voltage's, and each limiter's
            change = max([abs(obs["voltage"] - prev["voltage"]) / o.max_voltage_change]
                         + [lim.change(self.system, obs, prev) for lim in self.limiters])
            if change > 2.0 and dt > o.dt_min * 4:
                self.system.restore()
                dt /= 2.0
                continue
            self._accept(obs, dt, step, index, cycle, current)
            prev = obs
            if ended(obs):
                ended_by = "cut-off"
                break
            dt *= o.dt_growth if change < 0.5 else 1.0
            if self.time < t_end * (1 - 1e-12):
                self.on_position(Position(cycle, index, t_end, dt, prev))
        return StepResult(step.kind, index, cycle, ended_by, self.time)

    def _max_step(self, obs: dict) -> float:
        """The longest step (s) from a state by the step limiters (inf without one)."""
        return min((lim.max_step(obs) for lim in self.limiters), default=math.inf)

    def _locate(self, control, dt, prev, obs, distance, ended):
        """Secant steps on the step length until the event is met within 1e-4 (V or A/m^2)."""
        lo, hi = 0.0, dt
        d_lo, d_hi = distance(prev), distance(obs)
        best, state_is_best = obs, True
        for _ in range(_MAX_EVENT_ITERATIONS):
            if abs(d_hi) < 1e-4 or hi - lo < self.opts.dt_min:
                break
            trial = lo + (hi - lo) * d_lo / (d_lo - d_hi) if d_lo != d_hi else 0.5 * (lo + hi)
            trial = min(max(trial, lo + 0.02 * (hi - lo)), lo + 0.98 * (hi - lo))
            self.system.restore()
            try:
                o2 = self._solve(control, transient=True, dt=trial)
            except ConvergenceFailure:
                state_is_best = False
                break
            if ended(o2):
                hi, d_hi, best, state_is_best = trial, distance(o2), o2, True
            else:
                lo, d_lo, state_is_best = trial, distance(o2), False
        if not state_is_best:
            self.system.restore()
            best = self._solve(control, transient=True, dt=hi)
        return best, hi

    def _accept(self, obs, dt, step, index, cycle, current):
        self.system.commit()
        self.time += dt
        i = obs["current"] if current is None else current
        self.charge += i * dt
        self.nsteps += 1
        self.record_state(obs, step, index, cycle, i)
        self.progress(self.time)
        self.on_step(self.nsteps, self.time)
