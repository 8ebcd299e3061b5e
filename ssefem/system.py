"""The discrete system: function spaces on layer submeshes, one blocked SNES problem per mode.

Every field lives on the submesh of its layers; every term integrates on the parent mesh's
measures with the submeshes' entity maps, and the problem sums the terms into one blocked
nonlinear system solved by ``fem.petsc.NonlinearProblem`` (SNES).
"""

from __future__ import annotations

import numpy as np
from mpi4py import MPI

import ufl
from dolfinx import fem, la
from dolfinx import mesh as dmesh
from dolfinx.fem.petsc import NonlinearProblem
from petsc4py import PETSc

from ssefem import jit_cache, periodic
from ssefem.affine import AffineJacobian
from ssefem.errors import ConvergenceFailure
from ssefem.model import Model
from ssefem.terms import FormContext, Observable

_PER_SOLVE = "per solve"  # snes_lag_preconditioner: once per Newton solve (see System.problem)

_LINEAR = {
    "mumps": {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"},
    "superlu_dist": {
        "ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "superlu_dist",
    },
    # Monolithic GAMG, kept for a field solved alone (elasticity: CG with its rigid-body modes,
    # see System.problem); blocked problems use _BLOCKED. Threshold 0.02 and one smoothing step:
    # 182 instead of 416 GMRES iterations over the Newton solve of the 3-D benchmark cell
    # (bench/run.py, 1e5 unknowns), 38 instead of 81 in its last Newton step. Reusing only
    # GAMG's interpolation (kept here) did not change the benchmark's time.
    "gamg": {"ksp_type": "gmres", "ksp_gmres_restart": 200, "pc_type": "gamg",
             "pc_gamg_threshold": 0.02, "pc_gamg_agg_nsmooths": 1,
             "pc_gamg_reuse_interpolation": True, "ksp_rtol": 1e-8, "ksp_max_it": 3000},
}

# Blocked (several fields, kind="mpi") problems. "gamg": GMRES preconditioned field by field
# (PCFIELDSPLIT, one block per field, options of each block in _SPLIT), the blocks in turn
# (multiplicative): an electrode's potential hardly sees the electrolyte in its scaled residual,
# so the fields in model order (electrodes first) make this nearly a block-triangular solve; one
# GAMG V-cycle per block is then a Poisson-like solve (the displacement's an elasticity solve
# with its rigid-body modes). The preconditioner is built at the first Newton iterate of each
# solve and reused for the rest of it (only the interface kinetics change within a solve).
# 3-D benchmark cell (bench/run.py, 1.05e5 unknowns), Newton solve with the split Jacobian
# (ssefem/affine.py): monolithic GAMG rebuilt every iterate 8.7 s of linear solves (182 GMRES
# iterations), built once per solve 5.3 s (137), per-field GAMG once per solve 2.6 s (77); with
# exact (LU) blocks 8 GMRES iterations in all. A lag of -2 instead (built once, then never
# again, also in later solves) made the first linear solve of transient steps fail.
_BLOCKED = {
    **_LINEAR,
    "gamg": {"ksp_type": "gmres", "ksp_gmres_restart": 200, "pc_type": "fieldsplit",
             "pc_fieldsplit_type": "multiplicative", "ksp_rtol": 1e-8, "ksp_max_it": 3000,
             "snes_lag_preconditioner": _PER_SOLVE},
}

# Options of each field's block where _BLOCKED uses PCFIELDSPLIT. Threshold 0.02 and one
# smoothing step (tuned first for monolithic GAMG: 182 instead of 416 GMRES iterations); per
# block on the benchmark 0.01-0.05 are alike, 0.1 doubles the iterations, unsmoothed
# aggregation (0) takes 127 instead of 77.
_SPLIT = {
    "gamg": {"ksp_type": "preonly", "pc_type": "gamg", "pc_gamg_threshold": 0.02,
             "pc_gamg_agg_nsmooths": 1},
}


_SNORM_RELATIVE = 4


class System:
    """Function spaces, unknowns and cached nonlinear problems of a :class:`Model`."""

    def __init__(self, model: Model, solver_options: dict | None = None):
        self.model = model
        jit_cache.recover_collective(model.regions.comm)  # before the first form is compiled
        self.options = {"rtol": 1e-10, "atol": 1e-12, "stol": 1e-13, "max_iterations": 30,
                        "linear_solver": "mumps", **(solver_options or {})}
        regions = model.regions
        self.spaces: dict[str, fem.FunctionSpace] = {}
        self.u: dict[str, fem.Function] = {}
        self.u_n: dict[str, fem.Function] = {}
        v = {}
        for f in model.fields.values():
            sub = self._submesh(f)
            # on a 0-dimensional interface (1-D stacks) a point carries one constant value
            degree = f.degree if sub.mesh.topology.dim > 0 else 0
            shape = ((sub.mesh.geometry.dim,) if f.vector else
                     () if f.components is None else (f.components,))
            V = fem.functionspace(sub.mesh, (f.family, degree, shape))
            self.spaces[f.name] = V
            self.u[f.name] = fem.Function(V, name=f.name)
            self.u_n[f.name] = fem.Function(V, name=f.name + "_n")
            for w in (self.u[f.name], self.u_n[f.name]):
                w.x.array.reshape(-1, int(np.prod(shape, dtype=int)))[:] = f.initial
            v[f.name] = ufl.TestFunction(V)
        self.dt = fem.Constant(regions.mesh, 1.0)
        self.ctx = FormContext(regions, model.scales, self.u, self.u_n, v, self.dt, {})
        for name, value in model.constants.items():
            self.ctx.constant(name, value)
        self.entity_maps = []
        for f in model.fields.values():
            emap = self._submesh(f).cell_map
            if all(emap is not m for m in self.entity_maps):
                self.entity_maps.append(emap)
        self.contributions = {t.name: (t, t.build(self.ctx)) for t in model.terms}
        for name, (_, parts) in self.contributions.items():
            unknown = set(parts) - set(model.fields)
            if unknown:
                raise ValueError(f"term {name!r} contributes to unknown field(s) {sorted(unknown)}")
        self._problems: dict[tuple, NonlinearProblem] = {}
        self._bc_field: dict[int, str] = {}
        self._split: dict[tuple, AffineJacobian | None] = {}
        self._keep: list = []
        self._observables = None
        self._local = {}
        self._derived = None

    def _submesh(self, f):
        regions = self.model.regions
        return regions.facet_submesh(f.interface) if f.interface else regions.submesh(f.layers)

    # -- problems -------------------------------------------------------------------------------
    def active_fields(self, transient: bool) -> list[str]:
        return [f.name for f in self.model.fields.values() if transient or f.steady]

    def residuals(self, fields: list[str], transient: bool) -> list[ufl.Form]:
        forms = []
        for name in fields:
            parts = [p[name] for (t, p) in self.contributions.values()
                     if name in p and (transient or t.kind != "storage")]
            if not parts:
                raise ValueError(f"field {name!r} has no residual term")
            forms.append(self.model.fields[name].residual_scale * sum(parts[1:], parts[0]))
        return forms

    def bcs(self, fields: list[str], control: str) -> list[fem.DirichletBC]:
        regions = self.model.regions
        fdim = regions.dim - 1
        out = []
        for c in self.model.constraints:
            if c.field not in fields or (c.control is not None and c.control != control):
                continue
            V = self.spaces[c.field]
            sub = regions.submesh(self.model.fields[c.field].layers)
            parent_facets = regions.facet_tags.find(regions.facet_tag[c.boundary])
            value = self.ctx.constant(c.value)
            n = V.num_sub_spaces
            if n == 0:  # a scalar, or a 1-D vector: its only component
                parts = [(None, _parent_to_sub_facets(regions, sub, parent_facets))]
            elif c.component == "normal":  # a roller: per facet, the component along its normal
                axes = _normal_axes(regions, parent_facets, c.boundary)
                parts = [(k, _parent_to_sub_facets(regions, sub, parent_facets[axes == k]))
                         for k in range(n)]
            else:
                facets = _parent_to_sub_facets(regions, sub, parent_facets)
                parts = [(k, facets) for k in
                         (range(n) if c.component is None else [c.component])]
            for k, facets in parts:
                Vk = V if k is None else V.sub(k)
                dofs = fem.locate_dofs_topological(Vk, fdim, facets)
                if c.at == "centre":
                    # a component's dofs are unrolled (node * bs + k), the whole field's nodes
                    bs = V.dofmap.index_map_bs if k is not None else 1
                    dofs = _centre_dofs(V, dofs, bs, regions.comm)
                bc = fem.dirichletbc(value, dofs, Vk)
                self._bc_field[id(bc)] = c.field
                out.append(bc)
        return out

    def problem(self, control: str, transient: bool) -> tuple[NonlinearProblem, list, list]:
        key = (control, transient)
        if key not in self._problems:
            fields = self.active_fields(transient)
            F = self.residuals(fields, transient)
            bcs = self.bcs(fields, control)
            single = len(fields) == 1  # one field: a plain (not blocked) matrix, with block size
            linear = self.options["linear_solver"]
            opts = {
                "snes_type": "newtonls",
                # full Newton steps: a step-length test is then meaningful (cut-back and
                # continuation handle hard starts)
                "snes_linesearch_type": "basic",
                # at least one Newton step: a residual already below atol at the start (a
                # metal electrode's, scaled by 1/sigma) must not pass for a converged state
                "snes_force_iteration": True,
                # no divergence test against that start either (scaled residuals can start
                # far below the O(1) ones of the first step); max_it and NaN checks remain
                "snes_divergence_tolerance": 1e30,  # (-1 is not taken from the options)
                "snes_rtol": self.options["rtol"],
                "snes_atol": self.options["atol"],
                "snes_stol": self.options["stol"],
                "snes_max_it": self.options["max_iterations"],
                **(_LINEAR if single else _BLOCKED)[linear],
            }
            nullspace = self.model.fields[fields[0]].near_nullspace if single else None
            periodic_axes = self.model.periodic
            if nullspace is not None and linear == "gamg" and not periodic_axes:
                # a field with a near-null space solved alone is elasticity: symmetric positive
                # definite, so CG instead of GMRES, and GAMG gets the rigid-body modes
                opts["ksp_type"] = "cg"
                opts.pop("ksp_gmres_restart", None)
                # linear: one Newton step suffices when the Krylov solve beats the Newton test
                # (halves the time of the 3-D benchmark: one assembly and GAMG set-up, not two)
                opts["ksp_rtol"] = min(1e-10, 1e-2 * self.options["rtol"])
            else:
                nullspace = None
            if opts.get("snes_lag_preconditioner") == _PER_SOLVE:
                # the lag counter restarts with every SNESSolve: a lag beyond the last Newton
                # iterate rebuilds the preconditioner once per solve
                opts["snes_lag_preconditioner"] = self.options["max_iterations"] + 1
            prefix = f"ssefem_{control}_{'transient' if transient else 'steady'}_"
            _clear_options(prefix)
            problem = NonlinearProblem(
                F[0] if single else F, self.u[fields[0]] if single else [self.u[n] for n in fields],
                bcs=bcs, kind=None if single else "mpi", petsc_options=opts,
                petsc_options_prefix=prefix, entity_maps=self.entity_maps,
            )
            if nullspace is not None:
                modes = nullspace(self.spaces[fields[0]])  # kept: the vectors share memory
                self._keep.append(modes)
                problem.A.setNearNullSpace(
                    PETSc.NullSpace().create(vectors=[m.x.petsc_vec for m in modes]))
            split = None
            if not single and opts["pc_type"] == "fieldsplit":
                self._keep.append(self._field_splits(problem, fields, _SPLIT[linear]))
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
                split = AffineJacobian.create(problem, F, [self.u[n] for n in fields], bcs,
                                              self.entity_maps)
                if split is not None:
                    split.attach()
            if periodic_axes:
                fold = periodic.create(
                    problem, [self.u[n] for n in fields], bcs, periodic_axes,
                    periodic.mesh_bounds(self.model.regions.mesh), fields,
                    [self.model.fields[n].family in ("Lagrange", "P", "CG") for n in fields])
                if fold is not None:
                    fold.attach()
                    self._keep.append(fold)  # its methods are the SNES callbacks
            _clear_options(prefix)
            self._split[key] = split  # the SNES callbacks are its methods: keep it alive
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
            V = self.spaces[name]
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
            n = self._bc_field[id(bc)]
            bc.set(self.u[n].x.array)  # (a component's dofs index the whole field's array)
            self.u[n].x.scatter_forward()
        split = self._split[(control, transient)]
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
        finite = all(np.isfinite(self.u[n].x.array).all() for n in fields)
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
            lo, hi = self.field_range(n)
            if lo < f.bounds[0] or hi > f.bounds[1]:
                detail = f"{n} left its admissible range {f.bounds} (min {lo:.6g}, max {hi:.6g})"
                if f.bound_meaning is not None:
                    detail += f": {f.bound_meaning[0] if lo < f.bounds[0] else f.bound_meaning[1]}"
                raise ConvergenceFailure(0, its, detail)
        return its

    def field_range(self, name: str, previous: bool = False) -> tuple[float, float]:
        """The smallest and largest (dimensionless) value of a field over all ranks, of the
        present solution or of the previous time level."""
        a = (self.u_n if previous else self.u)[name].x.array
        comm = self.model.regions.comm
        return (comm.allreduce(float(a.min(initial=np.inf)), op=MPI.MIN),
                comm.allreduce(float(a.max(initial=-np.inf)), op=MPI.MAX))

    # -- state ------------------------------------------------------------------------------------
    def commit(self) -> None:
        """Accept the present solution as the previous time level."""
        for n in self.u:
            self.u_n[n].x.array[:] = self.u[n].x.array

    def restore(self) -> None:
        """Go back to the previous time level (after a failed step)."""
        for n in self.u:
            self.u[n].x.array[:] = self.u_n[n].x.array

    def largest_change(self, fields: list[str]) -> float:
        """The largest change of a value of ``fields`` since the previous time level (0 for
        none), over all ranks."""
        local = max((float(np.abs(self.u[n].x.array - self.u_n[n].x.array).max(initial=0.0))
                     for n in fields), default=0.0)
        return self.model.regions.comm.allreduce(local, op=MPI.MAX)

    def snapshot(self) -> dict[str, np.ndarray]:
        return {n: f.x.array.copy() for n, f in self.u.items()}

    def load(self, state: dict[str, np.ndarray]) -> None:
        for n, a in state.items():
            self.u[n].x.array[:] = a

    # -- derived output fields ---------------------------------------------------------------
    def derived(self) -> dict[tuple[str, str], fem.Function]:
        """The model's derived fields (SI units), projected on DG0 of their fields' submeshes,
        keyed by (name, field)."""
        if self._derived is None:
            self._derived = []
            for d in self.model.derived:
                sub = self._submesh(self.model.fields[d.field])
                Q = fem.functionspace(sub.mesh, ("DG", 0, d.shape))
                num = fem.form(d.build(self.ctx, ufl.TestFunction(Q)),
                               entity_maps=self.entity_maps)
                # the same weight as the terms' measures (2 pi r in an axisymmetric mesh)
                dx = self.model.regions.measure("dx", sub.mesh)
                q0 = ufl.TestFunction(fem.functionspace(sub.mesh, ("DG", 0)))
                vol = fem.assemble_vector(fem.form(q0 * dx)).array
                self._derived.append((d, num, vol, fem.Function(Q, name=d.name)))
        out = {}
        for d, num, vol, f in self._derived:
            b = fem.assemble_vector(num)
            b.scatter_reverse(la.InsertMode.add)
            n = f.function_space.dofmap.index_map.size_local
            bs = f.function_space.dofmap.index_map_bs
            f.x.array.reshape(-1, bs)[:n] = (d.scale * b.array.reshape(-1, bs)[:n]
                                             / vol[:n, None])
            f.x.scatter_forward()
            out[(d.name, d.field)] = f
        return out

    # -- observables --------------------------------------------------------------------------------
    def observe(self) -> dict[str, float]:
        if self._observables is None:
            self._observables = []
            for o in self.model.observables:
                num, den = o.build(self.ctx)
                self._observables.append((
                    o, fem.form(num, entity_maps=self.entity_maps),
                    None if den is None else fem.form(den, entity_maps=self.entity_maps)))
        comm = self.model.regions.comm
        out = {}
        for o, num, den in self._observables:
            if o.reduce != "mean":
                out[o.name] = self._peak(o)
                continue
            a = comm.allreduce(fem.assemble_scalar(num), op=MPI.SUM)
            b = 1.0 if den is None else comm.allreduce(fem.assemble_scalar(den), op=MPI.SUM)
            out[o.name] = o.scale * a / b
        return out

    def localize(self, o) -> tuple[np.ndarray, np.ndarray]:
        """Cell-local integrals (numerator, weight) of an observable: both restricted to each
        owned cell of the parent mesh (on interior facets to the '+' cell). Cells the integrals
        do not touch have weight 0."""
        if o.name not in self._local:
            msh = self.model.regions.mesh
            Q = fem.functionspace(msh, ("DG", 0))
            q = ufl.TestFunction(Q)
            num, den = o.build(self.ctx)
            if den is None:
                raise ValueError(f"observable {o.name!r} has no weight to localize")
            forms = [fem.form(_times_test(f, q), entity_maps=self.entity_maps)
                     for f in (num, den)]
            self._local[o.name] = (forms, Q.dofmap.index_map.size_local)
        forms, n = self._local[o.name]
        out = []
        for f in forms:
            b = fem.assemble_vector(f)
            b.scatter_reverse(la.InsertMode.add)
            out.append(b.array[:n].copy())
        return out[0], out[1]

    def profile(self, p) -> dict[str, np.ndarray] | None:
        """A :class:`~ssefem.terms.Profile`'s columns (SI units) and facet centroids
        (``x``, ``y``, ``z`` in metres), gathered on rank 0 (None on the others), sorted by
        lateral position."""
        regions = self.model.regions
        tag = regions.facet_tag[p.interface]
        gdim = regions.mesh.geometry.dim
        x = ufl.SpatialCoordinate(regions.mesh)
        cols = {}
        weight = None
        for k, name in enumerate("xyz"[:gdim]):
            num, den = self.localize(Observable(
                f"{p.name}:{name}", "m",
                lambda ctx, k=k: (x[k] * ctx.dS(tag), ctx.one * ctx.dS(tag))))
            cols[name] = num / np.where(den > 0, den, 1.0) * self.model.scales.length
            weight = den
        for o in p.columns:
            num, den = self.localize(o)
            cols[o.name] = o.scale * num / np.where(den > 0, den, 1.0)
        touched = weight > 0
        comm = regions.comm
        parts = comm.gather({k: v[touched] for k, v in cols.items()}, root=0)
        if comm.rank != 0:
            return None
        out = {k: np.concatenate([q[k] for q in parts]) for k in cols}
        lateral = "yz"[:gdim - 1]  # the stack runs along x: an interface lies across it
        order = np.lexsort([out[k] for k in reversed(lateral)]) if lateral else slice(None)
        return {k: v[order] for k, v in out.items()}

    def _peak(self, o) -> float:
        """The largest cell-local magnitude of an observable: times its scale (``max``) or over
        its mean (``peak_to_mean``)."""
        num, den = self.localize(o)
        comm = self.model.regions.comm
        touched = den > 0
        peak = comm.allreduce(float(np.max(np.abs(num[touched] / den[touched]), initial=0.0)),
                              op=MPI.MAX)
        if o.reduce == "max":
            return o.scale * peak
        mean = abs(comm.allreduce(float(num.sum()), op=MPI.SUM)
                   / comm.allreduce(float(den.sum()), op=MPI.SUM))
        return peak / mean if mean > 0 else float("nan")


def _clear_options(prefix: str) -> None:
    """Remove the options of a prefix from PETSc's database. DOLFINx 0.11's NonlinearProblem
    leaves the options it sets there, and every System uses the same prefixes: a later one
    would inherit what it does not set itself (a lagged preconditioner of an earlier GAMG
    system made a later MUMPS system's Newton fail). Its solvers have read them by now."""
    db = PETSc.Options()
    for key in list(db.getAll()):
        if key.startswith(prefix):
            del db[key]


def _centre_dofs(V: fem.FunctionSpace, dofs: np.ndarray, bs: int, comm: MPI.Comm
                 ) -> np.ndarray:
    """Of the local ``dofs`` (of V's node ``dofs // bs``), those of the one node nearest the
    centre of all of them, on every rank that holds it (ties go to the lexicographically
    smallest coordinates)."""
    X = V.tabulate_dof_coordinates()
    local = X[dofs // bs] if len(dofs) else np.zeros((0, 3))
    total = comm.allreduce(local.sum(axis=0), op=MPI.SUM)
    count = comm.allreduce(len(local), op=MPI.SUM)
    if count == 0:
        return dofs
    centre = total / count
    d = np.linalg.norm(local - centre, axis=1)
    order = np.lexsort((*(local[:, k] for k in (2, 1, 0)), d.round(12)))
    best = (float(d[order[0]].round(12)), *local[order[0]].tolist()) if len(local) else (np.inf,)
    best = min(comm.allgather(best))
    here = np.all(np.abs(local - np.asarray(best[1:])) <= 1e-12 * (1 + np.abs(centre)), axis=1)
    return dofs[here]


def _times_test(form: ufl.Form, q) -> ufl.Form:
    """The form with each integrand multiplied by the test function ``q`` (its '+' side on
    interior facets): the form's cell-local parts as a vector."""
    integrals = []
    for itg in form.integrals():
        qq = q("+") if itg.integral_type() == "interior_facet" else q
        integrals.append(itg.reconstruct(integrand=itg.integrand() * qq))
    return ufl.Form(integrals)


def _normal_axes(regions, facets: np.ndarray, name: str) -> np.ndarray:
    """The coordinate axis each facet is normal to; raises if one is not axis-aligned."""
    msh = regions.mesh
    gdim = msh.geometry.dim
    if facets.size == 0:
        return np.zeros(0, dtype=np.int32)
    nodes = dmesh.entities_to_geometry(msh, regions.dim - 1, facets)
    x = msh.geometry.x[nodes][:, :, :gdim]
    spread = x.max(axis=1) - x.min(axis=1)
    size = spread.max(axis=1)
    flat = spread <= 1e-9 * np.maximum(size, 1e-300)[:, None]
    if gdim == 1:
        flat[:] = True
    if not flat.any(axis=1).all():
        raise ValueError(f"a roller on {name!r} needs facets normal to a coordinate axis")
    return np.argmax(flat, axis=1).astype(np.int32)


def _parent_to_sub_facets(regions, sub, parent_facets: np.ndarray) -> np.ndarray:
    """Submesh facet indices of parent facets (through the cells they share)."""
    tdim = regions.dim
    fdim = tdim - 1
    msh = regions.mesh
    msh.topology.create_connectivity(fdim, tdim)
    msh.topology.create_connectivity(tdim, fdim)
    sub.mesh.topology.create_connectivity(tdim, fdim)
    f2c = msh.topology.connectivity(fdim, tdim)
    c2f = msh.topology.connectivity(tdim, fdim)
    sc2f = sub.mesh.topology.connectivity(tdim, fdim)
    parent_to_sub = sub.cell_map.sub_topology_to_topology(
        np.arange(len(sub.parent_cells), dtype=np.int32), inverse=False)
    lookup = {int(p): i for i, p in enumerate(parent_to_sub)}
    out = []
    for f in parent_facets:
        for c in f2c.links(f):
            if int(c) in lookup:
                local = list(c2f.links(c)).index(f)
                out.append(sc2f.links(lookup[int(c)])[local])
                break
    return np.unique(np.asarray(out, dtype=np.int32))
