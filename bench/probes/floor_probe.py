"""Round-off floor of the residual, conditioning of the Jacobian and state differences at the
0.9 i_lim state of the galvanostatic binary-salt test (uses the probe's saved states)."""
# ruff: noqa: I001
import sys

import ssefem  # noqa: F401  (orders MPI before DOLFINx)
import numpy as np
from dolfinx.fem.petsc import assemble_jacobian, assign

sys.path.insert(0, "tests"); sys.path.insert(0, "tests/verification")
import test_npp_binary_salt as T

model, region, cat, system = T._cell()
system.dt.value = 1e3 * T.T_D
system.ctx.constant("inflow").value = region.inflow_rate(model, cat, 0.9 * T.I_LIM)
def s(m, st, stol="None_None"):
    return dict(np.load(f"bench/probes/state_{m}_{stol}_0.9_{st}.npz"))
system.load(s("full", 1)); system.commit()
system.load(s("full", 2))
problem, fields, bcs = system.problem("current", True)
u = [system.u[f] for f in fields]
assign(u, problem.x)
x = problem.x
b = problem.b.duplicate()
problem.solver.computeFunction(x, b)
print("fields", fields, "blocks", problem.b.getAttr("_blocks")[0])
print(f"|F(x_full_final)| = {b.norm():.3e}  |x| = {x.norm():.6e}")
rng = np.random.default_rng(1)
x0 = x.getArray().copy()
norms = []
for k in range(20):
    x.setArray(x0 * (1 + 2.2e-16 * rng.standard_normal(x0.size)))
    problem.solver.computeFunction(x, b)
    norms.append(b.norm())
x.setArray(x0)
print(f"|F| at x perturbed by 1 ulp (relative 2.2e-16, 20 draws): min {min(norms):.2e} "
      f"median {np.median(norms):.2e} max {max(norms):.2e}")
J = problem.A.duplicate()
assemble_jacobian(None, x, J, None, u, problem.J, None, bcs)
ia, ja, a = J.getValuesCSR()
import scipy.sparse as sp

Jd = sp.csr_matrix((a, ja, ia), shape=J.getSize()).toarray()
sv = np.linalg.svd(Jd, compute_uv=False)
print(f"J: n = {Jd.shape[0]}, sigma_max {sv[0]:.3e}, sigma_min {sv[-1]:.3e}, "
      f"cond_2 {sv[0] / sv[-1]:.3e}; smallest 4 sigma {sv[-4:]}")
off = problem.b.getAttr("_blocks")[0]
for i in range(3):
    for j in range(3):
        B = Jd[off[i]:off[i+1], off[j]:off[j+1]]
        print(f"   block {i}{j} |.|_max {abs(B).max():.3e}")
# per-block residual noise: row-sum of |J||x| * eps
noise = np.abs(Jd) @ np.abs(x0) * 2.2e-16
print(f"eps * | |J| |x| |_2 = {np.linalg.norm(noise):.3e}  (per block: "
      + ", ".join(f"{np.linalg.norm(noise[off[i]:off[i+1]]):.2e}" for i in range(3)) + ")")
# a Newton step from round-off residual: |J^-1 r| for r of the floor's size
U, S, Vt = np.linalg.svd(Jd)
r = b.getArray().copy(); problem.solver.computeFunction(x, b); r = b.getArray().copy()
dx = np.linalg.solve(Jd, r)
print(f"Newton step from the final residual: |dx| = {np.linalg.norm(dx):.3e}, "
      f"|dx|/|x| = {np.linalg.norm(dx) / np.linalg.norm(x0):.2e} (stol 1e-15)")
v = Vt[-1]
print("smallest singular vector per block: mean, std", [f"{v[off[i]:off[i+1]].mean():.4f}, {v[off[i]:off[i+1]].std():.1e}" for i in range(3)])
print("smallest singular vector: norm per block", [f"{np.linalg.norm(v[off[i]:off[i+1]]):.2f}" for i in range(3)])
# states
def diff(a, b_):
    return max(np.abs(a[n] - b_[n]).max() / max(1.0, np.abs(b_[n]).max()) for n in a)
print(f"max rel diff split step0 vs full step0: {diff(s('split', 0), s('full', 0)):.2e}")
print(f"max rel diff split final(=step2) vs split step0: {diff(s('split', 2), s('split', 0)):.2e}")
print(f"max rel diff full step2 vs full step0: {diff(s('full', 2), s('full', 0)):.2e}")
print(f"max rel diff full step2 vs full step1: {diff(s('full', 2), s('full', 1)):.2e}")
print(f"max rel diff split(stol 1e-14) step2 vs full step2: "
      f"{diff(s('split', 2, '1e-14_basic'), s('full', 2)):.2e}")
print(f"max rel diff full(stol 1e-14) step2 vs full step2: "
      f"{diff(s('full', 2, '1e-14_basic'), s('full', 2)):.2e}")
