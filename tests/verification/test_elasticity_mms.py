"""Manufactured solutions for the elasticity terms: two bonded layers of different stiffness, an
eigenstrain varying in space, 2-D plane strain and 3-D. The body force and the traction jump at
the interface come from the exact field; the L2 error must fall at order p + 1.

The periodic variant (``Model.periodic``, ssefem/periodic.py) has a field periodic across the
lateral faces but neither zero nor symmetric there (a phase shift per component): only a
periodic constraint reproduces it, rollers or free faces do not.
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

import ufl
from dolfinx import fem

from ssefem.mesh import load_regions
from ssefem.mesh.builder import StackSpec
from ssefem.model import Model
from ssefem.physics.mechanics.elasticity import (
    DISPLACEMENT,
    ElasticLayer,
    add_elasticity,
    add_support,
    stress,
)
from ssefem.scales import Scales
from ssefem.system import System
from ssefem.terms import Term

L, W = 1.0, 1.0  # two layers of 0.5 um each, 1 um wide
LAYERS = [ElasticLayer("a", 150e9, 0.25, None), ElasticLayer("b", 20e9, 0.38, None)]
SCALE = 150e9


def _exact(x, gdim):
    """A displacement vanishing on every outer face of the unit box."""
    b = ufl.sin(np.pi * x[0])
    for k in range(1, gdim):
        b = b * ufl.sin(np.pi * x[k])
    return ufl.as_vector([(k + 1) * 1e-3 * b * ufl.cos(0.5 * x[0] + k) for k in range(gdim)])


def _exact_periodic(x, gdim):
    """Zero on the collectors (x = 0, 1), periodic in y (and z) with the period W, with
    components shifted in phase (no lateral face is a plane of symmetry)."""
    b = ufl.sin(np.pi * x[0])
    out = []
    for k in range(gdim):
        w = b * ufl.cos(0.5 * x[0] + k)
        for j in range(1, gdim):
            w = w * (1.5 + ufl.sin(2 * np.pi * x[j] / W + 0.7 * (k + j)))
        out.append((k + 1) * 1e-3 * w)
    return ufl.as_vector(out)


def _eigen(ctx, state):
    x = ufl.SpatialCoordinate(ctx.regions.mesh)
    return 2e-4 * ufl.cos(2.0 * x[0]) * (1 + x[1] ** 2)


def _eigen_periodic(ctx, state):
    x = ufl.SpatialCoordinate(ctx.regions.mesh)
    return 2e-4 * ufl.cos(2.0 * x[0]) * (1 + 0.5 * ufl.sin(2 * np.pi * x[1] / W + 0.3))


def _error(dim: int, n: int, degree: int, tensor: bool, periodic: bool = False) -> float:
    spec = StackSpec(names=("a", "b"), thicknesses=(L / 2, L / 2), cells=(n, n),
                     grading=(1.0, 1.0), dimension=dim, width=W, lateral_cells=2 * n,
                     tensor=tensor)
    regions = load_regions(spec, MPI.COMM_WORLD)
    model = Model(regions, Scales(298.15))
    eigen = _eigen_periodic if periodic else _eigen
    layers = [ElasticLayer(la.name, la.youngs_modulus, la.poisson_ratio, eigen) for la in LAYERS]
    add_elasticity(model, layers, SCALE, degree)
    for face in ("a_cc", "b_cc") if periodic else ("a_cc", "b_cc", "a_lateral", "b_lateral"):
        add_support(model, face, "fixed")
    if periodic:
        model.periodic = tuple(range(1, dim))
    x = ufl.SpatialCoordinate(regions.mesh)
    u_ex = (_exact_periodic if periodic else _exact)(x, dim)

    def sigma_ex(ctx, layer):
        return stress(ctx, layer, {DISPLACEMENT: u_ex}, SCALE)

    def forcing(ctx):
        v = ctx.v[DISPLACEMENT]
        out = 0
        for layer in layers:
            s = sigma_ex(ctx, layer)
            f = ufl.as_vector([-sum(s[i, j].dx(j) for j in range(dim)) for i in range(dim)])
            out += -ufl.dot(f, v) * ctx.dx(ctx.layer(layer.name))
        # traction jump on the interface (normal +x from a to b)
        sa, sb = sigma_ex(ctx, layers[0]), sigma_ex(ctx, layers[1])
        jump = ufl.as_vector([sa[i, 0] - sb[i, 0] for i in range(dim)])
        out += -ufl.dot(jump("+"), v("+")) * ctx.dS(ctx.facet("a|b"))
        return {DISPLACEMENT: out}

    model.add_term(Term("mms_forcing", "source", forcing, origin="test"))
    system = System(model, {"linear_solver": "mumps"})
    system.solve("current", False)
    u = system.u[DISPLACEMENT]
    e = fem.form(ufl.inner(u - u_ex, u - u_ex) * ufl.dx(domain=regions.mesh),
                 entity_maps=system.entity_maps)
    err = regions.comm.allreduce(fem.assemble_scalar(e), op=MPI.SUM)
    return float(np.sqrt(err))


@pytest.mark.parametrize("dim,degree,tensor,sizes", [
    (2, 1, False, (4, 8, 16)), (2, 2, False, (2, 4, 8)), (2, 1, True, (4, 8, 16)),
    (3, 1, True, (2, 4, 8)), (3, 2, True, (1, 2, 4))])
def test_elasticity_converges_at_the_expected_order(dim, degree, tensor, sizes):
    errors = [_error(dim, n, degree, tensor) for n in sizes]
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    print(f"dim {dim} P{degree} tensor={tensor}: errors {errors}, rates {rates}")
    assert errors[-1] < errors[0]
    assert rates[-1] >= degree + 1 - 0.1, (errors, rates)


@pytest.mark.parametrize("dim,degree,tensor,sizes", [
    (2, 1, False, (4, 8, 16)), (2, 2, False, (2, 4, 8)), (3, 1, True, (2, 4, 8)),
    (3, 2, False, (1, 2, 4))])
def test_periodic_elasticity_converges_at_the_expected_order(dim, degree, tensor, sizes):
    """A lateral period: the same orders as with supported faces."""
    errors = [_error(dim, n, degree, tensor, periodic=True) for n in sizes]
    rates = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    print(f"periodic dim {dim} P{degree} tensor={tensor}: errors {errors}, rates {rates}")
    assert errors[-1] < errors[0]
    assert rates[-1] >= degree + 1 - 0.1, (errors, rates)
