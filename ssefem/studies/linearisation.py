"""The linearisation of a cell's transient problem about its state: the stiffness K, the
storage operator M and the right-hand side of a terminal voltage step, from the very residual
terms the run solves.

The residual of a transient step is affine in 1/dt, F = K(u) + S(u, u_n)/dt (backward Euler
on the storage terms), so two Jacobians at dt = 1 and dt = 2 (in the model's time unit) give
K = 2 J_2 - J_1 and M = 2 (J_1 - J_2), once per spectrum. A sinusoidal voltage perturbation
delta_V exp(i omega t) at the terminals (potentiostatic, as most analysers work) gives the
state's response from (K + i omega M) x = b, b = -dF/dV delta_V, solved in PETSc's real
arithmetic as the block system

    [[K, -omega M], [omega M, K]] [x_re; x_im] = [b; 0]

with a direct (MUMPS) factorisation per frequency. Dirichlet rows stay identity rows of K and
empty rows of M. The voltage is the control because with the terminal potential held no field
has a near-null mode: a galvanostatic perturbation leaves the metal electrode's potential level
fixed only by the interface kinetics (rows a factor sigma_metal / sigma_electrolyte apart), and
its direct solve lost 3e-5 of Z.
"""

from __future__ import annotations

from dolfinx.fem.petsc import assign
from petsc4py import PETSc

from ssefem.physics.electrochemistry.terminals import APPLIED_VOLTAGE

#: iterative refinement of the direct solve: relative residual and most steps
REFINE_RTOL, REFINE_STEPS = 1e-14, 3
#: the relative step of the current's central difference along a response
FD_STEP = 1e-5


def at_both_steps(system, evaluate):
    """``evaluate()`` at dt = 1 and at dt = 2 (the model's time unit): the two points that fix
    a quantity affine in 1/dt. The run's dt is restored."""
    dt = system.dt
    saved = float(dt.value)
    try:
        values = []
        for step in (1.0, 2.0):
            dt.value = step
            values.append(evaluate())
        return values
    finally:
        dt.value = saved


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
        self.saved = system.levels()
        system.commit()  # the linearisation is about the state: u_n = u (restored by close)

        def jacobian() -> PETSc.Mat:
            snes.computeJacobian(x, problem.A)
            return problem.A.copy()

        jac = at_both_steps(system, jacobian)
        voltage = system.ctx.constant(APPLIED_VOLTAGE)
        v_saved = float(voltage.value)
        f0, f1 = x.duplicate(), x.duplicate()
        try:
            voltage.value = float(system.observe()["voltage"]) / system.model.scales.potential
            snes.computeFunction(x, f0)
            voltage.value += 1.0
            snes.computeFunction(x, f1)
        finally:
            voltage.value = v_saved
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

    def current_change(self, re: PETSc.Vec, im: PETSc.Vec, omega: float) -> complex:
        """The terminal current's complex change (A/m^2, discharge positive) along the
        response ``re + i im`` at ``omega``. The current observable is affine in 1/dt like
        the residual (a double layer's charging current is a rate), dI = A dx + B dx / dt, so
        its changes at dt = 1 and 2 give A and B, and dI(omega) = A dx + i omega B dx. Each
        change is a central difference over +-FD_STEP dx (the current is nonlinear in the
        state; the difference is exact to FD_STEP^2)."""
        a_re, b_re = self._affine_change(re)
        a_im, b_im = self._affine_change(im)
        return complex(a_re - omega * b_im, a_im + omega * b_re)

    def _affine_change(self, dx: PETSc.Vec) -> tuple[float, float]:
        system = self.system
        saved = system.snapshot()

        def change() -> float:
            values = []
            for sign in (1.0, -1.0):
                y = self.x0.copy()
                y.axpy(sign * FD_STEP, dx)
                assign(y, self.u)
                for f in self.u:
                    f.x.scatter_forward()
                values.append(system.observe()["current"])
                y.destroy()
            return (values[0] - values[1]) / (2 * FD_STEP)

        try:
            d1, d2 = at_both_steps(system, change)
        finally:
            system.load(saved)
        return 2 * d2 - d1, 2 * (d1 - d2)

    def close(self) -> None:
        self.system.load_levels(self.saved)
        for obj in (self.K, self.M, self.b, self.x0):
            obj.destroy()
