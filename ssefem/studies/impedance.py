"""Impedance: the spectrum of the cell about its present state (an equilibrium, a DC bias
after a steady step, or the state after any earlier steps).

Two methods. ``linear`` (the default): the small-signal response from the linearised
transient problem (:mod:`ssefem.studies.linearisation`), one complex solve per frequency.
``time_domain``: a sine of ``amplitude`` volts through the transient solver itself, Fourier
analysed (:mod:`ssefem.studies.sine`): the check of the first, and the large-signal response.
Either way Z = -delta_V / delta_I from the terminal current (discharge-positive, so a
resistance is positive), per unit area and for the cell's area.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from ssefem.case.steps import StepBase
from ssefem.errors import CaseError
from ssefem.studies.impedance_report import TABLE, report
from ssefem.studies.linearisation import Linearisation
from ssefem.studies.sine import sine_impedance
from ssefem.studies.spectrum_analysis import check_circuit
from ssefem.studies.study import StepResult, Study

#: Ohm m^2 -> Ohm cm^2, and cm^2 -> m^2 the other way
CM2 = 1e4


class ImpedanceStep(StepBase):
    """An ``impedance`` protocol step: the spectrum at the present state, at ``frequencies``
    (Hz) or from ``f_max`` down to ``f_min`` with ``points_per_decade`` points."""

    kind: Literal["impedance"]
    frequencies: list[float] | None = Field(None, min_length=1, description="Hz")
    f_min: float | None = Field(None, gt=0, description="Hz")
    f_max: float | None = Field(None, gt=0, description="Hz")
    points_per_decade: int = Field(10, ge=1, le=1000)
    method: Literal["linear", "time_domain"] = Field(
        "linear", description="'linear': the linearised problem (small signal); 'time_domain': a "
        "sine through the transient solver, Fourier analysed")
    amplitude: float = Field(1e-3, gt=0, le=0.5, description="V, of the time-domain sine")
    periods: int = Field(5, ge=2, le=1000, description="time-domain periods, the last analysed")
    steps_per_period: int = Field(100, ge=8, le=100000,
                                  description="time-domain steps per period (and twice as many)")
    kramers_kronig: bool = Field(True, description="test the spectrum with pyimpspec's "
                                 "Kramers-Kronig test (with the optional extra)")
    drt: bool = Field(True, description="the distribution of relaxation times (pyimpspec)")
    circuit: str | None = Field(None, max_length=500, description="an equivalent circuit to "
                                "fit, in pyimpspec's circuit description code, e.g. 'R(RC)(RC)'")

    @model_validator(mode="after")
    def _range(self):
        if self.frequencies is not None:
            if self.f_min is not None or self.f_max is not None:
                raise ValueError("give 'frequencies' or 'f_min' and 'f_max', not both")
            if min(self.frequencies) <= 0:
                raise ValueError("frequencies must be > 0 Hz")
        elif self.f_min is None or self.f_max is None:
            raise ValueError("an 'impedance' step needs 'frequencies' or 'f_min' and 'f_max'")
        elif not self.f_min < self.f_max:
            raise ValueError(f"f_min {self.f_min:g} Hz is not below f_max {self.f_max:g} Hz")
        elif self.f_max / self.f_min > 1e16:
            raise ValueError("f_max / f_min exceeds 16 decades")
        return self

    @field_validator("circuit")
    @classmethod
    def _circuit(cls, cdc):
        if cdc is not None:
            check_circuit(cdc)
        return cdc

    def spectrum(self) -> list[float]:
        """The frequencies, Hz, from the highest down (as analysers sweep)."""
        if self.frequencies is not None:
            return sorted(self.frequencies, reverse=True)
        decades = math.log10(self.f_max / self.f_min)
        n = max(2, round(decades * self.points_per_decade) + 1)
        return list(np.logspace(math.log10(self.f_max), math.log10(self.f_min), n))


def _spectrum(runner, step: ImpedanceStep, index: int):
    """(f in Hz, Z in Ohm m^2) over the step's frequencies, by its method."""
    if step.method == "time_domain":
        for f in step.spectrum():
            yield f, sine_impedance(runner, f, step.amplitude, step.periods,
                                    step.steps_per_period)
        return
    system = runner.system
    if system.model.periodic:  # the fold changes the unknowns the Jacobians act on
        raise CaseError(f"protocol.steps[{index}].method", "the linear impedance does not "
                        "support a periodic cell (mechanics.lateral = 'periodic') yet: use "
                        "method = 'time_domain'")
    sc = system.model.scales
    lin = Linearisation(system)
    try:
        for f in step.spectrum():
            omega = 2 * math.pi * f * sc.time
            re, im = lin.solve(omega)
            dI = lin.current_change(re, im, omega)
            re.destroy()
            im.destroy()
            yield f, -sc.potential / dI
    finally:
        lin.close()


def run_impedance(runner, step: ImpedanceStep, index: int, cycle: int) -> StepResult:
    area = runner.case.geometry.cell_area / CM2  # m^2
    rows = []
    for f, z in _spectrum(runner, step, index):
        # the cell's Ohm first: the columns readers take (pyimpspec: the first whose name
        # starts with frequency, z_re, z_im)
        rows.append({"frequency_Hz": f, "Z_re_ohm": z.real / area, "Z_im_ohm": z.imag / area,
                     "Z_abs_ohm": abs(z) / area,
                     "phase_deg": math.degrees(math.atan2(z.imag, z.real)),
                     "Z_re_ohm_m2": z.real, "Z_im_ohm_m2": z.imag, "Z_abs_ohm_m2": abs(z),
                     "Z_re_ohm_cm2": z.real * CM2, "Z_im_ohm_cm2": z.imag * CM2,
                     "step": index, "cycle": cycle, "time_s": runner.time})
    runner.add_table(TABLE, rows)
    return StepResult(step.kind, index, cycle, "done", runner.time)


STUDY = Study(ImpedanceStep, run_impedance, report)
