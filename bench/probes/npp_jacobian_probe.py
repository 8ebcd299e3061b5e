"""Probe: the galvanostatic binary-salt NPP test (tests/verification/test_npp_binary_salt.py)
with DOLFINx's Jacobian ("full") or the split one ("split") on MUMPS. At every Jacobian
evaluation of every solve both Jacobians are assembled at the same state and compared block
by block; residual norms, SNES reasons and iteration counts are logged.

usage (repository root, PYTHONPATH=.:tests):
    python bench/probes/npp_jacobian_probe.py split|full [stol] [linesearch]
"split" puts the split Jacobian on the SNES (as System does on the gamg path), "full" keeps
DOLFINx's; in both the other one is assembled at the same state for the comparison.
Logs to stdout; states after each step to bench/probes/state_*.npz (read by bench/probes/floor_probe.py).
"""
# ruff: noqa: I001
from __future__ import annotations

import sys

import ssefem  # noqa: F401  (orders MPI before DOLFINx)
import numpy as np
from dolfinx.fem.petsc import assemble_jacobian

sys.path.insert(0, "tests")
sys.path.insert(0, "tests/verification")
import test_npp_binary_salt as T

from ssefem.system import System

MODE = sys.argv[1]
STOL = float(sys.argv[2]) if len(sys.argv) > 2 else None
LS = sys.argv[3] if len(sys.argv) > 3 else None
if STOL is not None:
    T.TOL["stol"] = STOL
WORST = {"fro": 0.0, "max": 0.0}
LOG = []


def csr(M):
    ia, ja, a = M.getValuesCSR()
    import scipy.sparse as sp
    return sp.csr_matrix((a, ja, ia), shape=M.getSize())


def compare(problem, J_got, J_ref, tag):
    off = problem.b.getAttr("_blocks")[0]
    A, B = csr(J_got), csr(J_ref)
    D = (A - B)
    out = []
    for i in range(len(off) - 1):
        for j in range(len(off) - 1):
            d = D[off[i]:off[i + 1], off[j]:off[j + 1]]
            r = B[off[i]:off[i + 1], off[j]:off[j + 1]]
            rn = np.sqrt((r.data**2).sum()); rm = abs(r.data).max() if r.nnz else 0.0
            dn = np.sqrt((d.data**2).sum()); dm = abs(d.data).max() if d.nnz else 0.0
            fro = dn / rn if rn else dn
            mx = dm / rm if rm else dm
            out.append((i, j, fro, mx))
            WORST["fro"] = max(WORST["fro"], fro)
            WORST["max"] = max(WORST["max"], mx)
    # pattern: nonzero count / structural differences
    tot = np.sqrt((D.data**2).sum()) / np.sqrt((B.data**2).sum())
    return tot, out


_orig_problem = System.problem


def problem(self, control, transient):
    key = (control, transient)
    new = key not in self._problems
    res = _orig_problem(self, control, transient)
    if new:
        prob, fields, bcs = res
        split = self._split[key]
        if split is None:  # the MUMPS path keeps DOLFINx's Jacobian: build the split here
            from ssefem.affine import AffineJacobian
            split = AffineJacobian.create(prob, self.residuals(fields, transient),
                                          [self.u[n] for n in fields], bcs, self.entity_maps)
            self._split[key] = split  # System.solve then calls split.new_solve()
        snes = prob.solver
        if LS:
            snes.getLineSearch().setType(LS)
        print(f"# problem {key} fields {fields}; split fixed rows {sorted(split.fixed_rows)}, "
              f"iterate rows {sorted(split.iterate_rows)}, deps "
              f"{[getattr(d, 'name', type(d).__name__) for d in split._deps]}, "
              f"bc rows {split._bc_rows.size}", flush=True)
        J_other = prob.A.duplicate()

        def jac(snes_, x, J, P):
            if MODE == "split":
                split.jacobian(snes_, x, J, P)
                assemble_jacobian(snes_, x, J_other, None, prob.u, prob.J, None, bcs)
                got, ref = J, J_other
            else:
                assemble_jacobian(snes_, x, J, None, prob.u, prob.J, None, bcs)
                split.jacobian(snes_, x, J_other, P)
                got, ref = J_other, J
            tot, blocks = compare(prob, got, ref, key)
            it = snes_.getIterationNumber()
            bl = " ".join(f"{i}{j}:{f:.1e}/{m:.1e}" for i, j, f, m in blocks)
            print(f"   J it {it}: rel diff total {tot:.2e}  blocks(fro/max) {bl}", flush=True)

        snes.setJacobian(jac, prob.A, None)

        def monitor(snes_, it, fnorm):
            dx = snes_.getSolutionUpdate().norm() if it > 0 else float("nan")
            xn = snes_.getSolution().norm()
            print(f"   it {it:2d} |F| {fnorm:.6e} |dx| {dx:.3e} |dx|/|x| {dx / xn if xn else float("nan"):.2e}",
                  flush=True)

        snes.setMonitor(monitor)
    return res


System.problem = problem
_orig_solve = System.solve


def solve(self, control, transient):
    c = self.ctx.constant("inflow")
    print(f"-- solve {control} inflow={float(c.value):.12g} dt={float(self.dt.value):.6g}",
          flush=True)
    try:
        its = _orig_solve(self, control, transient)
    finally:
        prob = self._problems[(control, transient)][0]
        s = prob.solver
        # true residual at the returned state
        x = prob.x
        b = prob.b.duplicate()
        s.computeFunction(x, b)
        print(f"   reason {s.getConvergedReason()} its {s.getIterationNumber()} "
              f"|F|snes {s.getFunctionNorm():.6e} |F(x)| recomputed {b.norm():.6e} "
              f"|dx| last {s.getSolutionUpdate().norm():.3e} |x| {x.norm():.6e}", flush=True)
        LOG.append((s.getConvergedReason(), s.getIterationNumber(), b.norm()))
    return its


System.solve = solve

model, region, cat, system = T._cell()
results = {}
for frac in (0.1, 0.5, 0.8, 0.9):
    print(f"==== frac {frac}", flush=True)
    system.dt.value = 1e3 * T.T_D
    for step in range(3):
        res = T.solve_with_continuation(system, "current", True, "inflow",
                                        region.inflow_rate(model, cat, frac * T.I_LIM))
        system.commit()
        i = T._mean_current(system, region, cat)
        print(f"   step {step}: {res}  mean current {i:.10g} "
              f"rel err {(i / (frac * T.I_LIM) - 1):.3e}", flush=True)
        np.savez(f"bench/probes/state_{MODE}_{STOL}_{LS}_{frac}_{step}.npz", **system.snapshot())
    i = T._mean_current(system, region, cat)
    v = system.observe()["voltage"]
    print(f"==== frac {frac}: mean current {i:.10g} rel err {(i / (frac * T.I_LIM) - 1):.3e} "
          f"voltage {v:.12g}", flush=True)
    results[frac] = i
np.savez(f"bench/probes/state_{MODE}_{STOL}_{LS}.npz", **system.snapshot())
print(f"WORST block rel diff over all iterates: fro {WORST['fro']:.2e} max {WORST['max']:.2e}")
