"""The periodic fold (ssefem/periodic.py): pairs of images, their Dirichlet cases, a mesh that is
not periodic, and a periodic solve whose two faces then carry the same values."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

import ufl
from dolfinx import fem, mesh
from dolfinx.fem.petsc import NonlinearProblem

from ssefem import periodic


def _square(n=4, distort=False):
    msh = mesh.create_unit_square(MPI.COMM_SELF, n, n)
    if distort:  # move one node of the face y = 1 sideways: the faces no longer match
        x = msh.geometry.x
        k = np.flatnonzero(np.isclose(x[:, 1], 1.0) & np.isclose(x[:, 0], 0.5))
        x[k, 0] += 0.1 / n
    return msh


def test_pairs_map_each_top_node_to_its_image():
    msh = _square()
    V = fem.functionspace(msh, ("Lagrange", 1))
    slaves, masters, fold = periodic.pairs(V, 0, [], [1], periodic.mesh_bounds(msh), "c")
    X = V.tabulate_dof_coordinates()
    assert len(slaves) == 5 and fold.all()
    np.testing.assert_allclose(X[slaves, 1], 1.0)
    np.testing.assert_allclose(X[masters, 1], 0.0, atol=1e-12)  # tabulated coordinates round
    np.testing.assert_allclose(X[slaves, 0], X[masters, 0], atol=1e-12)


def test_dirichlet_slaves_keep_their_condition_and_dirichlet_masters_take_no_fold():
    msh = _square()
    V = fem.functionspace(msh, ("Lagrange", 1, (2,)))
    left = mesh.locate_entities_boundary(msh, 1, lambda x: np.isclose(x[0], 0.0))
    bottom_right = mesh.locate_entities_boundary(
        msh, 0, lambda x: np.isclose(x[0], 1.0) & np.isclose(x[1], 0.0))
    bcs = [fem.dirichletbc(np.zeros(2), fem.locate_dofs_topological(V, 1, left), V),
           fem.dirichletbc(0.0, fem.locate_dofs_topological(V.sub(1), 0, bottom_right),
                           V.sub(1))]
    slaves, _, fold = periodic.pairs(V, 0, bcs, [1], periodic.mesh_bounds(msh), "u")
    X = V.tabulate_dof_coordinates()
    node, comp = slaves // 2, slaves % 2
    assert not np.any(np.isclose(X[node, 0], 0.0))  # the corner (0, 1) is held: no pair
    assert len(slaves) == 2 * 4
    # the y component at (1, 1): its master (1, 0) is held, so the slave only follows it
    held = np.isclose(X[node, 0], 1.0) & (comp == 1)
    assert held.sum() == 1 and not fold[held].any() and fold[~held].all()


def test_a_mesh_that_is_not_periodic_is_refused():
    msh = _square(distort=True)
    V = fem.functionspace(msh, ("Lagrange", 1))
    with pytest.raises(ValueError, match="periodic 'c': the mesh is not periodic"):
        periodic.pairs(V, 0, [], [1], periodic.mesh_bounds(msh), "c")


def _solve(n, axes, fold=True):
    """-div grad u + u = f on the unit square, f from an exact solution periodic along ``axes``
    and not symmetric about any face (along x, if not periodic, the x faces hold it): returns
    the relative L2 error, the solution and the pairs."""
    msh = mesh.create_unit_square(MPI.COMM_SELF, n, n)
    V = fem.functionspace(msh, ("Lagrange", 1))
    u, v = fem.Function(V), ufl.TestFunction(V)
    x = ufl.SpatialCoordinate(msh)
    k = 2 * np.pi
    exact = ufl.sin(k * x[1] + 0.3) * (1 + (ufl.cos(k * x[0] + 1) if 0 in axes else 0))
    f = -ufl.div(ufl.grad(exact)) + exact
    F = (ufl.inner(ufl.grad(u), ufl.grad(v)) + u * v - f * v) * ufl.dx
    bcs = []
    if 0 not in axes:
        facets = mesh.locate_entities_boundary(
            msh, 1, lambda x: np.isclose(x[0], 0.0) | np.isclose(x[0], 1.0))
        g = fem.Function(V)
        g.interpolate(lambda x: np.sin(k * x[1] + 0.3))
        bcs = [fem.dirichletbc(g, fem.locate_dofs_topological(V, 1, facets))]
    problem = NonlinearProblem(F, u, bcs=bcs, petsc_options_prefix=f"test_periodic_{fold}_",
                               petsc_options={"snes_type": "newtonls", "ksp_type": "preonly",
                                              "pc_type": "lu", "snes_rtol": 1e-12})
    bounds = periodic.mesh_bounds(msh)
    if fold:
        periodic.create(problem, [u], bcs, axes, bounds, ["u"], [True]).attach()
    problem.solve()
    assert problem.solver.getConvergedReason() > 0
    err = np.sqrt(fem.assemble_scalar(fem.form((u - exact) ** 2 * ufl.dx)))
    norm = np.sqrt(fem.assemble_scalar(fem.form(exact ** 2 * ufl.dx)))
    return err / norm, u, periodic.pairs(V, 0, bcs, axes, bounds, "u")


@pytest.mark.parametrize("axes", [(1,), (0, 1)])
def test_periodic_poisson_solution(axes):
    """The folded Newton solve gives equal values on paired faces and converges at order 2 to
    the periodic solution; without the fold the faces are natural boundaries and it does not."""
    errors = []
    for n in (16, 32):
        err, u, (slaves, masters, _) = _solve(n, axes)
        assert len(slaves) > 0
        np.testing.assert_allclose(u.x.array[slaves], u.x.array[masters], rtol=0, atol=1e-13)
        errors.append(err)
    rate = np.log2(errors[0] / errors[1])
    assert rate > 1.9, (errors, rate)
    err_plain = _solve(32, axes, fold=False)[0]
    assert err_plain > 10 * errors[1], (err_plain, errors)
