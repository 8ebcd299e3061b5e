"""Benchmark: ssefem's Nernst-Planck-Poisson against FiPy on the same problem at equal error.

The problem (1-D, and 2-D as a laterally uniform strip): one mobile cation (dilute) on a fixed
background of equal charge, blocking at x = 0 where the surface potential is u0 = 5 RT/F, the
electroneutral bulk (c = c0, phi = 0) at x = L = 100 lambda_D. The unknowns are c and phi, coupled
(Nernst-Planck and Poisson), and each code solves them its own way: ssefem with Newton on
(mu, phi) and P1 finite elements on a graded gmsh mesh, FiPy with its cell-centred finite volumes
and the Gummel iteration usual there (Poisson with Newton sweeps on the Boltzmann term, then
Nernst-Planck with the exponential convection scheme), on the same graded node distribution
(FiPy's coupled sweep of c and phi gave a singular matrix here). The error is that of the areal space charge against the exact first integral,
|Q| = lambda_D sqrt(2 (e^-u0 + u0 - 1)) (units of F c0). Each code is refined until its error is
below ``--tol``; the reported time is the wall time of the solve at that resolution (ssefem's form
compilation excluded by a warm-up solve, FiPy's sweeps from the flat state), measured in one run.

Usage: ``python bench/npp_vs_fipy.py [--tol 1e-3 1e-5] [--out bench/out]``; ``make bench``
installs FiPy into the venv for it (it is not a dependency of ssefem).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path

import numpy as np
from mpi4py import MPI

import ssefem  # noqa: F401  (MPI before DOLFINx)

U0 = 5.0
RATIO = 1e-2  # lambda_D / L
LENGTH = 10.0  # um
C0 = 10.0


def exact_charge(lam: float) -> float:
    return lam * math.sqrt(2.0 * (math.exp(-U0) + U0 - 1.0))


def nodes(n: int, lam: float) -> np.ndarray:
    """The graded node positions both codes use: geometric from lambda/n_face at x = 0."""
    from ssefem.mesh.builder import geometric_ratio

    h0 = 2.0 * lam / n
    r = geometric_ratio(LENGTH, n, h0)
    h = h0 * r ** np.arange(n)
    return np.concatenate([[0.0], np.cumsum(h)]) * LENGTH / h.sum()


# -- ssefem ------------------------------------------------------------------------------------
def ssefem_solve(n: int, dim: int, degree: int = 1):
    from dolfinx import fem

    from ssefem.constants import EPS0, F, R
    from ssefem.mesh import load_regions
    from ssefem.mesh.builder import StackSpec
    from ssefem.model import Model
    from ssefem_space_charge.nernst_planck import add_nernst_planck_poisson
    from ssefem_space_charge.species import Species
    from ssefem.scales import Scales
    from ssefem.studies.continuation import solve_with_continuation
    from ssefem.system import System
    from ssefem.terms import Constraint

    T = 298.15
    lam = RATIO * LENGTH
    eps = (lam * 1e-6) ** 2 * F**2 * C0 / (EPS0 * R * T)
    sp = Species("ion", 1, 1e-12, C0)
    # the builder's face_cell grading is symmetric: a double-length slab, the half used
    h0 = 2.0 * lam / n
    spec = StackSpec(("s",), (2 * LENGTH,), (2 * n,), (1.0,), dimension=dim, width=1.0,
                     lateral_cells=1, tensor=True, face_cell=(h0,))
    regions = load_regions(spec, MPI.COMM_SELF)
    model = Model(regions, Scales(T))
    region = add_nernst_planck_poisson(model, ("s",), [sp], eps_r=eps, degree=degree)
    model.add_constraint(Constraint("phi_e", "s_left", "u0"))
    model.add_constraint(Constraint("phi_e", "s_right", "u0"))
    model.add_constraint(Constraint(sp.field, "s_right", "zero"))
    system = System(model, {"rtol": 1e-10, "atol": 1e-12, "stol": 0.0, "max_iterations": 50})
    form = fem.form(region.charge(system.ctx) * region.dx(system.ctx),
                    entity_maps=system.entity_maps)

    def solve():
        system.load({k: np.zeros_like(v) for k, v in system.snapshot().items()})
        system.ctx.constant("u0").value = 0.0
        solve_with_continuation(system, "eq", False, "u0", U0)
        # both faces carry the surface potential: half the charge is one double layer
        return 0.5 * fem.assemble_scalar(form)

    solve()  # warm-up: form compilation
    t0 = time.perf_counter()
    q = solve()
    dt = time.perf_counter() - t0
    dofs = sum(V.dofmap.index_map.size_global for V in system.spaces.values())
    return abs(q), dt, dofs, system.problem("eq", False)[0].solver.getIterationNumber()


# -- FiPy --------------------------------------------------------------------------------------
def fipy_solve(n: int, dim: int):
    """Gummel iteration, as PNP is usually solved with FiPy: Poisson with the Boltzmann term
    linearised in Newton sweeps (quasi-Fermi level mu fixed), then Nernst-Planck for c with phi
    fixed (exponential convection scheme), mu = ln c + phi, until mu changes by < 1e-10."""
    import fipy as fp

    # direct solves to 1e-14: with FiPy's default tolerances its solver returns early once the
    # Newton updates are small, and the sweeps stall at a wrong answer on fine meshes (errors
    # of 2 % and 23 % seen here), which would compare ssefem with a wrong answer
    lu = fp.LinearLUSolver(tolerance=1e-14, iterations=20)
    lam = RATIO * LENGTH
    dx = np.diff(nodes(n, lam))
    mesh = fp.Grid1D(dx=dx) if dim == 1 else fp.Grid2D(dx=dx, dy=[1.0])
    c = fp.CellVariable(mesh=mesh, value=1.0)  # units of c0
    phi = fp.CellVariable(mesh=mesh, value=0.0)  # units of RT/F
    phi.constrain(U0, where=mesh.facesLeft)
    phi.constrain(0.0, where=mesh.facesRight)
    c.constrain(1.0, where=mesh.facesRight)
    mu = np.zeros(mesh.numberOfCells)
    sweeps = 0
    t0 = time.perf_counter()
    for _ in range(100):
        for _ in range(100):
            old = np.array(phi.value)
            b = fp.CellVariable(mesh=mesh, value=np.exp(mu - old))
            eq_phi = (fp.DiffusionTerm(coeff=lam**2, var=phi) - fp.ImplicitSourceTerm(b, var=phi)
                      + b * (1.0 + old) - 1.0)
            eq_phi.solve(var=phi, solver=lu)
            sweeps += 1
            if np.abs(np.asarray(phi.value) - old).max() < 1e-10:  # Newton converged
                break
        eq_c = (fp.DiffusionTerm(coeff=1.0, var=c)
                + fp.ExponentialConvectionTerm(coeff=phi.faceGrad, var=c))
        eq_c.solve(var=c, solver=lu)
        new = np.log(np.maximum(np.asarray(c.value), 1e-300)) + np.asarray(phi.value)
        change = np.abs(new - mu).max()
        mu = new
        if change < 1e-10:
            break
    dt = time.perf_counter() - t0
    width = 1.0
    q = float(np.sum((np.exp(mu - np.asarray(phi.value)) - 1.0) * mesh.cellVolumes)) / width
    return abs(q), dt, 2 * mesh.numberOfCells, sweeps


def refine(fn, dim: int, tol: float, start: int, label: str):
    """Double the resolution until the relative error is below tol; return the last row."""
    exact = exact_charge(RATIO * LENGTH)
    n, row = start, None
    while n <= 200000:
        out = fn(n, dim)
        err = abs(out[0] - exact) / exact
        row = {"code": label, "dim": dim, "n": n, "unknowns": out[2], "error": err,
               "time_s": out[1], "newton_or_sweeps": out[3]}
        print(json.dumps(row), flush=True)
        if err < tol:
            return row
        n *= 2
    raise RuntimeError(f"{label} did not reach the error {tol}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tol", type=float, nargs="+", default=[1e-3, 1e-5])
    ap.add_argument("--out", default="bench/out")
    args = ap.parse_args()
    os.environ.setdefault("FIPY_SOLVERS", "scipy")
    rows, lines = [], []
    for tol in args.tol:
        for dim in (1, 2):
            a = refine(ssefem_solve, dim, tol, 20, "ssefem P1")
            b = refine(fipy_solve, dim, tol, 20, "FiPy")
            rows += [{**a, "tol": tol}, {**b, "tol": tol}]
            lines.append(f"{dim}-D at error < {tol:g}: ssefem {a['time_s']:.3g} s "
                         f"({a['unknowns']} unknowns), FiPy {b['time_s']:.3g} s "
                         f"({b['unknowns']} unknowns): FiPy / ssefem = "
                         f"{b['time_s'] / a['time_s']:.1f}")
    print("\n".join(lines), flush=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "npp_vs_fipy.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
