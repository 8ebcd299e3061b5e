"""The split Jacobian (ssefem/affine.py) equals DOLFINx's own: 2-D cell, steady and transient
blocks, a Dirichlet condition, at random states, and after constants change between solves;
the same with the cell's mechanics (a vector field, component and roller conditions, a held
displacement), whose elasticity belongs wholly to the fixed part."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from dolfinx.fem.petsc import assemble_jacobian, assign

from ssefem.materials import Library
from ssefem.mesh import load_regions
from ssefem.physics import build_cell_model
from ssefem.physics.mechanics.elasticity import DISPLACEMENT
from ssefem.runner import stack_spec
from ssefem.system import System


def _system(case):
    regions = load_regions(stack_spec(case), MPI.COMM_WORLD)
    model = build_cell_model(case, Library.builtin(), regions)
    system = System(model, {"linear_solver": "gamg"})  # the path that uses the split
    system.ctx.constant("applied_current").value = 2.0 / model.scales.current
    system.ctx.constant("applied_voltage").value = 4.0 / model.scales.potential
    system.dt.value = 0.3
    return system


def _check_split(system, control, transient):
    """The split Jacobian against DOLFINx's at perturbed states, before and after the step
    size, the current and the previous level change."""
    model, ctx = system.model, system.ctx
    problem, fields, bcs = system.problem(control, transient)
    split = system.solvers.split[(control, transient)]
    assert split is not None
    u = [system.u[f] for f in fields]
    rng = np.random.default_rng(0)

    def perturb(scale):
        for f in fields:
            a = system.u[f].x.array
            a[:] += scale * rng.standard_normal(a.size)
            system.u[f].x.scatter_forward()  # ghosts consistent, as in a solve
        assign(u, problem.x)

    def compare():
        x = problem.x
        J_ref, J_got = problem.A.duplicate(), problem.A.duplicate()
        assemble_jacobian(None, x, J_ref, None, u, problem.J, None, bcs)
        split.jacobian(None, x, J_got, None)
        J_got.axpy(-1.0, J_ref)
        assert J_got.norm() <= 1e-13 * J_ref.norm()

    split.new_solve()
    perturb(0.01)
    compare()
    # a new solve after the step size, the current and the previous level changed
    system.dt.value = 0.7
    ctx.constant("applied_current").value = -1.0 / model.scales.current
    for f in fields:
        system.u_n[f].x.array[:] += 0.01
    split.new_solve()
    perturb(0.01)
    compare()


@pytest.mark.parametrize("transient", [False, True])
@pytest.mark.parametrize("control", ["current", "voltage"])
def test_affine_split_matches_full_assembly(case_factory, transient, control):
    case = case_factory(geometry={"dimension": 2, "width": 1.0, "lateral_cells": 3})
    _check_split(_system(case), control, transient)


@pytest.mark.parametrize("transient", [False, True])
@pytest.mark.parametrize("collectors", ["pressure", "fixed_gap"])
def test_affine_split_with_mechanics(case_factory, collectors, transient):
    """Lateral rollers and the negative collector's roller hold single components of the
    displacement (conditions on V.sub(k)); "fixed_gap" also holds the positive collector at a
    nonzero axial displacement. Elasticity, chemical strain and stack pressure are affine: the
    displacement's rows assemble nothing per iterate."""
    case = case_factory(geometry={"dimension": 2, "width": 1.0, "lateral_cells": 3},
                        initial={"stoichiometry": 0.6},
                        mechanics={"stack_pressure": 5.0, "collectors": collectors})
    system = _system(case)
    _check_split(system, "current", transient)
    _, fields, bcs = system.problem("current", transient)
    assert DISPLACEMENT in fields and any(bc.function_space != system.spaces[DISPLACEMENT]
                                          and system.solvers.bc_field[id(bc)] == DISPLACEMENT
                                          for bc in bcs)  # component conditions present
    split = system.solvers.split[("current", transient)]
    k = fields.index(DISPLACEMENT)
    assert k in split.fixed_rows and k not in split.iterate_rows
