"""Newton's defaults, in one place: the case's ``[solver]`` table (:class:`ssefem.case.Solver`)
and a bare :class:`ssefem.system.System` both start from these (no PETSc import here)."""

NEWTON_DEFAULTS = {"rtol": 1e-10, "atol": 1e-12, "stol": 1e-13, "max_iterations": 30,
                   "linear_solver": "mumps"}
