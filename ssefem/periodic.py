"""Periodic lateral conditions on the Newton system of a problem.

A model whose mesh is a periodic cell (``Model.periodic``: the axes along which the faces where
the coordinate is largest are the images of those where it is smallest) constrains every
continuous field to be periodic: u(hi) = u(lo). DOLFINx builds no periodic function spaces
(dolfinx_mpc, which does, is not in the wheel), so the condition acts on the assembled system.
For each constrained dof s on a 'hi' face ("slave") and its image m on the 'lo' faces ("master"):

- the residual's row m becomes F_m + F_s (the test functions are periodic: the slave's test
  function is part of the master's), row s becomes the constraint u_s - u_m;
- the Jacobian J becomes T J Q + C, with T the row fold (the identity without the slave rows,
  plus e_m e_s^T), Q the column fold (the identity without the slave columns, plus
  e_s e_m^T: a Newton step moves a slave with its master) and C the constraint rows
  (e_s - e_m)^T.

Where the constraint holds, this is Newton's method for the reduced problem P^T F(P u_r) = 0 of
the periodic subspace (P the prolongation from the periodic dofs; T J Q is P^T J P among the
other dofs, symmetric where J is), solved in the full layout: field splits, observables and
output see an ordinary vector, and the slave rows, which no other row sees, cost a Krylov
solver or an algebraic multigrid block nothing (T J + C, without the column fold, made
GAMG's field blocks diverge in a transient cell with mechanics). In 3-D an edge or corner
slave maps directly to its image on the lo faces of all its hi axes, so no chains arise. A
slave that is a Dirichlet dof keeps its Dirichlet row (no constraint); a slave whose master is
a Dirichlet dof takes the constraint row and its equation is dropped, as the master's is.
"""

from __future__ import annotations

import numpy as np
from mpi4py import MPI

from dolfinx import fem, la
from dolfinx.fem.petsc import assign
from dolfinx.la.petsc import _ghost_update
from petsc4py import PETSc

_SAME = PETSc.Mat.Structure.SUBSET_NONZERO_PATTERN


def mesh_bounds(msh) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) corners of the mesh's bounding box, over all ranks."""
    x = msh.geometry.x
    lo, hi = np.empty(3), np.empty(3)
    msh.comm.Allreduce(x.min(axis=0) if x.size else np.full(3, np.inf), lo, op=MPI.MIN)
    msh.comm.Allreduce(x.max(axis=0) if x.size else np.full(3, -np.inf), hi, op=MPI.MAX)
    return lo, hi


def _global_rows(V: fem.FunctionSpace, start: int) -> np.ndarray:
    """Global rows of all local dofs of V (unrolled, owned then ghosts) in a matrix that holds
    V's owned dofs in order from row ``start`` on this rank."""
    imap, bs = V.dofmap.index_map, V.dofmap.index_map_bs
    n = imap.size_local * bs
    rows = la.vector(imap, bs, dtype=np.float64)  # exact for rows below 2^53
    rows.array[:n] = start + np.arange(n)
    rows.scatter_forward()
    return np.rint(rows.array).astype(np.int64)


def _dirichlet(V: fem.FunctionSpace, bcs) -> np.ndarray:
    """Flags of the local dofs of V (unrolled) held by one of ``bcs`` (V's conditions)."""
    imap, bs = V.dofmap.index_map, V.dofmap.index_map_bs
    flag = np.zeros((imap.size_local + imap.num_ghosts) * bs, dtype=bool)
    for bc in bcs:
        flag[bc.dof_indices()[0]] = True  # unrolled indices of the whole field (also V.sub(k))
    return flag


def pairs(V: fem.FunctionSpace, start: int, bcs, axes, bounds, name: str
          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(slave rows, master rows, fold flags) of V's owned dofs on the hi faces of ``axes``.

    ``start`` is the global row of V's first owned dof; ``bounds`` the periodic cell's
    (lower, upper) corners. Raises ValueError when a node on a hi face has no image on the lo
    faces (the mesh is not periodic).
    """
    lo, hi = bounds
    axes = list(axes)
    extent = float(np.max(hi - lo))
    tol = 1e-7 * extent
    comm = V.mesh.comm
    imap, bs = V.dofmap.index_map, V.dofmap.index_map_bs
    n_own = imap.size_local
    X = V.tabulate_dof_coordinates()[:n_own]
    rows = _global_rows(V, start)[:n_own * bs].reshape(-1, bs)
    held = _dirichlet(V, bcs)[:n_own * bs].reshape(-1, bs)
    on_hi = np.abs(X[:, axes] - hi[axes]) < tol
    on_lo = np.abs(X[:, axes] - lo[axes]) < tol
    slave = on_hi.any(axis=1)
    cand = ~slave & on_lo.any(axis=1)
    gathered = comm.allgather((X[cand], rows[cand], held[cand]))
    cx = np.concatenate([g[0] for g in gathered]).reshape(-1, 3)
    crows = np.concatenate([g[1] for g in gathered]).reshape(-1, bs)
    cheld = np.concatenate([g[2] for g in gathered]).reshape(-1, bs)
    quantum = 1e-6 * extent

    def key(p):
        return tuple(np.rint((p - lo) / quantum).astype(np.int64))

    index = {key(p): i for i, p in enumerate(cx)}
    target = X[slave].copy()
    for j, a in enumerate(axes):
        target[on_hi[slave, j], a] = lo[a]
    match = np.empty(len(target), dtype=np.int64)
    offsets = np.array(np.meshgrid(*[[-1, 0, 1]] * 3, indexing="ij")).reshape(3, -1).T
    orphan = None
    for i, p in enumerate(target):
        k = np.array(key(p))
        found = index.get(tuple(k))
        if found is None:  # a coordinate on a rounding boundary: the neighbouring keys
            found = next((index[t] for t in map(tuple, k + offsets) if t in index), None)
        if found is None or np.linalg.norm(cx[found] - p) > 10 * quantum:
            orphan = X[slave][i].round(9).tolist()
            break
        match[i] = found
    orphans = [o for o in comm.allgather(orphan) if o is not None]
    if orphans:  # on every rank alike
        raise ValueError(f"periodic {name!r}: the mesh is not periodic, the node at "
                         f"{orphans[0]} has no image on the opposite face")
    s_rows, m_rows = rows[slave], crows[match]
    keep = ~held[slave]  # a Dirichlet slave keeps its condition
    fold = ~cheld[match]
    return s_rows[keep], m_rows[keep], fold[keep]


class PeriodicFold:
    """Wraps the residual and Jacobian callbacks of a ``NonlinearProblem``'s SNES with the fold
    of the module docstring; ``slaves``, ``masters`` and ``fold`` are this rank's pairs (global
    rows, slaves owned here)."""

    def __init__(self, problem, u: list[fem.Function], slaves, masters, fold):
        self.problem = problem
        self.u = u
        A = problem.A
        comm = A.comm
        sizes = A.getSizes()
        r0, r1 = A.getOwnershipRange()
        T, Q, C = (PETSc.Mat().createAIJ(sizes, nnz=(8, 8), comm=comm) for _ in range(3))
        for M in (T, Q, C):
            M.setOption(PETSc.Mat.Option.NEW_NONZERO_ALLOCATION_ERR, False)
        add = PETSc.InsertMode.ADD_VALUES
        is_slave = np.zeros(r1 - r0, dtype=bool)
        is_slave[np.asarray(slaves, dtype=np.int64) - r0] = True
        # the identity on the owned rows that are not slaves (CSR rows of this rank)
        indptr = np.concatenate([[0], np.cumsum(~is_slave)]).astype(PETSc.IntType)
        diag = (np.flatnonzero(~is_slave) + r0).astype(PETSc.IntType)
        for M in (T, Q):
            M.setValuesCSR(indptr, diag, np.ones(len(diag)), addv=add)
        for s, m, f in zip(slaves, masters, fold, strict=True):
            if f:
                T.setValue(int(m), int(s), 1.0, addv=add)
            Q.setValue(int(s), int(m), 1.0, addv=add)
            C.setValue(int(s), int(s), 1.0, addv=add)
            C.setValue(int(s), int(m), -1.0, addv=add)
        for M in (T, Q, C):
            M.assemble()
        self.T, self.Q, self.C = T, Q, C
        self._work = problem.b.duplicate()
        snes = problem.solver
        self._residual = snes.getFunction()[1]
        self._jacobian = snes.getJacobian()[2]
        # the folded Jacobian's pattern: T J Q + C at the present state (the callbacks assign
        # the solution vector to the unknowns, so it first gets their values)
        assign(self.u, problem.x)
        self._call(self._jacobian, snes, problem.x, A, A)
        self._TJ = T.matMatMult(A, Q)
        self.J = self._TJ.copy()
        self.J.axpy(1.0, C, PETSc.Mat.Structure.DIFFERENT_NONZERO_PATTERN)
        self.J.setOptionsPrefix(A.getOptionsPrefix())
        ns = A.getNearNullSpace()
        if ns.handle:
            self.J.setNearNullSpace(ns)

    @staticmethod
    def _call(callback, *args):
        func, fargs, fkargs = callback
        func(*args, *(fargs or ()), **(fkargs or {}))

    def attach(self) -> None:
        snes = self.problem.solver
        snes.setFunction(self.residual, self.problem.b)
        snes.setJacobian(self.jacobian, self.J, self.J)

    def residual(self, snes, x, b) -> None:
        self._call(self._residual, snes, x, b)
        self.T.mult(b, self._work)
        self.C.multAdd(x, self._work, b)
        _ghost_update(b, PETSc.InsertMode.INSERT, PETSc.ScatterMode.FORWARD)

    def jacobian(self, snes, x, J, _P) -> None:
        A = self.problem.A
        self._call(self._jacobian, snes, x, A, A)
        self.T.matMatMult(A, self.Q, result=self._TJ)
        J.zeroEntries()
        J.axpy(1.0, self._TJ, _SAME)
        J.axpy(1.0, self.C, _SAME)
        J.assemble()


def create(problem, u: list[fem.Function], bcs: list, axes, bounds, names: list[str],
           continuous: list[bool]) -> PeriodicFold | None:
    """The fold of a problem whose unknowns ``u`` (in block order, named ``names``) are
    periodic along ``axes`` where ``continuous``; None when no dof is constrained."""
    A = problem.A
    first = A.getOwnershipRange()[0]
    blocks = problem.b.getAttr("_blocks")
    offsets = [0] if blocks is None else list(blocks[0])
    spaces = [w.function_space for w in u]
    by_block = [[bc for bc in bcs if V._cpp_object.contains(bc.function_space)] for V in spaces]
    found = [pairs(V, first + offsets[i], by_block[i], axes, bounds, names[i])
             for i, V in enumerate(spaces) if continuous[i]]
    if not found:
        return None
    slaves, masters, fold = (np.concatenate([f[k] for f in found]) for k in range(3))
    if u[0].function_space.mesh.comm.allreduce(len(slaves), op=MPI.SUM) == 0:
        return None
    return PeriodicFold(problem, u, slaves, masters, fold)
