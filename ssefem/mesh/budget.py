"""The size of the mesh a case asks for, estimated before meshing, against the machine's memory.

Each layer allows up to 100 000 cells and the width 10 000 lateral cells, so a 3-D case may
ask for ~1e14 elements, which gmsh would try to build until the machine runs out of memory.
The element count follows from the case alone (cells across each layer x lateral cells^(d-1)
x the simplices per structured cell), the memory from a measured cost per element of the
coupled system with its direct solver (:data:`BYTES_PER_ELEMENT`); a case that cannot fit is
refused before anything is meshed, naming the keys that set its size.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ssefem.case import Case
from ssefem.errors import CaseError

#: simplices per structured cell (gmsh splits a transfinite quadrangle into 2 triangles, a
#: transfinite hexahedron into 6 tetrahedra)
SIMPLICES = {1: 1, 2: 2, 3: 6}
#: memory of the coupled cell system per element, with MUMPS: measured (peak RSS less the
#: ~160 MB of an empty run) 2.4 kB per element on thin_film_3d with 30 x 30 lateral cells
#: (216 000 tetrahedra), 2.7 kB for the increment from 20 x 20; MUMPS' fill grows faster than
#: the mesh, so the estimate takes three times that
BYTES_PER_ELEMENT = 8 * 1024
#: ... times this with [mechanics] (a displacement field of 1 or 3 components more)
MECHANICS_FACTOR = 3.0
#: memory of Python, DOLFINx and PETSc before any mesh, per rank
BASE_BYTES = 300 * 2**20


@dataclass(frozen=True)
class MeshEstimate:
    elements: int
    bytes: int

    def describe(self) -> str:
        return f"{self.elements:.3g} elements (~{self.bytes / 2**30:.3g} GiB)"


def layer_cells(case: Case) -> list[int]:
    """Elements across each meshed layer (a layer with ``face_cell`` is meshed in two halves)."""
    out = []
    for layer in case.layers:
        if layer.mode != "meshed":
            continue
        out.append(2 * max(1, (layer.cells + 1) // 2) if layer.face_cell else layer.cells)
    return out


def estimate(case: Case, ranks: int = 1) -> MeshEstimate:
    """Elements of the stack mesh the case asks for and the memory its run needs (all ranks)."""
    g = case.geometry
    across = sum(layer_cells(case))
    elements = across * g.lateral_cells ** (g.dimension - 1)
    if g.cell_type == "simplex":
        elements *= SIMPLICES[g.dimension]
    per = BYTES_PER_ELEMENT * (MECHANICS_FACTOR if case.mechanics is not None else 1.0)
    return MeshEstimate(int(elements), int(BASE_BYTES * ranks + per * elements))


def available_memory() -> int | None:
    """Bytes of memory available to this machine's processes (MemAvailable), or None."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def check_budget(case: Case, available: int | None, ranks: int = 1) -> MeshEstimate:
    """Refuse a case whose mesh cannot fit in ``available`` bytes (all ranks' machines
    together; None: unknown, nothing refused). Names the keys that set the size."""
    est = estimate(case, ranks)
    if case.geometry.mesh_file is not None or available is None or est.bytes <= available:
        return est
    g = case.geometry
    worst = max(range(len(case.layers)), key=lambda i: case.layers[i].cells)
    lateral = g.lateral_cells ** (g.dimension - 1)
    keys = "geometry.lateral_cells" if lateral > case.layers[worst].cells else \
        f"layers[{worst}].cells"
    raise CaseError(keys, f"the mesh would have {est.describe()}, more than the "
                    f"{available / 2**30:.3g} GiB of memory available: use fewer "
                    "layers[i].cells or geometry.lateral_cells")
