"""Benchmark: 3-D layered elasticity, CG + GAMG with the rigid-body near-null space vs MUMPS.

The stack NMC811 | Li6PS5Cl | Li (hexahedra, laterally constrained, 5 MPa on the positive
collector) is solved through ssefem's own terms and System, once per solver, on meshes of about
``--sizes`` unknowns. MUMPS runs only up to ``--direct-max`` unknowns (its fill-in needs ~25 GB
at 1e6 3-D unknowns, more than the 24 GiB development machine has). For each size it reports the
wall time of the solve (after a warm-up solve that pays JIT and set-up), CG iterations with the
six rigid-body modes and with translations only, and the iterative/direct time ratio measured in
the same run.
Usage: ``python bench/elasticity.py [--sizes 3e4 1e5 3e5 1e6] [--out bench/out]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

import ssefem  # noqa: F401
from ssefem.materials import Library
from ssefem.mesh import load_regions
from ssefem.mesh.builder import StackSpec
from ssefem.model import Model
from ssefem.physics.mechanics.elasticity import (
    DISPLACEMENT,
    ElasticLayer,
    add_elasticity,
    add_pressure,
    add_support,
    rigid_body_modes,
)
from ssefem.scales import Scales
from ssefem.system import System

STACK = (("cathode", "NMC811", 2.0), ("electrolyte", "Li6PS5Cl", 4.0), ("anode", "Li", 2.0))


def _system(n: int, comm, solver: str, nullspace: bool = True) -> System:
    spec = StackSpec(names=tuple(s[0] for s in STACK), thicknesses=tuple(s[2] for s in STACK),
                     cells=(n, 2 * n, n), grading=(1.0, 1.0, 1.0), dimension=3, width=8.0,
                     lateral_cells=4 * n, tensor=True)
    regions = load_regions(spec, comm)
    lib = Library.builtin()
    layers = [ElasticLayer(name, lib.get(m).at("youngs_modulus", 298.15),
                           lib.get(m).at("poisson_ratio", 298.15)) for name, m, _ in STACK]
    model = Model(regions, Scales(298.15))
    add_elasticity(model, layers, 1e9)
    if not nullspace:  # translations only (what GAMG assumes from the block size alone)
        f = model.fields[DISPLACEMENT]
        model.fields[DISPLACEMENT] = dataclasses.replace(
            f, near_nullspace=lambda V: rigid_body_modes(V)[:3])
    add_support(model, "anode_cc", "roller")
    for name, _, _ in STACK:
        add_support(model, f"{name}_lateral", "roller")
    add_pressure(model, "cathode_cc", 1e9, 5e6)
    return System(model, {"linear_solver": solver, "rtol": 1e-8, "atol": 1e-14, "stol": 0.0})


def _timed(system: System) -> tuple[float, int]:
    system.solve("current", False)  # warm-up: JIT, matrix and preconditioner set-up
    system.u[DISPLACEMENT].x.array[:] = 0.0
    t0 = time.perf_counter()
    system.solve("current", False)
    dt = time.perf_counter() - t0
    ksp = system.problem("current", False)[0].solver.getKSP()
    return dt, ksp.getIterationNumber()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="+", default=[3e4, 1e5, 3e5, 1e6])
    ap.add_argument("--direct-max", type=float, default=3.5e5)
    ap.add_argument("--out", default="bench/out")
    args = ap.parse_args()
    comm = MPI.COMM_WORLD
    rows = []
    for target in args.sizes:
        # unknowns = 3 (4n+1)^2 (4n+1) for cells (n, 2n, n) x 4n x 4n
        n = max(1, round(((target / 3) ** (1 / 3) - 1) / 4))
        gamg = _system(n, comm, "gamg")
        ndofs = gamg.spaces[DISPLACEMENT].dofmap.index_map.size_global * 3
        t_gamg, its = _timed(gamg)
        u_gamg = gamg.u[DISPLACEMENT].x.array.copy()
        del gamg
        t_plain, its_plain = _timed(_system(n, comm, "gamg", nullspace=False))
        row = {"n": n, "unknowns": ndofs, "gamg_time_s": t_gamg, "cg_its": its,
               "cg_its_translations_only": its_plain, "gamg_translations_only_time_s": t_plain}
        if ndofs <= args.direct_max:
            direct = _system(n, comm, "mumps")
            t_direct, _ = _timed(direct)
            diff = np.abs(direct.u[DISPLACEMENT].x.array - u_gamg).max()
            scale = np.abs(direct.u[DISPLACEMENT].x.array).max()
            row.update(mumps_time_s=t_direct, ratio_gamg_over_mumps=t_gamg / t_direct,
                       max_rel_difference=float(comm.allreduce(diff, op=MPI.MAX)
                                                / comm.allreduce(scale, op=MPI.MAX)))
            del direct
        rows.append(row)
        if comm.rank == 0:
            print(json.dumps(row), flush=True)
    if comm.rank == 0:
        if len(rows) > 1:
            a, b = rows[0], rows[-1]
            growth = np.log(b["gamg_time_s"] / a["gamg_time_s"]) / np.log(
                b["unknowns"] / a["unknowns"])
            print(f"CG+GAMG time ~ unknowns^{growth:.2f}; CG iterations "
                  + ", ".join(str(r["cg_its"]) for r in rows) + "; gamg/mumps "
                  + ", ".join(f"{r['ratio_gamg_over_mumps']:.3f}" for r in rows
                              if "ratio_gamg_over_mumps" in r) + f" on {comm.size} rank(s)")
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "elasticity.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
