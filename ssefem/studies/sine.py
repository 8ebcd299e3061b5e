"""Impedance in the time domain: a voltage sine through the transient solver, Fourier analysed.

About the present state (terminal voltage V0), the terminals follow
V(t) = V0 + a sin(omega t) for ``periods`` periods of ``steps_per_period`` backward-Euler steps
(voltage control, the run's Newton solver and its failure checks); the current's fundamental
over the last period, delta_I = (2/N) sum I_k [sin(omega t_k) + i cos(omega t_k)], gives
Z = -a / delta_I (discharge-positive current). The earlier periods let the start-up transient
decay (the slowest time constant must be well below their length). Backward Euler's error is
first order in the step, so each frequency runs at N and 2N steps per period and the two are
Richardson-extrapolated, Z = 2 Z_2N - Z_N (second order). The amplitude's own effect (the
response's nonlinearity) is of relative order (a / (RT/F))^2 for Butler-Volmer kinetics: with
a = 1 mV about 2e-4. A step whose Newton solve fails is cut back into 4 sub-steps (and those
again, to 4**MAX_CUTS), so the samples stay evenly spaced; a step that still fails raises
:class:`~ssefem.errors.SolverError` naming the frequency and the time. The state (both time
levels) is restored after each frequency.

This is what the linearisation (:mod:`ssefem.studies.linearisation`) is checked against, and
the large-signal method when ``amplitude`` is raised on purpose.
"""

from __future__ import annotations

import math

import numpy as np

from ssefem.errors import ConvergenceFailure, SolverError
from ssefem.physics.electrochemistry.terminals import APPLIED_VOLTAGE

#: how often a failed step is split in 4 before the study gives up
MAX_CUTS = 3


def _advance(runner, t0: float, t1: float, voltage_at, cuts: int = 0) -> None:
    """Step the transient problem from t0 to t1 (s), with the terminal voltage at voltage_at(t)
    (dimensionless), in one backward-Euler step or, where Newton fails, in sub-steps."""
    system = runner.system
    system.dt.value = (t1 - t0) / system.model.scales.time
    system.ctx.constant(APPLIED_VOLTAGE).value = voltage_at(t1)
    try:
        runner.newton_total += system.solve("voltage", True)
        return
    except ConvergenceFailure as err:
        system.restore()
        if cuts == MAX_CUTS:
            raise SolverError(runner.monitor.explain(
                f"the time-domain impedance step to t = {t1:.6g} s failed after {MAX_CUTS} "
                f"cut-backs to {(t1 - t0):.3g} s: {err}"), err.reason, runner.time) from None
    runner.cutbacks += 1
    h = (t1 - t0) / 4
    for k in range(4):
        _advance(runner, t0 + k * h, t0 + (k + 1) * h, voltage_at, cuts + 1)
        if k < 3:
            system.commit()


def _response(runner, omega: float, amplitude: float, periods: int, n: int) -> complex:
    """delta_I (A/m^2) of one run at n steps per period."""
    system = runner.system
    sc = system.model.scales
    voltage = system.ctx.constant(APPLIED_VOLTAGE)
    v0 = float(system.observe()["voltage"])
    dt = 2 * math.pi / omega / n
    saved = system.levels()
    v_saved, dt_saved = float(voltage.value), float(system.dt.value)
    system.commit()
    currents = np.empty(n)
    phases = 2 * math.pi * np.arange(1, n + 1) / n

    def voltage_at(t: float) -> float:
        return (v0 + amplitude * math.sin(omega * t)) / sc.potential

    try:
        for k in range(periods * n):
            _advance(runner, k * dt, (k + 1) * dt, voltage_at)
            if k >= (periods - 1) * n:  # observed before the commit: the charging currents
                currents[k - (periods - 1) * n] = system.observe()["current"]  # are rates
            system.commit()
    finally:
        voltage.value, system.dt.value = v_saved, dt_saved
        system.load_levels(saved)
    return complex(2 / n * np.dot(currents, np.sin(phases)),
                   2 / n * np.dot(currents, np.cos(phases)))


def sine_impedance(runner, frequency: float, amplitude: float, periods: int,
                   steps_per_period: int) -> complex:
    """Z (Ohm m^2) at ``frequency`` (Hz), Richardson-extrapolated from N and 2N steps."""
    omega = 2 * math.pi * frequency
    z = [-amplitude / _response(runner, omega, amplitude, periods, n)
         for n in (steps_per_period, 2 * steps_per_period)]
    return 2 * z[1] - z[0]
