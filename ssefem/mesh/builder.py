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
    """What the builder needs: layer names, thicknesses (um), cells and grading, lateral size.

    ``axisymmetric`` (2-D only) makes the mesh the meridian plane of a cylinder of radius
    ``width`` about the x axis (y is the radius). The mesh is the same; the regions built from
    it integrate over the cylinder.
    """

    names: tuple[str, ...]
    thicknesses: tuple[float, ...]
    cells: tuple[int, ...]
    grading: tuple[float, ...]
    dimension: int = 1
    width: float = 10.0
    lateral_cells: int = 4
    tensor: bool = False
    face_cell: tuple[float | None, ...] | None = None
    axisymmetric: bool = False

    def __post_init__(self):
        n = len(self.names)
        if not (len(self.thicknesses) == len(self.cells) == len(self.grading) == n):
            raise ValueError("StackSpec: names, thicknesses, cells and grading differ in length")
        if self.face_cell is not None and len(self.face_cell) != n:
            raise ValueError("StackSpec: face_cell needs one entry (or None) per layer")
        if any(h is not None and h <= 0 for h in self.face_cell or ()):
            raise ValueError("StackSpec: face_cell sizes must be positive")
        if any(t <= 0 for t in self.thicknesses):
            raise ValueError("StackSpec: thicknesses must be positive")
        if self.dimension not in (1, 2, 3):
            raise ValueError(f"StackSpec: dimension must be 1, 2 or 3 (got {self.dimension})")
        if self.axisymmetric and self.dimension != 2:
            raise ValueError("StackSpec: an axisymmetric stack is 2-D (x along the axis, y the "
                             "radius)")

    @property
    def positions(self) -> np.ndarray:
        """x of the layer faces, length n + 1."""
        return np.concatenate([[0.0], np.cumsum(self.thicknesses)])

    def boundary_names(self) -> tuple[str, str]:
        """The two outer faces: ``<first>_cc`` and ``<last>_cc`` (``<name>_left``/``_right``
        for a single layer)."""
        if len(self.names) == 1:
            return f"{self.names[0]}_left", f"{self.names[0]}_right"
        return f"{self.names[0]}_cc", f"{self.names[-1]}_cc"

    def segments(self) -> list[tuple[float, float, int, float, int]]:
        """Meshing segments along x: ``(x0, x1, cells, coefficient, toward)``.

        A layer with a ``face_cell`` size is split at its middle into two halves, each graded
        geometrically (ratio ``coefficient``) so that its smallest element, of that size, touches
        the layer's face (``toward`` = -1: at x0, +1: at x1). Other layers are one segment with
        the symmetric 'Bump' grading (``toward`` = 0).
        """
        out = []
        x = self.positions
        for i in range(len(self.names)):
            h0 = self.face_cell[i] if self.face_cell else None
            if h0 is None:
                out.append((x[i], x[i + 1], self.cells[i], self.grading[i], 0))
                continue
            m = max(1, (self.cells[i] + 1) // 2)
            mid = 0.5 * (x[i] + x[i + 1])
            r = geometric_ratio(mid - x[i], m, h0)
            out.append((x[i], mid, m, r, -1))
            out.append((mid, x[i + 1], m, r, +1))
        return out

    def interface_names(self) -> list[str]:
        return [f"{a}|{b}" for a, b in zip(self.names, self.names[1:], strict=False)]


def geometric_ratio(length: float, cells: int, first: float) -> float:
    """Ratio r >= 1 of a geometric progression of ``cells`` sizes summing to ``length`` whose
    first size is ``first`` (1 when uniform cells are already that small)."""
    if cells <= 1 or first * cells >= length:
        return 1.0

    def total(r: float) -> float:
        if cells * np.log(r) > 700.0:  # beyond any length: avoid overflow
            return np.inf
        return first * (r**cells - 1.0) / (r - 1.0)

    lo, hi = 1.0 + 1e-12, 2.0
    while total(hi) < length:
        hi *= 2.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if total(mid) < length else (lo, mid)
    return 0.5 * (lo + hi)


def _bump(grading: float) -> float:
    """gmsh 'Bump' coefficient: end/middle size ratio is 1/grading (1 means uniform)."""
    return 1.0 / grading


_TOL = [1e-9]


def _set_transfinite_x(gmsh, curve: int, segment) -> None:
    x0, x1, cells, coef, toward = segment
    if toward == 0 and coef > 1.0:
        gmsh.model.mesh.setTransfiniteCurve(curve, cells + 1, "Bump", _bump(coef))
    elif toward != 0 and coef > 1.0:
        # 'Progression' grows from the curve's parametric start: small cells there
        lo, _ = gmsh.model.getParametrizationBounds(1, curve)
        start = gmsh.model.getValue(1, curve, [lo[0]])[0]
        face = x0 if toward < 0 else x1
        starts_at_face = abs(start - face) < abs(start - (x1 if toward < 0 else x0))
        gmsh.model.mesh.setTransfiniteCurve(curve, cells + 1, "Progression",
                                            coef if starts_at_face else -coef)
    else:
        gmsh.model.mesh.setTransfiniteCurve(curve, cells + 1)


def _segment_of(segments, xmid: float):
    for seg in segments:
        if seg[0] <= xmid <= seg[1]:
            return seg
    raise ValueError(f"mesh builder: no layer segment at x = {xmid}")


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
    segments = spec.segments()
    if d == 1:
        xs = [segments[0][0]] + [seg[1] for seg in segments]
        pts = [occ.addPoint(xi, 0, 0) for xi in xs]
        lines = [occ.addLine(pts[k], pts[k + 1]) for k in range(len(segments))]
        occ.synchronize()
        for k, seg in enumerate(segments):
            _set_transfinite_x(gmsh, lines[k], seg)
        for i, name in enumerate(spec.names):
            groups.append((1, [ln for ln, seg in zip(lines, segments, strict=True)
                               if x[i] <= 0.5 * (seg[0] + seg[1]) <= x[i + 1]], name))
        # the layer faces (segments' ends that are not mid-layer splits)
        pts = [pts[0]] + [pts[k + 1] for k, seg in enumerate(segments)
                          if seg[4] != -1]
        groups.append((0, [pts[0]], cc0))
        groups.append((0, [pts[-1]], cc1))
        for i, name in enumerate(spec.interface_names()):
            groups.append((0, [pts[i + 1]], name))
    else:
        if d == 2:
            bodies = [occ.addRectangle(s0, 0, 0, s1 - s0, w) for s0, s1, *_ in segments]
        else:
            bodies = [occ.addBox(s0, 0, 0, s1 - s0, w, w) for s0, s1, *_ in segments]
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
            xmin, _, _, xmax, _, _ = gmsh.model.getBoundingBox(cdim, ctag)
            if xmax - xmin > 1e-12 * max(1.0, x[-1]):
                _set_transfinite_x(gmsh, ctag, _segment_of(segments, 0.5 * (xmin + xmax)))
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
