"""ssefem: continuum multiphysics of all-solid-state batteries on DOLFINx.

Importing the package orders MPI ahead of the DOLFINx bindings when DOLFINx comes from the
``dolfinx-solver-real`` wheel; a DOLFINx from conda or the official Docker image works as is.
"""

from __future__ import annotations

try:  # the wheel must be imported before dolfinx/petsc4py; absent for conda/Docker installs
    import dolfinx_solver  # noqa: F401
except ImportError:  # pragma: no cover - depends on how DOLFINx was installed
    pass

from ssefem.version import __version__  # noqa: E402
from ssefem.case import Case, load_case  # noqa: E402
from ssefem.errors import CaseError, SolverError  # noqa: E402

__all__ = ["Case", "CaseError", "SolverError", "__version__", "load_case"]


