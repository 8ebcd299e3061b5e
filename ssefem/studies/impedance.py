"""Impedance: the small-signal spectrum of the cell about its present state.

The residual of a transient step is affine in 1/dt, F = K(u) + S(u, u_n)/dt (backward Euler
on the storage terms), so two Jacobians of the transient problem at dt = 1 and dt = 2 (in the
model's time unit) give the stiffness K = 2 J_2 - J_1 and the storage operator
M = 2 (J_1 - J_2) of the very terms the run solves, once per spectrum. A sinusoidal voltage
perturbation delta_V exp(i omega t) at the terminals (potentiostatic, as most analysers work)
gives the state's response from (K + i omega M) x = b, b = -dF/dV delta_V, solved in PETSc's
real arithmetic as the block system

    [[K, -omega M], [omega M, K]] [x_re; x_im] = [b; 0]

with a direct (MUMPS) factorisation per frequency, and Z = -delta_V / delta_I from the
terminal current's change along the response (discharge-positive current, so a resistance is
positive). Dirichlet rows stay identity rows of K and empty rows of M. The voltage is the
control because with the terminal potential held no field has a near-null mode: a galvanostatic
perturbation leaves the metal electrode's potential level fixed only by the interface kinetics
(rows a factor sigma_metal / sigma_electrolyte apart), and its direct solve lost 3e-5 of Z. The linearisation is about the state the fields hold (an equilibrium, a DC bias after a
steady step, or the state after any earlier steps).
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np
from dolfinx.fem.petsc import assign
from petsc4py import PETSc
from pydantic import Field, model_validator

from ssefem.case.steps import StepBase
from ssefem.errors import CaseError
from ssefem.physics.electrochemistry.terminals import APPLIED_VOLTAGE
from ssefem.studies.study import StepResult, Study

TABLE = "impedance"
#: Ohm m^2 -> Ohm cm^2
CM2 = 1e4
#: iterative refinement of the direct solve: relative residual and most steps
REFINE_RTOL, REFINE_STEPS = 1e-14, 3
#: the relative step of the current's central difference along a response
FD_STEP = 1e-5


class ImpedanceStep(StepBase):
    """An ``impedance`` protocol step: the spectrum at the present state, at ``frequencies``
    (Hz) or from ``f_max`` down to ``f_min`` with ``points_per_decade`` points."""

    kind: Literal["impedance"]
    frequencies: list[float] | None = Field(None, min_length=1, description="Hz")
    f_min: float | None = Field(None, gt=0, description="Hz")
    f_max: float | None = Field(None, gt=0, description="Hz")
    points_per_decade: int = Field(10, ge=1, le=1000)

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

    def spectrum(self) -> list[float]:
        """The frequencies, Hz, from the highest down (as analysers sweep)."""
        if self.frequencies is not None:
            return sorted(self.frequencies, reverse=True)
        decades = math.log10(self.f_max / self.f_min)
        n = max(2, round(decades * self.points_per_decade) + 1)
        return list(np.logspace(math.log10(self.f_max), math.log10(self.f_min), n))


class Linearisation:
    """K, M and the right-hand side of a unit voltage step, of a system's transient problem
    (voltage control) at its state."""

    def __init__(self, system):
        self.system = system
        problem, fields, _ = system.problem("voltage", True)
        self.u = [system.u[n] for n in fields]
        snes = problem.solver
        x = problem.x
        assign(self.u, x)
        self.x0 = x.copy()
        dt = system.dt
        dt_saved = float(dt.value)
        jac = []
        try:
            for step in (1.0, 2.0):
                dt.value = step
                snes.computeJacobian(x, problem.A)
                jac.append(problem.A.copy())
            voltage = system.ctx.constant(APPLIED_VOLTAGE)
            v_saved = float(voltage.value)
            voltage.value = float(system.observe()["voltage"]) / system.model.scales.potential
            f0, f1 = x.duplicate(), x.duplicate()
            snes.computeFunction(x, f0)
            voltage.value += 1.0
            snes.computeFunction(x, f1)
            voltage.value = v_saved
        finally:
            dt.value = dt_saved
        j1, j2 = jac
        self.K = j2.copy()
        self.K.scale(2.0)
        self.K.axpy(-1.0, j1, PETSc.Mat.Structure.SAME_NONZERO_PATTERN)
        self.M = j1
        self.M.axpy(-1.0, j2, PETSc.Mat.Structure.SAME_NONZERO_PATTERN)
        self.M.scale(2.0)
        j2.destroy()
        self.b = f0
        self.b.axpy(-1.0, f1)  # b = -(F(V + 1) - F(V)): a unit (dimensionless) voltage step
        f1.destroy()
        self.comm = x.comm

    def solve(self, omega: float) -> tuple[PETSc.Vec, PETSc.Vec]:
        """(x_re, x_im) at the dimensionless angular frequency ``omega``."""
        wm = self.M.copy()
        wm.scale(omega)
        minus = self.M.copy()
        minus.scale(-omega)
        nest = PETSc.Mat().createNest([[self.K, minus], [wm, self.K]], comm=self.comm)
        A = nest.convert("aij")
        rhs, sol = A.createVecRight(), A.createVecRight()
        n = self.b.getLocalSize()
        rhs.array[:n] = self.b.array_r
        rhs.array[n:] = 0.0
        ksp = PETSc.KSP().create(self.comm)
        ksp.setOperators(A)
        # the LU factors refined by a few Richardson steps on the true residual (the cell's
        # scaled rows differ by orders: a metal's conduction against the interface kinetics)
        ksp.setType("richardson")
        ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
        ksp.setTolerances(rtol=REFINE_RTOL, atol=0.0, max_it=REFINE_STEPS)
        pc = ksp.getPC()
        pc.setType("lu")
        pc.setFactorSolverType("mumps")
        ksp.solve(rhs, sol)
        reason = ksp.getConvergedReason()
        re, im = self.b.duplicate(), self.b.duplicate()
        re.array[:] = sol.array_r[:n]
        im.array[:] = sol.array_r[n:]
        for obj in (ksp, A, nest, wm, minus, rhs, sol):
            obj.destroy()
        if reason < 0 and reason != PETSc.KSP.ConvergedReason.DIVERGED_MAX_IT:
            raise RuntimeError(f"the impedance solve failed (KSP reason {reason})")
        return re, im

    def current_change(self, dx: PETSc.Vec) -> float:
        """The terminal current's change (A/m^2, discharge positive) along the state change
        ``dx``: a central difference of the current over +-FD_STEP dx (the current is
        nonlinear in the state; the difference is exact to FD_STEP^2)."""
        system = self.system
        saved = system.snapshot()
        values = []
        for sign in (1.0, -1.0):
            y = self.x0.copy()
            y.axpy(sign * FD_STEP, dx)
            assign(y, self.u)
            for f in self.u:
                f.x.scatter_forward()
            values.append(system.observe()["current"])
            y.destroy()
        system.load(saved)
        return (values[0] - values[1]) / (2 * FD_STEP)

    def close(self) -> None:
        for obj in (self.K, self.M, self.b, self.x0):
            obj.destroy()


def run_impedance(runner, step: ImpedanceStep, index: int, cycle: int) -> StepResult:
    system = runner.system
    if system.model.periodic:  # the fold changes the unknowns the Jacobians act on
        raise CaseError(f"protocol.steps[{index}]", "an impedance step does not support a "
                        "periodic cell (mechanics.lateral = 'periodic') yet")
    sc = system.model.scales
    lin = Linearisation(system)
    rows = []
    try:
        for f in step.spectrum():
            re, im = lin.solve(2 * math.pi * f * sc.time)
            z = -sc.potential / complex(lin.current_change(re), lin.current_change(im))
            re.destroy()
            im.destroy()
            rows.append({"frequency_Hz": f, "Z_re_ohm_m2": z.real, "Z_im_ohm_m2": z.imag,
                         "Z_abs_ohm_m2": abs(z), "phase_deg": math.degrees(math.atan2(z.imag,
                                                                                     z.real)),
                         "Z_re_ohm_cm2": z.real * CM2, "Z_im_ohm_cm2": z.imag * CM2,
                         "step": index, "cycle": cycle, "time_s": runner.time})
    finally:
        lin.close()
    runner.add_table(TABLE, rows)
    return StepResult(step.kind, index, cycle, "done", runner.time)


STUDY = Study(ImpedanceStep, run_impedance)
