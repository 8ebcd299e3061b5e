"""Nernst-Planck-Poisson: serial and ``mpiexec -n 2`` agree within 1e-8 (``make test-mpi``).

Each problem is solved on COMM_WORLD (distributed) and on COMM_SELF (serial, on every rank).
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from ssefem_space_charge.nernst_planck import add_species_inflow
from ssefem_space_charge.species import Species
from ssefem.studies.continuation import solve_with_continuation
from ssefem.system import System
from ssefem.terms import Constraint, Observable

from npp_helpers import VT, integral, layer_model

pytestmark = pytest.mark.mpi
TOL = {"rtol": 1e-13, "atol": 1e-14, "stol": 1e-15, "max_iterations": 50}


def _pb_2d(comm) -> np.ndarray:
    """2-D equilibrium double layer, lambda_D/L = 1e-3, surface potential ramped to 10 RT/F."""
    sp = Species("Li", 1, 1e-12, 10.0)
    model, region, _ = layer_model([sp], length=10.0, debye_over_length=1e-3, cells=60,
                                   face_fraction=0.05, dimension=2, degree=1, comm=comm)
    model.add_constraint(Constraint("phi_e", "sse_left", "surface_potential"))
    model.add_constraint(Constraint("phi_e", "sse_right", "zero"))
    model.add_constraint(Constraint(sp.field, "sse_right", "zero"))
    system = System(model, TOL)
    out = []
    for u0 in (2.0, 10.0):
        solve_with_continuation(system, "eq", False, "surface_potential", u0)
        out.append(integral(system, region.charge(system.ctx), region.dx(system.ctx)))
    return np.array(out)


def _salt_1d(comm) -> np.ndarray:
    """1-D binary salt under current: a transient of 6 steps, voltage and amounts per step."""
    cat, an = Species("cat", 1, 1e-12, 10.0), Species("an", -1, 2e-12, 10.0)
    model, region, _ = layer_model([cat, an], length=10.0, debye_over_length=1e-3, cells=80,
                                   background=0.0, comm=comm)
    add_species_inflow(model, region, "cat", "sse_left", "inflow")
    model.add_constraint(Constraint("mu_cat", "sse_right", "zero"))
    left = model.regions.facet_tag["sse_left"]
    model.add_observable(Observable(
        "voltage", "V", lambda ctx: (ctx.u["mu_cat"] * ctx.ds(left), ctx.one * ctx.ds(left)), VT))
    system = System(model, TOL)
    system.ctx.constant("inflow").value = region.inflow_rate(model, cat, 0.3)
    rows = []
    for k in range(6):
        system.dt.value = 1.0 * 2**k
        system.solve("current", transient=True)
        system.commit()
        obs = system.observe()
        rows.append([obs["voltage"], obs["concentration:cat:sse"], obs["concentration:an:sse"]])
    return np.array(rows)


@pytest.mark.parametrize("problem", [_pb_2d, _salt_1d])
def test_npp_serial_and_parallel_agree(problem):
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    par = problem(MPI.COMM_WORLD)
    ser = problem(MPI.COMM_SELF)
    assert np.abs(ser).max() > 0
    np.testing.assert_allclose(par, ser, rtol=1e-8, atol=1e-12)
