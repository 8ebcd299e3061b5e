"""Test helper: a DOLFINx box mesh as one-layer :class:`Regions` with named boundary parts."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from dolfinx import mesh

from ssefem.mesh.regions import Regions


def one_layer_regions(msh: mesh.Mesh, layer: str,
                      parts: dict[str, Callable[[np.ndarray], np.ndarray]],
                      axisymmetric: bool = False) -> Regions:
    """All cells in ``layer`` (tag 1); boundary facets where ``parts[name](x)`` holds get the
    name (tags 1, 2, ... in order). ``msh`` must be ghosted by shared facet. ``axisymmetric``:
    a 2-D mesh is the meridian plane (x, r = y) of a solid of revolution about the x axis."""
    tdim = msh.topology.dim
    imap = msh.topology.index_map(tdim)
    cells = np.arange(imap.size_local + imap.num_ghosts, dtype=np.int32)
    cell_tags = mesh.meshtags(msh, tdim, cells, np.ones_like(cells))
    msh.topology.create_connectivity(tdim - 1, tdim)
    facets, values = [], []
    for tag, where in enumerate(parts.values(), start=1):
        f = mesh.locate_entities_boundary(msh, tdim - 1, where)
        facets.append(f)
        values.append(np.full_like(f, tag))
    facets, values = np.concatenate(facets), np.concatenate(values)
    order = np.argsort(facets)
    facet_tags = mesh.meshtags(msh, tdim - 1, facets[order], values[order])
    return Regions(msh, cell_tags, facet_tags, [layer], {layer: 1},
                   {name: tag for tag, name in enumerate(parts, start=1)}, axisymmetric)
