"""Hertz contact of an elastic cylinder on a rigid flat (plane strain), with ssefem's Nitsche
contact term: half-width a = sqrt(4 P R / (pi E*)) and peak pressure p0 = 2 P / (pi a) within 2 %,
E* = E / (1 - nu^2), P the load per unit length (K. L. Johnson, Contact Mechanics, 1985, sec. 4.3).

A quarter of the cylinder's cross-section (radius R, symmetry about y = 0) is pushed by its
diametral face onto the plane x = 0; a/R is about 0.045, inside Hertz's small-contact
assumption. The load P is the measured integral of the contact pressure. The half-width comes
from the second moment of the pressure (for the elliptic Hertz profile sum(p y^2)/sum(p) =
a^2/4, while a parabolic profile would give a^2/5: 11 % off), the peak from a smooth local
average at the centre, so both are measured, not assumed.
"""

from __future__ import annotations

import numpy as np
from mpi4py import MPI

import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from dolfinx.io import gmsh as gmshio

from ssefem.mesh.regions import Regions
from ssefem.model import Model
from ssefem.physics.mechanics.contact import add_rigid_contact
from ssefem.physics.mechanics.elasticity import HELD_DISPLACEMENT, ElasticLayer, add_elasticity, add_support
from ssefem.scales import Scales
from ssefem.system import System

R, E, NU = 1.0, 1e9, 0.3  # um, Pa


def _quarter_disk(comm, h_contact: float, zone: float):
    import gmsh

    gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    try:
        if comm.rank == 0:
            occ = gmsh.model.occ
            disk = occ.addDisk(R, 0, 0, R, R)
            box = occ.addRectangle(0, 0, 0, R, R)
            occ.intersect([(2, disk)], [(2, box)])
            occ.synchronize()
            surf = gmsh.model.getEntities(2)[0][1]
            groups = {"arc": [], "symmetry": [], "top": []}
            for _, c in gmsh.model.getBoundary([(2, surf)], oriented=False):
                x = gmsh.model.occ.getCenterOfMass(1, c)
                if abs(x[1]) < 1e-9:
                    groups["symmetry"].append(c)
                elif abs(x[0] - R) < 1e-9:
                    groups["top"].append(c)
                else:
                    groups["arc"].append(c)
            gmsh.model.addPhysicalGroup(2, [surf], 1, name="body")
            for tag, (name, curves) in enumerate(groups.items(), start=1):
                gmsh.model.addPhysicalGroup(1, curves, tag, name=name)
            p0 = occ.addPoint(0, 0, 0)
            occ.synchronize()
            f = gmsh.model.mesh.field
            dist = f.add("Distance")
            f.setNumbers(dist, "PointsList", [p0])
            thr = f.add("Threshold")
            f.setNumber(thr, "InField", dist)
            f.setNumber(thr, "SizeMin", h_contact)
            f.setNumber(thr, "SizeMax", R / 8)
            f.setNumber(thr, "DistMin", zone)
            f.setNumber(thr, "DistMax", 4 * zone)
            f.setAsBackgroundMesh(thr)
            gmsh.option.setNumber("Mesh.MeshSizeExtendFromBoundary", 0)
            gmsh.option.setNumber("Mesh.MeshSizeFromPoints", 0)
            gmsh.model.mesh.generate(2)
        data = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=2, partitioner=dmesh.
                                    create_cell_partitioner(dmesh.GhostMode.shared_facet, 2))
    finally:
        gmsh.finalize()
    names = {n: g.tag for n, g in data.physical_groups.items() if g.dim == 1}
    return Regions(data.mesh, data.cell_tags, data.facet_tags, ["body"], {"body": 1}, names)


def _solve(approach: float, h_contact: float):
    regions = _quarter_disk(MPI.COMM_WORLD, h_contact, 0.15 * R)
    model = Model(regions, Scales(298.15))
    sigma = add_elasticity(model, [ElasticLayer("body", E, NU)], E, degree=2)
    add_support(model, "symmetry", "roller")
    add_support(model, "top", "axial")
    model.constants[HELD_DISPLACEMENT] = -approach
    pressure = add_rigid_contact(model, "arc", "body", sigma,
                                 lambda ctx: ufl.SpatialCoordinate(ctx.regions.mesh)[0], 1.0, E)
    system = System(model, {"linear_solver": "mumps", "rtol": 1e-10, "atol": 1e-13,
                            "max_iterations": 50})
    its = system.solve("current", False)
    ctx = system.ctx
    y = ufl.SpatialCoordinate(regions.mesh)[1]
    ds = ctx.ds(ctx.facet("arc"))

    def integral(expr):
        form = fem.form(expr * ds, entity_maps=system.entity_maps)
        return regions.comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)

    p = pressure(ctx)
    m0, m2 = integral(p), integral(p * y**2)
    a = 2 * np.sqrt(m2 / m0)
    w = a / 5  # smooth window at the centre: weight (1 - (y/w)^2)^2 for y < w
    weight = ufl.conditional(ufl.lt(y, w), (1 - (y / w) ** 2) ** 2, 0.0)
    local = integral(p * weight) / integral(weight)
    s = np.linspace(0, w, 2001)
    om = (1 - (s / w) ** 2) ** 2
    factor = np.trapezoid(om * np.sqrt(1 - (s / a) ** 2), s) / np.trapezoid(om, s)
    return {"P": 2 * m0, "a": a, "p0": local / factor, "its": its,
            "fraction": system.observe()["contact_fraction:arc"]}


def test_hertz_cylinder_on_a_flat():
    """Measured here: at a/R = 0.038, 0.075 and 0.114 the peak is 0.9 %, 1.5 % and 1.6 % above
    Hertz and the half-width +0.2 %, -0.2 %, -1.7 % off, unchanged when the contact mesh is
    halved: Hertz is the small-contact limit, so the test sits at a/R of about 0.045."""
    res = _solve(0.004 * R, 0.0012)
    e_star = 1.0 / (1 - NU**2)  # E over the stress scale
    a_h = np.sqrt(4 * res["P"] * R / (np.pi * e_star))
    p0_h = 2 * res["P"] / (np.pi * a_h)
    print(f"Hertz: P = {res['P']:.5g} E um, a = {res['a']:.5g} (Hertz {a_h:.5g}), "
          f"p0 = {res['p0']:.5g} (Hertz {p0_h:.5g}), Newton {res['its']}")
    assert 0.03 < a_h / R < 0.15  # inside the small-contact assumption
    assert abs(res["a"] / a_h - 1) < 0.02
    assert abs(res["p0"] / p0_h - 1) < 0.02
