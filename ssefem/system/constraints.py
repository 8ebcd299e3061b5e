"""Dirichlet conditions of a model's constraints on the discrete spaces: whole boundaries, one
component, the normal component (rollers on axis-aligned faces), or the node nearest a
boundary's centre (a pin)."""

from __future__ import annotations

import numpy as np
from dolfinx import fem
from dolfinx import mesh as dmesh
from mpi4py import MPI

from ssefem.system.spaces import Discretisation


def dirichlet_bcs(disc: Discretisation, fields: list[str], control: str
                  ) -> list[tuple[fem.DirichletBC, str]]:
    """The model's Dirichlet conditions on ``fields`` active in ``control``, each with the
    field it holds."""
    model = disc.model
    regions = model.regions
    fdim = regions.dim - 1
    out = []
    for c in model.constraints:
        if c.field not in fields or (c.control is not None and c.control != control):
            continue
        if model.fields[c.field].family == "DG":  # its dofs belong to no facet
            raise ValueError(f"field {c.field!r} is discontinuous: a Dirichlet condition on "
                             f"{c.boundary!r} needs a continuous one")
        V = disc.spaces[c.field]
        sub = regions.submesh(model.fields[c.field].layers)
        parent_facets = regions.facet_tags.find(regions.facet_tag[c.boundary])
        value = disc.ctx.constant(c.value)
        n = V.num_sub_spaces
        if n == 0:  # a scalar, or a 1-D vector: its only component
            parts = [(None, _parent_to_sub_facets(regions, sub, parent_facets))]
        elif c.component == "normal":  # a roller: per facet, the component along its normal
            axes = _normal_axes(regions, parent_facets, c.boundary)
            parts = [(k, _parent_to_sub_facets(regions, sub, parent_facets[axes == k]))
                     for k in range(n)]
        else:
            facets = _parent_to_sub_facets(regions, sub, parent_facets)
            parts = [(k, facets) for k in
                     (range(n) if c.component is None else [c.component])]
        for k, facets in parts:
            Vk = V if k is None else V.sub(k)
            dofs = fem.locate_dofs_topological(Vk, fdim, facets)
            if c.at == "centre":
                # a component's dofs are unrolled (node * bs + k), the whole field's nodes
                bs = V.dofmap.index_map_bs if k is not None else 1
                dofs = _centre_dofs(V, dofs, bs, regions.comm)
            out.append((fem.dirichletbc(value, dofs, Vk), c.field))
    return out


def _centre_dofs(V: fem.FunctionSpace, dofs: np.ndarray, bs: int, comm: MPI.Comm
                 ) -> np.ndarray:
    """Of the local ``dofs`` (of V's node ``dofs // bs``), those of the one node nearest the
    centre of all of them, on every rank that holds it (ties go to the lexicographically
    smallest coordinates)."""
    X = V.tabulate_dof_coordinates()
    local = X[dofs // bs] if len(dofs) else np.zeros((0, 3))
    total = comm.allreduce(local.sum(axis=0), op=MPI.SUM)
    count = comm.allreduce(len(local), op=MPI.SUM)
    if count == 0:
        return dofs
    centre = total / count
    d = np.linalg.norm(local - centre, axis=1)
    order = np.lexsort((*(local[:, k] for k in (2, 1, 0)), d.round(12)))
    best = (float(d[order[0]].round(12)), *local[order[0]].tolist()) if len(local) else (np.inf,)
    best = min(comm.allgather(best))
    here = np.all(np.abs(local - np.asarray(best[1:])) <= 1e-12 * (1 + np.abs(centre)), axis=1)
    return dofs[here]


def _normal_axes(regions, facets: np.ndarray, name: str) -> np.ndarray:
    """The coordinate axis each facet is normal to; raises if one is not axis-aligned."""
    msh = regions.mesh
    gdim = msh.geometry.dim
    if facets.size == 0:
        return np.zeros(0, dtype=np.int32)
    nodes = dmesh.entities_to_geometry(msh, regions.dim - 1, facets)
    x = msh.geometry.x[nodes][:, :, :gdim]
    spread = x.max(axis=1) - x.min(axis=1)
    size = spread.max(axis=1)
    flat = spread <= 1e-9 * np.maximum(size, 1e-300)[:, None]
    if gdim == 1:
        flat[:] = True
    if not flat.any(axis=1).all():
        raise ValueError(f"a roller on {name!r} needs facets normal to a coordinate axis")
    return np.argmax(flat, axis=1).astype(np.int32)


def _parent_to_sub_facets(regions, sub, parent_facets: np.ndarray) -> np.ndarray:
    """Submesh facet indices of parent facets (through the cells they share)."""
    tdim = regions.dim
    fdim = tdim - 1
    msh = regions.mesh
    msh.topology.create_connectivity(fdim, tdim)
    msh.topology.create_connectivity(tdim, fdim)
    sub.mesh.topology.create_connectivity(tdim, fdim)
    f2c = msh.topology.connectivity(fdim, tdim)
    c2f = msh.topology.connectivity(tdim, fdim)
    sc2f = sub.mesh.topology.connectivity(tdim, fdim)
    parent_to_sub = sub.cell_map.sub_topology_to_topology(
        np.arange(len(sub.parent_cells), dtype=np.int32), inverse=False)
    lookup = {int(p): i for i, p in enumerate(parent_to_sub)}
    out = []
    for f in parent_facets:
        for c in f2c.links(f):
            if int(c) in lookup:
                local = list(c2f.links(c)).index(f)
                out.append(sc2f.links(lookup[int(c)])[local])
                break
    return np.unique(np.asarray(out, dtype=np.int32))
