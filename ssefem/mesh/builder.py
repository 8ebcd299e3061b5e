"""gmsh (OpenCASCADE) builders for layered stacks in 1-D, 2-D and 3-D.

The stack runs along x, from the positive current collector (x = 0) to the negative one; lengths
are in micrometres (the solver's length scale). Physical groups are named for every layer
(``<layer>``), every internal interface (``<a>|<b>``), both current collectors (``<first>_cc``,
``<last>_cc``) and the lateral faces of each layer (``<layer>_lateral``). Element sizes across a
layer are graded so that the smallest elements touch the layer's faces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StackSpec:
    """What the builder needs: layer names, thicknesses (um), cells and grading, lateral size."""

    names: tuple[str, ...]
    thicknesses: tuple[float, ...]
    cells: tuple[int, ...]
    grading: tuple[float, ...]
    dimension: int = 1
    width: float = 10.0
    lateral_cells: int = 4
    tensor: bool = False

    def __post_init__(self):
        n = len(self.names)
        if not (len(self.thicknesses) == len(self.cells) == len(self.grading) == n):
            raise ValueError("StackSpec: names, thicknesses, cells and grading differ in length")
        if any(t <= 0 for t in self.thicknesses):
            raise ValueError("StackSpec: thicknesses must be positive")
        if self.dimension not in (1, 2, 3):
            raise ValueError(f"StackSpec: dimension must be 1, 2 or 3 (got {self.dimension})")

    @property
    def positions(self) -> np.ndarray:
        """x of the layer faces, length n + 1."""
        return np.concatenate([[0.0], np.cumsum(self.thicknesses)])

    def boundary_names(self) -> tuple[str, str]:
        return f"{self.names[0]}_cc", f"{self.names[-1]}_cc"

    def interface_names(self) -> list[str]:
        return [f"{a}|{b}" for a, b in zip(self.names, self.names[1:], strict=False)]


def _bump(grading: float) -> float:
    """gmsh 'Bump' coefficient: end/middle size ratio is 1/grading (1 means uniform)."""
    return 1.0 / grading


_TOL = [1e-9]


def _set_transfinite_x(gmsh, curve: int, cells: int, grading: float) -> None:
    if grading > 1.0:
        gmsh.model.mesh.setTransfiniteCurve(curve, cells + 1, "Bump", _bump(grading))
    else:
        gmsh.model.mesh.setTransfiniteCurve(curve, cells + 1)


def _bbox_entities(gmsh, dim: int, lo, hi) -> list[int]:
    tol = _TOL[0]
    box = (lo[0] - tol, lo[1] - tol, lo[2] - tol, hi[0] + tol, hi[1] + tol, hi[2] + tol)
    return [t for _, t in gmsh.model.getEntitiesInBoundingBox(*box, dim)]


def build_stack_model(gmsh, spec: StackSpec, features=()) -> dict[str, tuple[int, int]]:
    """Build and mesh the stack in the current gmsh model; return {group name: (dim, tag)}.

    ``features`` are callables ``(gmsh, spec)`` (plugins' mesh hooks) run before meshing. The
    caller owns gmsh's initialisation; only rank 0 should call this.
    """
    gmsh.model.add("ssefem_stack")
    gmsh.option.setNumber("Geometry.OCCBoundsUseStl", 1)
    _TOL[0] = 1e-7 * max(spec.positions[-1], spec.width)
    occ = gmsh.model.occ
    x = spec.positions
    d = spec.dimension
    w = spec.width
    groups: list[tuple[int, list[int], str]] = []
    cc0, cc1 = spec.boundary_names()
    if d == 1:
        pts = [occ.addPoint(xi, 0, 0) for xi in x]
        lines = [occ.addLine(pts[i], pts[i + 1]) for i in range(len(spec.names))]
        occ.synchronize()
        for i, name in enumerate(spec.names):
            groups.append((1, [lines[i]], name))
            _set_transfinite_x(gmsh, lines[i], spec.cells[i], spec.grading[i])
        groups.append((0, [pts[0]], cc0))
        groups.append((0, [pts[-1]], cc1))
        for i, name in enumerate(spec.interface_names()):
            groups.append((0, [pts[i + 1]], name))
    else:
        if d == 2:
            bodies = [occ.addRectangle(x[i], 0, 0, x[i + 1] - x[i], w) for i in range(len(spec.names))]
        else:
            bodies = [occ.addBox(x[i], 0, 0, x[i + 1] - x[i], w, w) for i in range(len(spec.names))]
        occ.fragment([(d, b) for b in bodies[:1]], [(d, b) for b in bodies[1:]])
        occ.synchronize()
        zmax = w if d == 3 else 0.0
        layer_ent = []
        for i, name in enumerate(spec.names):
            ents = _bbox_entities(gmsh, d, (x[i], 0, 0), (x[i + 1], w, zmax))
            layer_ent.append(ents)
            groups.append((d, ents, name))
        groups.append((d - 1, _bbox_entities(gmsh, d - 1, (0, 0, 0), (0, w, zmax)), cc0))
        groups.append((d - 1, _bbox_entities(gmsh, d - 1, (x[-1], 0, 0), (x[-1], w, zmax)), cc1))
        for i, name in enumerate(spec.interface_names()):
            xi = x[i + 1]
            groups.append((d - 1, _bbox_entities(gmsh, d - 1, (xi, 0, 0), (xi, w, zmax)), name))
        for i, name in enumerate(spec.names):
            inside = _bbox_entities(gmsh, d - 1, (x[i], 0, 0), (x[i + 1], w, zmax))
            lateral = [t for t in inside if not _is_x_plane(gmsh, d - 1, t)]
            groups.append((d - 1, lateral, f"{name}_lateral"))
        # structured sizes: x-curves graded per layer, lateral curves uniform
        for (cdim, ctag) in gmsh.model.getEntities(1):
            xmin, ymin, zmin, xmax, ymax, zmax_ = gmsh.model.getBoundingBox(cdim, ctag)
            if xmax - xmin > 1e-12 * max(1.0, x[-1]):
                i = int(np.searchsorted(x, 0.5 * (xmin + xmax))) - 1
                _set_transfinite_x(gmsh, ctag, spec.cells[i], spec.grading[i])
            else:
                gmsh.model.mesh.setTransfiniteCurve(ctag, spec.lateral_cells + 1)
        for (_, stag) in gmsh.model.getEntities(2):
            gmsh.model.mesh.setTransfiniteSurface(stag)
            if spec.tensor:
                gmsh.model.mesh.setRecombine(2, stag)
        if d == 3:
            for (_, vtag) in gmsh.model.getEntities(3):
                gmsh.model.mesh.setTransfiniteVolume(vtag)
                if spec.tensor:
                    gmsh.model.mesh.setRecombine(3, vtag)
    out = {}
    for dim, tags, name in groups:
        if not tags:
            raise ValueError(f"mesh builder: no entities for physical group {name!r}")
        out[name] = (dim, gmsh.model.addPhysicalGroup(dim, tags, name=name))
    for feature in features:
        feature(gmsh, spec)
    gmsh.model.mesh.generate(d)
    return out


def _is_x_plane(gmsh, dim: int, tag: int) -> bool:
    xmin, _, _, xmax, _, _ = gmsh.model.getBoundingBox(dim, tag)
    return abs(xmax - xmin) < 1e-12 * max(1.0, abs(xmax))
