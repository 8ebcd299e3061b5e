"""Solving: one SNES problem per (control mode, transient or steady) of the summed residuals,
with its solver policy and the strategies attached to it: the near-null space of a field solved
alone, PCFIELDSPLIT blocks, the split (affine) Jacobian of the iterative path, and the periodic
fold. A solve that does not converge raises :class:`~ssefem.errors.ConvergenceFailure`."""

from __future__ import annotations

import numpy as np
from dolfinx.fem.petsc import NonlinearProblem
from mpi4py import MPI
from petsc4py import PETSc

from ssefem import periodic
from ssefem.affine import AffineJacobian
from ssefem.errors import ConvergenceFailure
from ssefem.system.constraints import dirichlet_bcs
from ssefem.system.options import NEWTON_DEFAULTS, PER_SOLVE, SPLIT, clear_options, snes_options
from ssefem.system.spaces import Discretisation

_SNORM_RELATIVE = 4


class Solvers:
    """The cached nonlinear problems of a discretisation and their solves."""

    def __init__(self, disc: Discretisation, options: dict | None = None):
        self.disc = disc
        self.model = disc.model
        self.options = {**NEWTON_DEFAULTS, **(options or {})}
        self._problems: dict[tuple, NonlinearProblem] = {}
        self.bc_field: dict[int, str] = {}  # id of a Dirichlet condition -> the field it holds
        self.split: dict[tuple, AffineJacobian | None] = {}
        self.keep: list = []  # what PETSc's callbacks and vectors need alive

    def close(self) -> None:
        """Destroy the nonlinear problems' solvers now, in the same order on every rank
        (collective); a later solve builds them again."""
        for key in sorted(self._problems):
            self._problems[key][0].solver.destroy()
        self._problems.clear()
        self.split.clear()
        self.keep.clear()

    def problem(self, control: str, transient: bool) -> tuple[NonlinearProblem, list, list]:
        key = (control, transient)
        if key not in self._problems:
            fields = self.disc.active_fields(transient)
            F = self.disc.residuals(fields, transient)
            held = dirichlet_bcs(self.disc, fields, control)
            bcs = [bc for bc, _ in held]
            self.bc_field.update({id(bc): name for bc, name in held})
            single = len(fields) == 1  # one field: a plain (not blocked) matrix, with block size
            linear = self.options["linear_solver"]
            opts = snes_options(self.options, single)
            field = self.model.fields[fields[0]] if single else None
            periodic_axes = self.model.periodic
            nullspace = None
            if single and linear == "gamg" and not periodic_axes:
                if field.symmetric:  # positive definite (elasticity): CG instead of GMRES
                    opts["ksp_type"] = "cg"
                    opts.pop("ksp_gmres_restart", None)
                    # linear: one Newton step suffices when the Krylov solve beats the Newton
                    # test (halves the time of the 3-D benchmark: one assembly and GAMG set-up)
                    opts["ksp_rtol"] = min(1e-10, 1e-2 * self.options["rtol"])
                nullspace = field.near_nullspace  # GAMG gets the rigid-body modes
            if opts.get("snes_lag_preconditioner") == PER_SOLVE:
                # the lag counter restarts with every SNESSolve: a lag beyond the last Newton
                # iterate rebuilds the preconditioner once per solve
                opts["snes_lag_preconditioner"] = self.options["max_iterations"] + 1
            prefix = f"ssefem_{control}_{'transient' if transient else 'steady'}_"
            clear_options(prefix)
            u = [self.disc.u[n] for n in fields]
            problem = NonlinearProblem(
                F[0] if single else F, u[0] if single else u,
                bcs=bcs, kind=None if single else "mpi", petsc_options=opts,
                petsc_options_prefix=prefix, entity_maps=self.disc.entity_maps,
            )
            if nullspace is not None:
                modes = nullspace(self.disc.spaces[fields[0]])  # kept: the vectors share memory
                self.keep.append(modes)
                problem.A.setNearNullSpace(
                    PETSc.NullSpace().create(vectors=[m.x.petsc_vec for m in modes]))
            split = None
            if not single and opts["pc_type"] == "fieldsplit":
                self.keep.append(self._field_splits(problem, fields, SPLIT[linear]))
                # the Jacobian of the affine integrals (conduction, storage, elasticity,
                # sources) assembled once, not per iterate: the large-problem cost of this
                # iterative path. A direct solve is dominated by the factorisation, so MUMPS
                # keeps DOLFINx's Jacobian. The split one is right there too: compared at all
                # 170 Newton iterates of the galvanostatic binary-salt test
                # (tests/verification/test_npp_binary_salt.py; bench/probes/npp_jacobian_probe.py)
                # it equals DOLFINx's exactly in 8 of 9 blocks and to 1.3e-16 in the phi_e-phi_e
                # block (its Poisson part, the only fixed one, summed in another order). It
                # only rounds differently, and that residual has a rounding floor of ~5e-11
                # (eps |J||x| = 2.7e-10, cond_2(J) = 8.8e12): Newton reaches it in ~5 iterates,
                # then wanders with steps |dx|/|x| of 3e-16..8e-14, and a step test of 1e-15
                # (what that test had) is met by chance, with either Jacobian (7-16 % of such
                # steps). With the split, a solve ran out of iterations and
                # solve_with_continuation returned the restored, unsteady state without
                # raising (current 4.6e-6 low); it now raises (tests/unit/test_continuation.py)
                # and the test's step test is 1e-14, above the floor (every solve converges in
                # 2-7 iterates with either Jacobian, states 4e-15 apart).
                split = AffineJacobian.create(problem, F, [self.disc.u[n] for n in fields], bcs,
                                              self.disc.entity_maps)
                if split is not None:
                    split.attach()
            if periodic_axes:
                fold = periodic.create(
                    problem, [self.disc.u[n] for n in fields], bcs, periodic_axes,
                    periodic.mesh_bounds(self.model.regions.mesh), fields,
                    [self.model.fields[n].family in ("Lagrange", "P", "CG") for n in fields])
                if fold is not None:
                    fold.attach()
                    self.keep.append(fold)  # its methods are the SNES callbacks
            clear_options(prefix)
            self.split[key] = split  # the SNES callbacks are its methods: keep it alive
            self._problems[key] = (problem, fields, bcs)
        return self._problems[key]

    def _field_splits(self, problem: NonlinearProblem, fields: list[str], options: dict) -> list:
        """One PCFIELDSPLIT block per field of a blocked (kind="mpi") problem, named by the field.

        The blocked matrix holds on each rank the owned dofs of one field after the other (the
        vector's ``_blocks`` offsets, unrolled), from the rank's first row, a vector field's
        node by node. Such a block gets its block size and the field's near-null space
        (rigid-body modes, whose owned part is laid out like the block's rows): PCFIELDSPLIT sets
        an object composed on the block's index set as "nearnullspace" on the block's matrix.
        Steady 3-D cell with mechanics (the GAMG case of tests/mpi/test_mechanics_parallel.py
        at 6 lateral cells, 4.1e3 displacement unknowns, serial): 48 instead of 68 GMRES
        iterations over the Newton solve. Returns what must stay alive (the modes' arrays back
        the null-space vectors).
        """
        off = problem.b.getAttr("_blocks")[0]
        first = problem.A.getOwnershipRange()[0]
        pc = problem.solver.getKSP().getPC()
        keep = []
        splits = []
        for i, name in enumerate(fields):
            V = self.disc.spaces[name]
            bs = V.dofmap.index_map_bs
            index_set = PETSc.IS().createStride(off[i + 1] - off[i], first=first + off[i],
                                                step=1, comm=problem.A.comm)
            index_set.setBlockSize(bs)
            nullspace = self.model.fields[name].near_nullspace
            if nullspace is not None:
                modes = nullspace(V)  # owned part: the block's rows on this rank, in order
                ns = PETSc.NullSpace().create(vectors=[m.x.petsc_vec for m in modes],
                                              comm=problem.A.comm)
                index_set.compose("nearnullspace", ns)
                keep += [modes, ns]
            keep.append(index_set)
            splits.append((name, index_set))
        pc.setFieldSplitIS(*splits)
        # NonlinearProblem has already read (and removed) its options: set each block's here
        db = PETSc.Options()
        prefix = problem.solver.getOptionsPrefix()
        for name, sub in zip(fields, pc.getFieldSplitSubKSP(), strict=True):
            keys = [f"{prefix}fieldsplit_{name}_{k}" for k in options]
            for key, value in zip(keys, options.values(), strict=True):
                db[key] = value
            sub.setFromOptions()
            for key in keys:
                del db[key]
        return keep

    def solve(self, control: str, transient: bool) -> int:
        """Solve in place; return Newton iterations or raise :class:`ConvergenceFailure`."""
        problem, fields, bcs = self.problem(control, transient)
        for bc in bcs:  # Dirichlet values into the initial guess
            n = self.bc_field[id(bc)]
            bc.set(self.disc.u[n].x.array)  # (a component's dofs index the whole field's array)
            self.disc.u[n].x.scatter_forward()
        split = self.split[(control, transient)]
        if split is not None:
            split.new_solve()
        try:
            problem.solve()
        except PETSc.Error as err:  # a failed factorisation (MUMPS on a NaN matrix, ...)
            raise ConvergenceFailure(-3, problem.solver.getIterationNumber(),
                                     f"linear solver failed in Newton's method: {err}") from None
        snes = problem.solver
        reason = snes.getConvergedReason()
        its = snes.getIterationNumber()
        finite = all(np.isfinite(self.disc.u[n].x.array).all() for n in fields)
        finite = self.model.regions.comm.allreduce(finite, op=MPI.LAND)
        finite = finite and np.isfinite(snes.getFunctionNorm())
        if reason == _SNORM_RELATIVE and its == 0:
            reason = -5  # a zero first step is no convergence (a NaN step looks like one)
        if reason <= 0 or not finite:
            nan = -4  # SNES_DIVERGED_FNORM_NAN
            raise ConvergenceFailure(reason if finite else nan, its)
        for n in fields:
            f = self.model.fields[n]
            if f.bounds is None:
                continue
            lo, hi = self.disc.field_range(n)
            if lo < f.bounds[0] or hi > f.bounds[1]:
                detail = f"{n} left its admissible range {f.bounds} (min {lo:.6g}, max {hi:.6g})"
                if f.bound_meaning is not None:
                    detail += f": {f.bound_meaning[0] if lo < f.bounds[0] else f.bound_meaning[1]}"
                raise ConvergenceFailure(0, its, detail)
        return its
