"""Test helper: a manufactured potential that jumps across the boundaries of box-shaped grains.

The unit square of side 1 um times 0.25 um is cut into box grains (8 x 8 x 2 by default); the
exact field is a smooth f plus a constant offset per grain, so it jumps across every grain boundary by a different
amount, and its flux sigma grad f is continuous there. The resistive law i = g [phi] (g the
dimensionless conductance) is then met with an interface source s = -sigma grad f . n+ - g [u];
the bulk source is -sigma div grad f and the boundary a Robin condition that the exact field meets.
Every source is written here from the closed form, none comes from the code under test.
"""

from __future__ import annotations

import numpy as np
import ufl
from mpi4py import MPI

from dolfinx import fem, mesh

from ssefem.fields import Field
from ssefem.mesh.regions import Regions
from ssefem.model import Model
from ssefem.physics.ionics.conduction import conduction_term, conductivity_constant
from ssefem.physics.ionics.jumps import interior_penalty_term, resistive_jump_term
from ssefem.runner import run
from ssefem.scales import Scales
from ssefem.system import System
from ssefem.terms import Term

SIGMA = 1.7  # dimensionless conductivity
CONDUCTANCE = 2.0  # dimensionless 1/r: r = L_ref / (g sigma_ref) = 0.5e-6 Ohm m^2
GRAINS = (8, 8, 2)
ROBIN = 10.0


def grain_mesh(n: int, comm=MPI.COMM_WORLD, grains: tuple[int, int, int] = GRAINS
               ) -> tuple[Regions, fem.Function, int]:
    """Tetrahedra n x n x n/4 over [0, 1] x [0, 1] x [0, 0.25] as one layer 'grains' with the
    interior group 'grain_boundaries' between ``grains`` boxes; the exact per-grain offsets (DG0)
    and the global number of grain-boundary facets."""
    msh = mesh.create_box(comm, [[0.0, 0.0, 0.0], [1.0, 1.0, 0.25]], [n, n, n // 4],
                          mesh.CellType.tetrahedron, ghost_mode=mesh.GhostMode.shared_facet)
    tdim = 3
    imap = msh.topology.index_map(tdim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    mid = mesh.compute_midpoints(msh, tdim, cells)
    idx = np.floor(mid * np.array([grains[0], grains[1], grains[2] / 0.25])).astype(int)
    grain = idx[:, 0] + grains[0] * (idx[:, 1] + grains[1] * idx[:, 2])
    cell_tags = mesh.meshtags(msh, tdim, cells, np.ones_like(cells))
    msh.topology.create_connectivity(tdim - 1, tdim)
    facet_tags = mesh.meshtags(msh, tdim - 1, np.zeros(0, np.int32), np.zeros(0, np.int32))
    regions = Regions(msh, cell_tags, facet_tags, ["grains"], {"grains": 1}, {})
    f2c = msh.topology.connectivity(tdim - 1, tdim)
    inner = regions.interior_facets(("grains",))
    a = f2c.array[f2c.offsets[inner]]
    b = f2c.array[f2c.offsets[inner] + 1]
    boundaries = inner[grain[a] != grain[b]]
    regions.add_interior_group("grain_boundaries", boundaries)
    owned = boundaries[boundaries < msh.topology.index_map(tdim - 1).size_local]
    count = comm.allreduce(len(owned), op=MPI.SUM)
    offsets = np.random.default_rng(7).uniform(-0.5, 0.5, int(np.prod(grains)))
    Q = fem.functionspace(msh, ("DG", 0))
    c = fem.Function(Q)
    c.x.array[Q.dofmap.list[cells, 0]] = offsets[grain]
    return regions, c, count


def smooth(x):
    return ufl.sin(1.3 * x[0] + 0.4) * ufl.cos(0.9 * x[1]) * ufl.exp(2.0 * x[2]) + 0.3 * x[0] * x[1]


def jump_error(n: int, degree: int, comm=MPI.COMM_WORLD, conductance: float = CONDUCTANCE,
               grains: tuple[int, int, int] = GRAINS) -> tuple[float, int, int]:
    """L2 error of the discrete solution, the number of grain-boundary facets and of unknowns.
    ``conductance``: what the code is given (the exact field is built with CONDUCTANCE)."""
    regions, c, count = grain_mesh(n, comm, grains)
    scales = Scales(298.15)
    model = Model(regions, scales)
    model.add_field(Field("phi", ("grains",), 0.0, 1.0, "1", degree=degree))
    model.add_term(conduction_term("conduction", "phi", "grains", SIGMA))
    model.add_term(interior_penalty_term(model, "phi", {"grains": conductivity_constant("grains")}))
    r = scales.length / (conductance * scales.conductivity)
    model.add_term(resistive_jump_term(model, "phi", "grain_boundaries", r))
    x = ufl.SpatialCoordinate(regions.mesh)
    f = smooth(x)
    u_ex = f + c

    def sources(ctx):
        v = ctx.v["phi"]
        nrm = ufl.FacetNormal(regions.mesh)
        bulk = -SIGMA * ufl.div(ufl.grad(f))
        s = -SIGMA * ufl.dot(ufl.grad(f)("+"), nrm("+")) - CONDUCTANCE * (c("+") - c("-"))
        robin = ROBIN * (ctx.u["phi"] - u_ex) - SIGMA * ufl.dot(ufl.grad(f), nrm)
        return {"phi": -bulk * v * ctx.dx + s * ufl.jump(v) * ctx.dS(ctx.facet("grain_boundaries"))
                + robin * v * ctx.ds}

    model.add_term(Term("mms", "flux", sources, origin="test"))
    system = System(model, {"linear_solver": "mumps", "rtol": 1e-12, "atol": 1e-13})
    system.solve("current", False)
    u = system.u["phi"]
    e = fem.form(ufl.inner(u - u_ex, u - u_ex) * ufl.dx(domain=regions.mesh),
                 entity_maps=system.entity_maps)
    err = comm.allreduce(fem.assemble_scalar(e), op=MPI.SUM)
    return float(np.sqrt(err)), count, system.spaces["phi"].dofmap.index_map.size_global


JUNCTION_R = 2.5e-4  # Ohm m^2: 25 Ohm cm^2, a poorly sintered joint
JUNCTION_CURRENTS = [3.0, 20.0]  # A/m^2


def junction_case(case_factory, dim: int, plugin: bool):
    """LiCoO2 | LiPON | Li6PS5Cl | Li at steady currents, with the test plugin ``junction``
    (tests/plugins/ssefem_junction) between the two electrolytes or without it."""
    geometry = {"dimension": dim}
    if dim > 1:
        geometry.update(width=1.0, lateral_cells=2)
    return case_factory(
        geometry=geometry,
        layers=[{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 4},
                {"name": "sep_a", "material": "LiPON", "thickness": 1.0, "cells": 3},
                {"name": "sep_b", "material": "Li6PS5Cl", "thickness": 1.5, "cells": 3},
                {"name": "anode", "material": "Li", "thickness": 1.0, "cells": 2}],
        protocol={"steps": [{"kind": "steady", "currents": JUNCTION_CURRENTS}]},
        plugins={"junction": {"interface": "sep_a|sep_b", "resistance": JUNCTION_R}}
        if plugin else {},
    )


def junction_drop(case_factory, dim: int, comm=MPI.COMM_WORLD) -> np.ndarray:
    """The voltage the junction costs at each current: V(without) - V(with)."""
    def voltages(plugin):
        res = run(junction_case(case_factory, dim, plugin), write=False, progress=False,
                  comm=comm)
        return np.array([row["voltage"] for row in res.series.rows])

    return voltages(False) - voltages(True)
