"""Benchmark: the cost of letting a potential jump across grain boundaries.

A unit cube of ``--cells``^3 x 6 tetrahedra cut into ``--grains``^3 box grains (default 10^3 =
1,000 grains, the size of the next issues' polycrystals). The same Ohmic problem (unit source,
Robin boundary) is solved twice in one process: with a continuous P1 potential (no jumps), and
with the potential broken across every grain boundary (resistive law, discontinuous P1 kept
continuous inside the grains by interior penalty, ssefem/physics/ionics/jumps.py). Reports the grain-
boundary facets, the unknowns and the wall time of set-up (forms, compilation cached) and solve,
for the direct (MUMPS) and the iterative (GAMG) solver. Usage:
``python bench/jumps.py [--cells 20] [--grains 10] [--solver mumps]``.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from mpi4py import MPI

import ssefem  # noqa: F401
import ufl
from dolfinx import mesh

from ssefem.fields import Field
from ssefem.mesh.regions import Regions
from ssefem.model import Model
from ssefem.physics.ionics.conduction import conduction_term, conductivity_constant
from ssefem.physics.ionics.jumps import interior_penalty_term, resistive_jump_term
from ssefem.scales import Scales
from ssefem.system import System
from ssefem.terms import Term


def regions_with_grains(n: int, grains: int) -> tuple[Regions, int]:
    msh = mesh.create_unit_cube(MPI.COMM_WORLD, n, n, n, mesh.CellType.tetrahedron,
                                ghost_mode=mesh.GhostMode.shared_facet)
    imap = msh.topology.index_map(3)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    idx = np.minimum(np.floor(mesh.compute_midpoints(msh, 3, cells) * grains), grains - 1)
    grain = (idx @ np.array([1, grains, grains * grains])).astype(int)
    msh.topology.create_connectivity(2, 3)
    regions = Regions(msh, mesh.meshtags(msh, 3, cells, np.ones_like(cells)),
                      mesh.meshtags(msh, 2, np.zeros(0, np.int32), np.zeros(0, np.int32)),
                      ["grains"], {"grains": 1}, {})
    inner = regions.interior_facets(("grains",))
    f2c = msh.topology.connectivity(2, 3)
    a, b = f2c.array[f2c.offsets[inner]], f2c.array[f2c.offsets[inner] + 1]
    gb = inner[grain[a] != grain[b]]
    regions.add_interior_group("grain_boundaries", gb)
    owned = np.count_nonzero(gb < msh.topology.index_map(2).size_local)
    return regions, MPI.COMM_WORLD.allreduce(int(owned), op=MPI.SUM)


def solve(n: int, grains: int, jumps: bool, solver: str) -> dict:
    t0 = time.perf_counter()
    regions, facets = regions_with_grains(n, grains)
    scales = Scales(298.15)
    model = Model(regions, scales)
    model.add_field(Field("phi", ("grains",), 0.0, 1.0, "1"))
    model.add_term(conduction_term("conduction", "phi", "grains", 1.0))
    model.add_term(interior_penalty_term(model, "phi", {"grains": conductivity_constant("grains")}))
    if jumps:  # r = 1e-7 Ohm m^2: a grain boundary as resistive as 0.1 um of the grain
        model.add_term(resistive_jump_term(model, "phi", "grain_boundaries", 1e-7))

    def load(ctx):
        x = ufl.SpatialCoordinate(regions.mesh)
        v, u = ctx.v["phi"], ctx.u["phi"]
        return {"phi": -(1 + x[0]) * v * ctx.dx + 10.0 * u * v * ctx.ds}

    model.add_term(Term("load", "flux", load))
    system = System(model, {"linear_solver": solver, "rtol": 1e-9, "atol": 1e-12})
    t1 = time.perf_counter()
    its = system.solve("current", False)
    t2 = time.perf_counter()
    return {"jumps": jumps, "grain_boundary_facets": facets,
            "unknowns": system.spaces["phi"].dofmap.index_map.size_global,
            "setup_s": round(t1 - t0, 2), "solve_s": round(t2 - t1, 2), "newton": its}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=20)
    ap.add_argument("--grains", type=int, default=10)
    ap.add_argument("--solver", default="mumps", choices=["mumps", "gamg"])
    args = ap.parse_args()
    rows = [solve(args.cells, args.grains, j, args.solver) for j in (False, True, False, True)]
    plain, broken = rows[2], rows[3]  # the second pass: forms compiled
    if MPI.COMM_WORLD.rank == 0:
        print(json.dumps({"cells": args.cells, "grains": args.grains ** 3, "solver": args.solver,
                          "continuous": plain, "broken": broken,
                          "unknowns_ratio": round(broken["unknowns"] / plain["unknowns"], 2),
                          "solve_ratio": round(broken["solve_s"] / max(plain["solve_s"], 1e-9),
                                               2)}, indent=1))


if __name__ == "__main__":
    main()
