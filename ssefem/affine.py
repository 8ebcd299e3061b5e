"""Newton callbacks that assemble the parts of a blocked residual affine in the unknowns once.

Most of a cell's residual is affine in the unknowns: ohmic conduction, diffusion with a fixed
coefficient, backward-Euler storage, sources, small-strain elasticity with its chemical strain. Only interface kinetics (Butler-Volmer) and other
nonlinear laws change from one Newton iterate to the next. The integrals of the residual whose
derivative holds no unknown form ``F_aff``, with a fixed Jacobian ``A``; :class:`AffineSplit`
assembles ``A`` once (again only when a constant or coefficient in it changes: a new time step
size, a conductivity), evaluates ``F_aff(u) = A (u - u_ref) + F_aff(u_ref)`` from a reference
state assembled exactly at the start of each solve, and at each iterate assembles only the other
integrals. Residual and Jacobian equal those of ``fem.petsc.NonlinearProblem`` to rounding (same
forms, same quadrature, same Dirichlet lifting; tests/unit/test_affine_split.py).

Measured on bench/run.py (3-D cell, hexahedra, 1.05e5 unknowns, one core), over the 5 Newton
iterations of the steady solve: Jacobians 4.2 s -> 0.5 s, residuals 1.5 s -> 0.3 s. The 1-D
default case (412 time steps) also ran faster (6.8 s -> 3.7 s).
"""

from __future__ import annotations

import numpy as np

import ufl
from dolfinx import fem
from dolfinx.fem.petsc import apply_lifting, assemble_matrix, assign, create_matrix, set_bc
from dolfinx.la.petsc import _ghost_update
from petsc4py import PETSc
from ufl.algorithms import expand_derivatives


_TRUST = 1e3  # a cheap residual must exceed its rounding estimate this many times


def _split(F_i, unknowns, trials):
    """(affine integrals, other integrals) of one residual form."""
    known = set(unknowns)
    affine, other = [], []
    for integral in F_i.integrals():
        form = ufl.Form([integral])
        ok = True
        for u, du in zip(unknowns, trials, strict=True):
            d = expand_derivatives(ufl.derivative(form, u, du))
            if any(c in known for c in d.coefficients()):
                ok = False
                break
        (affine if ok else other).append(integral)
    return (ufl.Form(affine) if affine else None), (ufl.Form(other) if other else None)


def _jacobian_blocks(F, unknowns, trials):
    out = []
    for F_i in F:
        row = []
        for u, du in zip(unknowns, trials, strict=True):
            d = None if F_i is None else expand_derivatives(ufl.derivative(F_i, u, du))
            row.append(None if d is None or d.empty() else d)
        out.append(row)
    return out


def _dependencies(forms, unknowns) -> list:
    """Constants and coefficients (other than the unknowns) the forms depend on."""
    deps, seen = [], set()
    for f in forms:
        if f is None:
            continue
        for c in list(f.constants()) + [c for c in f.coefficients() if c not in unknowns]:
            if id(c) not in seen:
                seen.add(id(c))
                deps.append(c)
    return deps


def _values(deps) -> list[np.ndarray]:
    return [np.array(d.value if isinstance(d, fem.Constant) else d.x.array, copy=True)
            for d in deps]


class AffineSplit:
    """Residual and Jacobian callbacks for a blocked (kind="mpi") ``NonlinearProblem``
    (System uses it for blocked problems only; a field solved alone keeps DOLFINx's own).

    ``create`` returns None when no integral is affine in the unknowns.
    """

    @classmethod
    def create(cls, problem, F, unknowns, bcs, entity_maps):
        if problem.b.getAttr("_blocks") is None:
            raise ValueError("AffineSplit needs a blocked (kind='mpi') NonlinearProblem")
        trials = [ufl.TrialFunction(u.function_space) for u in unknowns]
        parts = [_split(F_i, unknowns, trials) for F_i in F]
        F_aff = [p[0] for p in parts]
        if all(f is None for f in F_aff):
            return None
        J_aff = _jacobian_blocks(F_aff, unknowns, trials)
        F_rest = [p[1] for p in parts]
        J_rest = _jacobian_blocks(F_rest, unknowns, trials)
        return cls(problem, F_aff, J_aff, F_rest, J_rest, unknowns, bcs, entity_maps)

    def __init__(self, problem, F_aff, J_aff, F_rest, J_rest, unknowns, bcs, entity_maps):
        def compile_(f):
            return None if f is None else fem.form(f, entity_maps=entity_maps)

        self.problem = problem
        self.u = list(unknowns)
        self.bcs = bcs
        self._aff_deps = (_dependencies([f for r in J_aff for f in r], self.u),
                          _dependencies(F_aff, self.u))
        self._aff_keys = [None, None]
        self.F_aff = [compile_(f) for f in F_aff]
        self.J_aff = [[compile_(f) for f in row] for row in J_aff]
        self.F_rest = [compile_(f) for f in F_rest]
        self.J_rest = [[compile_(f) for f in row] for row in J_rest]
        self.J_full = problem.J  # for the layout of the blocked matrix and of the lifting
        # A and the Jacobian share the full sparsity pattern (MatCopy, same pattern): assemble
        # the full Jacobian once into both (an unassembled pattern is compressed away)
        self.A = create_matrix(self.J_full, kind="mpi")
        for M in (self.A, problem.A):
            assemble_matrix(M, self.J_full)
            M.assemble()
        # F_aff(x) = A (x - x_ref) + F_aff(x_ref): assembled exactly at a reference state near
        # the iterates (see rebase), so that rounding in A x (A u of a constant potential of
        # 150 thermal voltages is not 0 to 1e-16) stays at the size of the Newton updates
        self.f_ref = problem.b.duplicate()
        self.x_ref = problem.x.duplicate()
        self._rebase = self._check = True
        self._xt = problem.x.duplicate()
        self._dx = problem.x.duplicate()
        self._tmp = problem.b.duplicate()
        self._blocks = problem.b.getAttr("_blocks")
        spaces = [f.function_spaces[0] for f in problem.F]  # as the blocked assembler sees them
        self._bcs0 = fem.bcs_by_block(spaces, bcs)
        self._bcs1 = fem.bcs_by_block(spaces, bcs)
        # global rows of Dirichlet dofs in the blocked layout. dof_indices() are local indices
        # unrolled by the block size (a vector field's x, y, z of a node in turn), the owned ones
        # first, also for a condition on one component (V.sub(k): indices into the whole
        # field's array); the offsets of _blocks are unrolled too
        r0 = problem.A.getOwnershipRange()[0]
        rows = []
        for i, block_bcs in enumerate(self._bcs0):
            for bc in block_bcs:
                dofs, n_owned = bc.dof_indices()
                rows.append(r0 + self._blocks[0][i] + dofs[:n_owned])
        self._rest_blocks = _local_blocks(self.J_rest, self.J_full)
        self._aff_blocks = _local_blocks(self.J_aff, self.J_full)
        self._bc_rows = (np.unique(np.concatenate(rows)).astype(PETSc.IntType) if rows
                         else np.zeros(0, dtype=PETSc.IntType))

    def attach(self) -> None:
        snes = self.problem.solver
        snes.setFunction(self.residual, self.problem.b)
        snes.setJacobian(self.jacobian, self.problem.A, None)

    # -- the affine part ------------------------------------------------------------------------
    def _refresh(self) -> None:
        """At the start of a solve, reassemble A if a constant or coefficient in it changed;
        reassemble F_aff at the reference state when asked to (rebase)."""
        if self._check:  # they cannot change within a solve
            self._check = False
            for k in (0, 1):
                vals = _values(self._aff_deps[k])
                old = self._aff_keys[k]
                if old is not None and all(np.array_equal(a, b)
                                           for a, b in zip(old, vals, strict=True)):
                    continue
                self._aff_keys[k] = vals
                if k == 0:
                    self.A.zeroEntries()
                    _assemble_matrix_blocks(self.A, self._aff_blocks)
                    self.A.assemble()
                    self._A_norm = self.A.norm(PETSc.NormType.INFINITY)
                else:
                    self._rebase = True
        if self._rebase:
            self._rebase = False
            self._assemble_blocks(self.f_ref, self.F_aff)
            _ghost_update(self.f_ref, PETSc.InsertMode.ADD, PETSc.ScatterMode.REVERSE)
            assign(self.u, self.x_ref)

    def rebase(self) -> None:
        """Call before each solve: the state at the next evaluation becomes the reference, and
        A is checked against its constants and coefficients."""
        self._rebase = self._check = True

    def _assemble_blocks(self, b, forms) -> None:
        """Zero ``b`` (with ghosts), add each block's form (None: nothing)."""
        off0, off1 = self._blocks
        with b.localForm() as bl:
            bl.set(0.0)
            for i, L in enumerate(forms):
                if L is None:
                    continue
                a = fem.assemble_vector(L).array
                n = off0[i + 1] - off0[i]
                bl.array_w[off0[i]:off0[i + 1]] += a[:n]
                bl.array_w[off1[i]:off1[i + 1]] += a[n:]

    # -- SNES callbacks ---------------------------------------------------------------------------
    def residual(self, _snes, x, b) -> None:
        _ghost_update(x, PETSc.InsertMode.INSERT, PETSc.ScatterMode.FORWARD)
        assign(x, self.u)
        for v in (x, b, self._xt):
            v.setAttr("_blocks", self._blocks)
        exact = self._rebase or self._check
        self._refresh()
        x.copy(self._xt)
        set_bc(self._xt, self._bcs0)  # x with its Dirichlet values
        self._xt.copy(self._dx)
        self._dx.axpy(-1.0, x)
        self._assemble_blocks(b, self.F_rest)
        if self._dx.norm(PETSc.NormType.INFINITY) > 0.0:  # else the lifting adds 0
            apply_lifting(b, self.J_rest, bcs=self._bcs1, x0=x, alpha=-1.0)
        _ghost_update(b, PETSc.InsertMode.ADD, PETSc.ScatterMode.REVERSE)
        # affine part with its Dirichlet lifting: A (x with its Dirichlet values - x_ref) + f_ref
        self._xt.axpy(-1.0, self.x_ref)
        self.A.multAdd(self._xt, self.f_ref, self._tmp)
        b.axpy(1.0, self._tmp)
        set_bc(b, self._bcs0, x0=x, alpha=-1.0)
        _ghost_update(b, PETSc.InsertMode.INSERT, PETSc.ScatterMode.FORWARD)
        # A (x - x_ref) rounds to about eps |A| |x - x_ref| per row, and unlike the rounding of
        # an element-wise assembly that error has a part along the near-null modes (an electrode
        # potential held only by interface kinetics), which the Newton step amplifies: near
        # convergence it kept the step above the step-length tolerance (2-D transient of
        # tests/regression/test_linear_solvers.py at rtol 1e-12: 30 Newton iterations at a
        # residual of 7e-13 instead of 6). A residual within _TRUST of that rounding is
        # assembled again exactly, from a new reference state.
        if not exact:
            noise = (np.finfo(float).eps * self._A_norm * self._xt.norm(PETSc.NormType.INFINITY)
                     * np.sqrt(self._xt.getSize()))
            if b.norm() < _TRUST * noise:
                self._rebase = True
                self.residual(_snes, x, b)

    def jacobian(self, _snes, x, J, _P) -> None:
        _ghost_update(x, PETSc.InsertMode.INSERT, PETSc.ScatterMode.FORWARD)
        assign(x, self.u)
        self._refresh()
        self.A.copy(J, structure=PETSc.Mat.Structure.SAME_NONZERO_PATTERN)
        if self._rest_blocks:
            _assemble_matrix_blocks(J, self._rest_blocks)
        J.assemble()
        J.zeroRowsColumns(self._bc_rows, diag=1.0)


def _local_blocks(forms, layout) -> list:
    """(row index set, column index set, form) of each block that is not None, the local index
    sets of a blocked matrix laid out like ``layout`` (what the blocked assembler builds)."""
    from dolfinx import cpp as _cpp  # the blocked assembler's own building blocks

    V0 = [next(f for f in row if f is not None).function_spaces[0] for row in layout]
    V1 = [next(layout[i][j] for i in range(len(layout)) if layout[i][j] is not None)
          .function_spaces[1] for j in range(len(layout[0]))]
    is0, is1 = (_cpp.la.petsc.create_index_sets(
        [(V.dofmaps[0].index_map, V.dofmaps[0].index_map_bs) for V in Vs]) for Vs in (V0, V1))
    return [(is0[i], is1[j], a) for i, row in enumerate(forms) for j, a in enumerate(row)
            if a is not None]


def _assemble_matrix_blocks(A, blocks) -> None:
    """Add the blocks of :func:`_local_blocks` into A (no Dirichlet conditions)."""
    from dolfinx import cpp as _cpp

    for is0, is1, a in blocks:
        Asub = A.getLocalSubMatrix(is0, is1)
        _cpp.fem.petsc.assemble_matrix(Asub, a._cpp_object, fem.pack_constants(a),
                                       fem.pack_coefficients(a), [], True)
        A.restoreLocalSubMatrix(is0, is1, Asub)
