"""Axisymmetric 2-D meshes integrate over the cylinder: the measures carry the weight 2 pi r.

Checked on the sizes of a stack's regions (closed forms of a cylinder of radius R) and on a
steady conduction problem whose solution depends on the weight: a uniform source q in a cylinder
held at 0 on its mantle gives phi = q (R^2 - r^2) / 4 (a plane slab would give / 2).
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

import ufl
from dolfinx import fem

from ssefem.mesh import StackSpec, load_regions

R = 1.5  # um, radius
THICKNESS = {"cathode": 2.0, "electrolyte": 0.5, "anode": 1.0}


@pytest.fixture(scope="module")
def stack():
    spec = StackSpec(names=tuple(THICKNESS), thicknesses=tuple(THICKNESS.values()),
                     cells=(4, 2, 2), grading=(1.0, 1.0, 1.0), dimension=2, width=R,
                     lateral_cells=3, axisymmetric=True)
    return load_regions(spec, MPI.COMM_WORLD)


def _integral(regions, form, entity_maps=None) -> float:
    compiled = fem.form(form, entity_maps=entity_maps)
    return regions.comm.allreduce(fem.assemble_scalar(compiled), op=MPI.SUM)


def test_region_sizes_are_those_of_the_cylinder(stack):
    area = np.pi * R**2
    for name, L in THICKNESS.items():
        assert stack.measure_size(name) == pytest.approx(area * L, rel=1e-12)
        # the mantle only: the axis (y = 0, also in the lateral group) has weight 0
        assert stack.measure_size(f"{name}_lateral") == pytest.approx(2 * np.pi * R * L,
                                                                      rel=1e-12)
    for name in ("cathode_cc", "anode_cc", "cathode|electrolyte", "electrolyte|anode"):
        assert stack.measure_size(name) == pytest.approx(area, rel=1e-12)


def test_derived_measures_keep_the_weight(stack):
    """Measures made from the regions' ones (a tag, a quadrature degree, metadata, a tuple of
    tags, a sum) stay weighted, once: int r^2 dV over a layer is 2 pi R^4 L / 4."""
    r = ufl.SpatialCoordinate(stack.mesh)[1]
    one = fem.Constant(stack.mesh, 1.0)
    dx, ds, dS = stack.dx(), stack.ds(), stack.dS()
    c, e = stack.layer_tag["cathode"], stack.layer_tag["electrolyte"]
    L = THICKNESS["cathode"] + THICKNESS["electrolyte"]
    assert _integral(stack, r**2 * dx(c, degree=3)) == pytest.approx(
        np.pi * R**4 * THICKNESS["cathode"] / 2, rel=1e-12)
    for m in (dx((c, e)), dx(c) + dx(e), dx((c, e), metadata={"quadrature_degree": 2})):
        assert _integral(stack, one * m) == pytest.approx(np.pi * R**2 * L, rel=1e-12)
    cc = stack.facet_tag["cathode_cc"]
    assert _integral(stack, r * ds(cc, metadata={"quadrature_degree": 2})) == pytest.approx(
        2 * np.pi * R**3 / 3, rel=1e-12)
    itf = stack.facet_tag["cathode|electrolyte"]
    assert _integral(stack, r * one("+") * dS(itf)) == pytest.approx(2 * np.pi * R**3 / 3,
                                                                     rel=1e-12)


def test_conduction_with_a_source_in_a_cylinder():
    from mesh_helpers import one_layer_regions

    from dolfinx import mesh

    from ssefem.fields import Field
    from ssefem.model import Model
    from ssefem.physics.ionics.conduction import conduction_term
    from ssefem.scales import Scales
    from ssefem.system import System
    from ssefem.terms import Constraint, Term

    msh = mesh.create_rectangle(MPI.COMM_WORLD, [[0, 0], [2.0, R]], [4, 3],
                                mesh.CellType.triangle, ghost_mode=mesh.GhostMode.shared_facet)
    regions = one_layer_regions(msh, "slab", {"mantle": lambda x: np.isclose(x[1], R)},
                                axisymmetric=True)
    model = Model(regions, Scales(298.15))
    # P2 holds the exact solution: Galerkin then reproduces it to round-off
    model.add_field(Field("phi", ("slab",), 0.0, 1.0, "1", degree=2))
    model.add_term(conduction_term("conduction", "phi", "slab", 1.0))
    q = 3.0
    model.add_term(Term("source:slab", "source", lambda ctx: {
        "phi": -ctx.constant("q", q) * ctx.v["phi"] * ctx.dx(ctx.layer("slab"))}))
    model.add_constraint(Constraint("phi", "mantle", "zero"))
    system = System(model)
    system.solve("current", False)
    ctx = system.ctx
    r = ufl.SpatialCoordinate(msh)[1]
    exact = q * (R**2 - r**2) / 4
    err = _integral(regions, (system.u["phi"] - exact) ** 2 * ctx.dx, system.entity_maps)
    norm = _integral(regions, exact**2 * ctx.dx)
    assert np.sqrt(err / norm) < 1e-10
