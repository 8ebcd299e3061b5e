"""The impedance spectrum on 2 ranks equals the serial one (issue 14: serial = mpiexec -n 2
within 1e-8 of |Z|): the real block system's layout and the distributed current difference."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from ssefem.runner import run

pytestmark = pytest.mark.mpi


def _spectrum(case, comm):
    rows = run(case, write=False, progress=False, comm=comm).tables["impedance"]
    return np.array([[r["frequency_Hz"], r["Z_re_ohm_m2"], r["Z_im_ohm_m2"]] for r in rows])


@pytest.mark.parametrize("dim", [1, 2])
def test_impedance_serial_and_parallel_agree(case_factory, dim):
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    case = case_factory(
        geometry={"dimension": dim, "width": 2.0, "lateral_cells": 3},
        initial={"stoichiometry": 0.7},
        protocol={"steps": [{"kind": "impedance", "f_min": 1e-3, "f_max": 1e3,
                             "points_per_decade": 1}]})
    par = _spectrum(case, MPI.COMM_WORLD)
    ser = _spectrum(case, MPI.COMM_SELF)
    assert par.shape == ser.shape == (7, 3)
    # the Warburg's low-frequency rise is in the spectrum (not a constant)
    assert -ser[-1, 2] > 10 * -ser[0, 2]
    np.testing.assert_allclose(par[:, 0], ser[:, 0], rtol=1e-15)
    zp, zs = par[:, 1] + 1j * par[:, 2], ser[:, 1] + 1j * ser[:, 2]
    assert np.all(np.abs(zp - zs) <= 1e-8 * np.abs(zs)), np.abs(zp - zs) / np.abs(zs)
