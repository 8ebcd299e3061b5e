"""A Newton Jacobian callback that assembles the parts of a blocked Jacobian that do not
depend on the unknowns once.

Most of a cell's residual is affine in the unknowns: ohmic conduction, diffusion with a fixed
coefficient, backward-Euler storage, sources, small-strain elasticity with its chemical strain.
Only interface kinetics (Butler-Volmer), contact and other nonlinear laws change from one Newton
iterate to the next. The integrals of the residual whose derivative holds no unknown have a
fixed Jacobian ``A``; :class:`AffineJacobian` assembles ``A`` once (again only when a constant
or coefficient in it changes: a new time step size, a conductivity) and at each iterate adds the
Jacobian of the other integrals only. The result equals DOLFINx's Jacobian to rounding (same
forms, same quadrature, same Dirichlet rows; tests/unit/test_affine_split.py).

The residual stays DOLFINx's exact assembly. Evaluating the affine part as A (u - u_ref) +
F(u_ref) instead (10x cheaper) was tried and dropped: its rounding, eps |A| |u - u_ref|, lies
partly along the near-null mode of an electrode potential held only by interface kinetics, and
when a contact set changes within a solve (u - u_ref large) it stalled Newton for 30 iterations
or converged 6e-6 away (tests/verification/test_interface_contact.py).

Measured on bench/run.py (3-D cell, hexahedra, 1.05e5 unknowns, one core): a Jacobian 0.63 s
with DOLFINx, 0.084 s split; a residual 0.20 s.
"""

from __future__ import annotations

import numpy as np

import ufl
from dolfinx import fem
from dolfinx.fem.petsc import assemble_matrix, assign, create_matrix
from dolfinx.la.petsc import _ghost_update
from petsc4py import PETSc
from ufl.algorithms import expand_derivatives


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


class AffineJacobian:
    """Jacobian callback for a blocked (kind="mpi") ``NonlinearProblem`` (System uses it for
    blocked problems only; a field solved alone keeps DOLFINx's own).

    ``create`` returns None when no integral is affine in the unknowns.
    """

    @classmethod
    def create(cls, problem, F, unknowns, bcs, entity_maps):
        if problem.b.getAttr("_blocks") is None:
            raise ValueError("AffineJacobian needs a blocked (kind='mpi') NonlinearProblem")
        trials = [ufl.TrialFunction(u.function_space) for u in unknowns]
        parts = [_split(F_i, unknowns, trials) for F_i in F]
        if all(p[0] is None for p in parts):
            return None
        J_aff = _jacobian_blocks([p[0] for p in parts], unknowns, trials)
        J_rest = _jacobian_blocks([p[1] for p in parts], unknowns, trials)
        return cls(problem, J_aff, J_rest, unknowns, bcs, entity_maps)

    def __init__(self, problem, J_aff, J_rest, unknowns, bcs, entity_maps):
        def compile_(f):
            return None if f is None else fem.form(f, entity_maps=entity_maps)

        self.problem = problem
        self.u = list(unknowns)
        self._deps = _dependencies([f for r in J_aff for f in r], self.u)
        self._key = None
        self._check = True
        J_aff = [[compile_(f) for f in row] for row in J_aff]
        J_rest = [[compile_(f) for f in row] for row in J_rest]
        #: block rows (fields) with a fixed part, and with a part assembled per iterate
        self.fixed_rows = {i for i, row in enumerate(J_aff) if any(a is not None for a in row)}
        self.iterate_rows = {i for i, row in enumerate(J_rest)
                             if any(a is not None for a in row)}
        layout = problem.J  # the layout of the blocked matrix
        # A and the Jacobian share the full sparsity pattern (MatCopy, same pattern): assemble
        # the full Jacobian once into both (an unassembled pattern is compressed away)
        self.A = create_matrix(layout, kind="mpi")
        for M in (self.A, problem.A):
            assemble_matrix(M, layout)
            M.assemble()
        blocks = problem.b.getAttr("_blocks")
        spaces = [f.function_spaces[0] for f in problem.F]  # as the blocked assembler sees them
        # global rows of Dirichlet dofs in the blocked layout. dof_indices() are local indices
        # unrolled by the block size (a vector field's x, y, z of a node in turn), the owned ones
        # first, also for a condition on one component (V.sub(k): indices into the whole
        # field's array); the offsets of _blocks are unrolled too
        r0 = problem.A.getOwnershipRange()[0]
        rows = []
        for i, block_bcs in enumerate(fem.bcs_by_block(spaces, bcs)):
            for bc in block_bcs:
                dofs, n_owned = bc.dof_indices()
                rows.append(r0 + blocks[0][i] + dofs[:n_owned])
        self._rest_blocks = _local_blocks(J_rest, layout)
        self._aff_blocks = _local_blocks(J_aff, layout)
        self._bc_rows = (np.unique(np.concatenate(rows)).astype(PETSc.IntType) if rows
                         else np.zeros(0, dtype=PETSc.IntType))

    def attach(self) -> None:
        self.problem.solver.setJacobian(self.jacobian, self.problem.A, None)

    def new_solve(self) -> None:
        """Call before each solve: A is then checked against its constants and coefficients
        (they cannot change within a solve)."""
        self._check = True

    def _refresh(self) -> None:
        if not self._check:
            return
        self._check = False
        vals = _values(self._deps)
        if self._key is not None and all(np.array_equal(a, b)
                                         for a, b in zip(self._key, vals, strict=True)):
            return
        self._key = vals
        self.A.zeroEntries()
        _assemble_matrix_blocks(self.A, self._aff_blocks)
        self.A.assemble()

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
