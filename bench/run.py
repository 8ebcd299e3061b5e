"""Benchmark: steady 3-D cell vs a plain DOLFINx Poisson solve (CG + GAMG) on the same mesh.

Hexahedral meshes: at 1e6 unknowns a tetrahedral stack has 6x the cells (5.9 M); that run grew
past 12 GB and ended in a segmentation fault on the 24 GiB development machine.

Reports, for meshes of about 1e5 and 1e6 unknowns (``--sizes`` to change), the wall time of the
coupled steady solve (Newton, blocked system, GMRES + GAMG) divided by the wall time of one
Poisson solve on the parent mesh, and how each time grows with unknowns. Ratios come from one
run on one machine. Usage: ``python bench/run.py [--sizes 1e5 1e6] [--out bench/out]``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

import ssefem  # noqa: F401
import ufl
from dolfinx import fem
from dolfinx.fem.petsc import LinearProblem

from ssefem.case import case_from_dict
from ssefem.materials import Library
from ssefem.mesh import load_regions
from ssefem.physics import build_cell_model
from ssefem.runner import stack_spec
from ssefem.system import System


def _case(n: int):
    return case_from_dict({
        "name": "bench", "geometry": {"dimension": 3, "width": 10.0, "lateral_cells": n,
                                      "cell_type": "tensor"},
        "layers": [{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": n},
                   {"name": "electrolyte", "material": "LiPON", "thickness": 1.5, "cells": n},
                   {"name": "anode", "material": "Li", "thickness": 2.0, "cells": max(2, n // 4)}],
        "initial": {"stoichiometry": 0.6},
        "protocol": {"steps": [{"kind": "steady", "currents": [5.0]}]},
        "solver": {"linear_solver": "gamg", "rtol": 1e-8, "atol": 1e-12, "stol": 0.0},
    })


def _poisson(regions) -> tuple[float, int, int]:
    msh = regions.mesh
    V = fem.functionspace(msh, ("Lagrange", 1))
    u, v = ufl.TrialFunction(V), ufl.TestFunction(V)
    dofs = fem.locate_dofs_topological(V, msh.topology.dim - 1,
                                       regions.facet_tags.find(regions.facet_tag["anode_cc"]))
    bc = fem.dirichletbc(0.0, dofs, V)
    ds = regions.ds()(regions.facet_tag["cathode_cc"])
    problem = LinearProblem(
        ufl.inner(ufl.grad(u), ufl.grad(v)) * ufl.dx, fem.Constant(msh, 1.0) * v * ds, bcs=[bc],
        petsc_options_prefix="bench_poisson_",
        petsc_options={"ksp_type": "cg", "pc_type": "gamg", "ksp_rtol": 1e-8})
    problem.solve()  # warm-up: JIT and set-up outside the timing
    t0 = time.perf_counter()
    problem.solve()
    dt = time.perf_counter() - t0
    return dt, V.dofmap.index_map.size_global, problem.solver.getIterationNumber()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="+", default=[1e5, 1e6])
    ap.add_argument("--out", default="bench/out")
    args = ap.parse_args()
    comm = MPI.COMM_WORLD
    rows = []
    for target in args.sizes:
        # unknowns ~ 3 fields over (2n+n/4) x n x n nodes
        n = max(4, int(round((target / 2.25) ** (1 / 3))))
        case = _case(n)
        regions = load_regions(stack_spec(case), comm)
        model = build_cell_model(case, Library.builtin(), regions)
        system = System(model, case.solver.model_dump())
        system.ctx.constant("applied_current").value = 5.0 / model.scales.current
        system.solve("current", transient=False)  # warm-up (JIT, set-up)
        system.load({k: np.full_like(v, model.fields[k].initial)
                     for k, v in system.snapshot().items()})
        t0 = time.perf_counter()
        its = system.solve("current", transient=False)
        t_cell = time.perf_counter() - t0
        ksp = system.problem("current", False)[0].solver.getKSP()
        ndofs = sum(V.dofmap.index_map.size_global for n_, V in system.spaces.items()
                    if model.fields[n_].steady)
        t_poisson, npois, pits = _poisson(regions)
        snes = system.problem("current", False)[0].solver
        rows.append({"n": n, "cell_unknowns": ndofs, "cell_time_s": t_cell, "newton": its,
                     "last_krylov_its": ksp.getIterationNumber(),
                     "krylov_its": snes.getLinearSolveIterations(),
                     "voltage_V": system.observe()["voltage"], "poisson_unknowns": npois,
                     "poisson_time_s": t_poisson, "poisson_cg_its": pits,
                     "ratio": t_cell / t_poisson})
        if comm.rank == 0:
            print(json.dumps(rows[-1]), flush=True)
    if comm.rank == 0:
        if len(rows) > 1:
            a, b = rows[0], rows[-1]
            growth = np.log(b["cell_time_s"] / a["cell_time_s"]) / np.log(
                b["cell_unknowns"] / a["cell_unknowns"])
            print(f"time ~ unknowns^{growth:.2f} (cell); ratios "
                  + ", ".join(f"{r['ratio']:.2f}" for r in rows) + f" on {comm.size} rank(s)")
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "bench.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
