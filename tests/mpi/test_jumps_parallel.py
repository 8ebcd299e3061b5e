"""Jumps across interior facets under ``mpiexec -n 2`` (``make test-mpi``): the grain-boundary
manufactured solution (5,120 facets, many on the partition boundary) and the junction plugin
give on 2 ranks what they give serially."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from jump_helpers import jump_error, junction_drop

pytestmark = pytest.mark.mpi


def test_grain_boundary_jumps_serial_and_parallel_agree():
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    par = jump_error(16, 1, MPI.COMM_WORLD, grains=(4, 4, 2))
    ser = jump_error(16, 1, MPI.COMM_SELF, grains=(4, 4, 2))
    assert par[1] == ser[1] == 1280 and par[2] == ser[2]
    assert abs(par[0] - ser[0]) <= 1e-9 * ser[0], (par, ser)
    assert par[0] < 1e-3  # and it is the converged solution, not a decoupled one


@pytest.mark.parametrize("dim", [2, 3])
def test_junction_serial_and_parallel_agree(case_factory, dim):
    par = junction_drop(case_factory, dim, MPI.COMM_WORLD)
    ser = junction_drop(case_factory, dim, MPI.COMM_SELF)
    np.testing.assert_allclose(par, ser, rtol=1e-10, atol=0)
