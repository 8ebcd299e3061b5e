"""The periodic pairing on 2 ranks (run by ``make test-mpi``): images found across ranks, and a
mesh that is not periodic refused on every rank alike (no rank left waiting)."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from dolfinx import fem, mesh

from ssefem import periodic

pytestmark = pytest.mark.mpi


def _space(distort: bool):
    msh = mesh.create_unit_square(MPI.COMM_WORLD, 8, 8, ghost_mode=mesh.GhostMode.shared_facet)
    if distort:  # one node of the face y = 1 moved sideways, on every rank that holds it
        x = msh.geometry.x
        x[np.isclose(x[:, 1], 1.0) & np.isclose(x[:, 0], 0.5), 0] += 0.01
    return msh, fem.functionspace(msh, ("Lagrange", 1))


def test_pairs_across_ranks():
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    msh, V = _space(False)
    start = V.dofmap.index_map.local_range[0]
    slaves, masters, fold = periodic.pairs(V, start, [], [1], periodic.mesh_bounds(msh), "c")
    assert MPI.COMM_WORLD.allreduce(len(slaves), op=MPI.SUM) == 9 and fold.all()
    # the owners' coordinates of the masters equal the slaves' shifted by the period
    X = V.tabulate_dof_coordinates()
    n = V.dofmap.index_map.size_local
    owned = {int(start + i): X[i] for i in range(n)}
    everywhere = {}
    for part in MPI.COMM_WORLD.allgather(owned):
        everywhere.update(part)
    for s, m in zip(slaves, masters, strict=True):
        np.testing.assert_allclose(everywhere[int(s)] - [0, 1, 0], everywhere[int(m)], atol=1e-12)


def test_a_mesh_that_is_not_periodic_is_refused_on_every_rank():
    msh, V = _space(True)
    start = V.dofmap.index_map.local_range[0]
    with pytest.raises(ValueError, match="the mesh is not periodic"):
        periodic.pairs(V, start, [], [1], periodic.mesh_bounds(msh), "c")
