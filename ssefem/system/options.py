"""Solver options: the Newton defaults (one place: the case schema takes them from here), the
PETSc option sets of each linear solver, and PETSc's option database kept clean."""

from __future__ import annotations

from petsc4py import PETSc

from ssefem.case.solver_defaults import NEWTON_DEFAULTS  # noqa: E402,F401  (re-exported)

PER_SOLVE = "per solve"  # snes_lag_preconditioner: once per Newton solve (see solver.py)

LINEAR = {
    "mumps": {"ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "mumps"},
    "superlu_dist": {
        "ksp_type": "preonly", "pc_type": "lu", "pc_factor_mat_solver_type": "superlu_dist",
    },
    # Monolithic GAMG, kept for a field solved alone (elasticity: CG with its rigid-body modes,
    # see Solvers.problem); blocked problems use BLOCKED. Threshold 0.02 and one smoothing step:
    # 182 instead of 416 GMRES iterations over the Newton solve of the 3-D benchmark cell
    # (bench/run.py, 1e5 unknowns), 38 instead of 81 in its last Newton step. Reusing only
    # GAMG's interpolation (kept here) did not change the benchmark's time.
    "gamg": {"ksp_type": "gmres", "ksp_gmres_restart": 200, "pc_type": "gamg",
             "pc_gamg_threshold": 0.02, "pc_gamg_agg_nsmooths": 1,
             "pc_gamg_reuse_interpolation": True, "ksp_rtol": 1e-8, "ksp_max_it": 3000},
}

# Blocked (several fields, kind="mpi") problems. "gamg": GMRES preconditioned field by field
# (PCFIELDSPLIT, one block per field, options of each block in SPLIT), the blocks in turn
# (multiplicative): an electrode's potential hardly sees the electrolyte in its scaled residual,
# so the fields in model order (electrodes first) make this nearly a block-triangular solve; one
# GAMG V-cycle per block is then a Poisson-like solve (the displacement's an elasticity solve
# with its rigid-body modes). The preconditioner is built at the first Newton iterate of each
# solve and reused for the rest of it (only the interface kinetics change within a solve).
# 3-D benchmark cell (bench/run.py, 1.05e5 unknowns), Newton solve with the split Jacobian
# (ssefem/affine.py): monolithic GAMG rebuilt every iterate 8.7 s of linear solves (182 GMRES
# iterations), built once per solve 5.3 s (137), per-field GAMG once per solve 2.6 s (77); with
# exact (LU) blocks 8 GMRES iterations in all. A lag of -2 instead (built once, then never
# again, also in later solves) made the first linear solve of transient steps fail.
BLOCKED = {
    **LINEAR,
    "gamg": {"ksp_type": "gmres", "ksp_gmres_restart": 200, "pc_type": "fieldsplit",
             "pc_fieldsplit_type": "multiplicative", "ksp_rtol": 1e-8, "ksp_max_it": 3000,
             "snes_lag_preconditioner": PER_SOLVE},
}

# Options of each field's block where BLOCKED uses PCFIELDSPLIT. Threshold 0.02 and one
# smoothing step (tuned first for monolithic GAMG: 182 instead of 416 GMRES iterations); per
# block on the benchmark 0.01-0.05 are alike, 0.1 doubles the iterations, unsmoothed
# aggregation (0) takes 127 instead of 77.
SPLIT = {
    "gamg": {"ksp_type": "preonly", "pc_type": "gamg", "pc_gamg_threshold": 0.02,
             "pc_gamg_agg_nsmooths": 1},
}


def snes_options(options: dict, single: bool) -> dict:
    """SNES and KSP options of a problem with one field (``single``) or a blocked one."""
    return {
        "snes_type": "newtonls",
        # full Newton steps: a step-length test is then meaningful (cut-back and
        # continuation handle hard starts)
        "snes_linesearch_type": "basic",
        # at least one Newton step: a residual already below atol at the start (a
        # metal electrode's, scaled by 1/sigma) must not pass for a converged state
        "snes_force_iteration": True,
        # no divergence test against that start either (scaled residuals can start
        # far below the O(1) ones of the first step); max_it and NaN checks remain
        "snes_divergence_tolerance": 1e30,  # (-1 is not taken from the options)
        "snes_rtol": options["rtol"],
        "snes_atol": options["atol"],
        "snes_stol": options["stol"],
        "snes_max_it": options["max_iterations"],
        **(LINEAR if single else BLOCKED)[options["linear_solver"]],
    }


def clear_options(prefix: str) -> None:
    """Remove the options of a prefix from PETSc's database. DOLFINx 0.11's NonlinearProblem
    leaves the options it sets there, and every System uses the same prefixes: a later one
    would inherit what it does not set itself (a lagged preconditioner of an earlier GAMG
    system made a later MUMPS system's Newton fail). Its solvers have read them by now."""
    db = PETSc.Options()
    for key in list(db.getAll()):
        if key.startswith(prefix):
            del db[key]
