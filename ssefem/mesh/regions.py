"""Tagged DOLFINx meshes with named regions, per-region submeshes and oriented interfaces."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from mpi4py import MPI

import ufl
from dolfinx import fem, la, mesh
from dolfinx.io import gmsh as gmshio

from ssefem.errors import CaseError
from ssefem.mesh.builder import StackSpec, build_stack_model
from ssefem.mesh.mesh_file import private_copy


INTERFACE_QUADRATURE = 6


class AxisymmetricMeasure(ufl.Measure):
    """A measure on the meridian plane (x, r = y) of a solid of revolution about the x axis.

    ``f * dm`` integrates ``2 pi r f`` over the plane, the integral of ``f`` over the solid, so
    terms and observables written for a 2-D stack become axisymmetric unchanged (for a scalar
    field the gradient in (x, r) is the 3-D one). The weight is continuous, so it needs no
    restriction in interior-facet integrals. Every measure derived from this one
    (``dm(tag, degree=...)``, ``dm(tag, metadata=...)``, sums of measures) keeps the class and
    so the weight; the weight is applied once, on a plain measure.
    """

    __slots__ = ()

    def __rmul__(self, integrand):
        if isinstance(integrand, int | float):
            integrand = ufl.as_ufl(integrand)
        if not isinstance(integrand, ufl.core.expr.Expr):
            return NotImplemented
        r = ufl.SpatialCoordinate(self.ufl_domain())[1]
        return (2 * np.pi * r * integrand) * super().reconstruct()

    def reconstruct(self, integral_type=None, subdomain_id=None, domain=None, metadata=None,
                    subdomain_data=None, intersect_measures=None) -> AxisymmetricMeasure:
        plain = super().reconstruct(integral_type, subdomain_id, domain, metadata,
                                    subdomain_data, intersect_measures)
        return AxisymmetricMeasure(
            plain.integral_type(), domain=plain.ufl_domain(),
            subdomain_id=plain.subdomain_id(), metadata=plain.metadata(),
            subdomain_data=plain.subdomain_data(), intersect_measures=plain.intersect_measures())


@dataclass
class SubMesh:
    """A submesh over a union of layers, with its map to the parent's cells."""

    mesh: mesh.Mesh
    cell_map: mesh.EntityMap
    parent_cells: np.ndarray


@dataclass
class Regions:
    """The parent mesh with named layers, interfaces and boundaries.

    ``layers`` is in stack order; an interface between layers i < j is oriented so that its '+'
    side is the cell in layer i (DOLFINx does not fix the '+' side of an interior facet itself).
    Besides the interfaces between layers (named ``a|b``), *interior facet groups* are sets of
    interior facets by name, inside a layer or across several (the boundaries of the grains of a
    polycrystal): from the mesh file's physical groups, or added by :meth:`add_interior_group`.
    Their '+' side is whatever DOLFINx's connectivity gives: the laws on them must not depend on
    it (a jump times a jump, a mean).
    ``axisymmetric`` (2-D only): the mesh is the meridian plane of a cylinder about the x axis,
    y the radius, and every measure integrates over the cylinder (weight 2 pi y).
    """

    mesh: mesh.Mesh
    cell_tags: mesh.MeshTags
    facet_tags: mesh.MeshTags
    layers: list[str]
    layer_tag: dict[str, int]
    facet_tag: dict[str, int]
    axisymmetric: bool = False
    _submeshes: dict[tuple[str, ...], SubMesh] = field(default_factory=dict)
    _dS: dict[str, np.ndarray] = field(default_factory=dict)
    _groups: dict[str, np.ndarray] = field(default_factory=dict)
    _cell_size: fem.Function | None = None

    def __post_init__(self):
        if self.axisymmetric and (self.dim != 2 or self.mesh.geometry.dim != 2):
            raise ValueError("an axisymmetric mesh is 2-D: x along the axis, y the radius")

    @property
    def comm(self) -> MPI.Comm:
        return self.mesh.comm

    @property
    def dim(self) -> int:
        return self.mesh.topology.dim

    def cells(self, layers: tuple[str, ...] | str) -> np.ndarray:
        """Local cells (owned and ghost) of one layer or a union of layers, sorted."""
        names = (layers,) if isinstance(layers, str) else layers
        for n in names:
            if n not in self.layer_tag:
                raise CaseError("layers", f"missing region {n!r}")
        tags = [self.layer_tag[n] for n in names]
        return np.sort(np.concatenate([self.cell_tags.find(t) for t in tags])).astype(np.int32)

    def submesh(self, layers: tuple[str, ...]) -> SubMesh:
        """The submesh over a union of layers (cached)."""
        key = tuple(layers)
        if key not in self._submeshes:
            cells = self.cells(key)
            sub, cmap, _, _ = mesh.create_submesh(self.mesh, self.dim, cells)
            sub.topology.create_connectivity(self.dim - 1, self.dim)
            self._submeshes[key] = SubMesh(sub, cmap, cells)
        return self._submeshes[key]

    def facet_submesh(self, name: str) -> SubMesh:
        """The codimension-1 submesh of a named facet group (cached)."""
        key = ("facets", name)
        if key not in self._submeshes:
            facets = self.facets(name)
            sub, fmap, _, _ = mesh.create_submesh(self.mesh, self.dim - 1, facets)
            self._submeshes[key] = SubMesh(sub, fmap, facets)
        return self._submeshes[key]

    @property
    def radius(self) -> ufl.core.expr.Expr | None:
        """The distance from the axis, y (UFL), of an axisymmetric mesh; None otherwise."""
        return ufl.SpatialCoordinate(self.mesh)[1] if self.axisymmetric else None

    def measure(self, integral_type: str, domain: mesh.Mesh | None = None,
                **kwargs) -> ufl.Measure:
        """A measure on the parent mesh (or on ``domain``, one of its submeshes), weighted by
        2 pi r when the geometry is axisymmetric."""
        kind = AxisymmetricMeasure if self.axisymmetric else ufl.Measure
        return kind(integral_type, domain=self.mesh if domain is None else domain, **kwargs)

    def dx(self) -> ufl.Measure:
        return self.measure("dx", subdomain_data=self.cell_tags)

    def ds(self) -> ufl.Measure:
        return self.measure("ds", subdomain_data=self.facet_tags)

    def dS(self) -> ufl.Measure:
        """Interior-facet measure over every interface, '+' on the earlier layer of the stack.

        Its quadrature degree is fixed (exact for products of P2 functions): interface laws are
        exponentials of fitted open-circuit potentials, for which UFL's estimate reaches degree
        35 (hundreds of points per facet) without making the P1/P2 solution more accurate.
        """
        data = [(self.facet_tag[n], self._oriented(n).ravel()) for n in self.interfaces()]
        return self.measure("dS", subdomain_data=data,
                            metadata={"quadrature_degree": INTERFACE_QUADRATURE})

    def interfaces(self) -> list[str]:
        """Names of every interior facet set a ``dS`` integral may use: the interfaces between
        layers, then the interior facet groups."""
        return [n for n in self.facet_tag if "|" in n] + [
            n for n in self._groups if "|" not in n]

    def facets(self, name: str) -> np.ndarray:
        """Local facets (owned and ghost) of a named facet set."""
        if name in self._groups:
            return self._groups[name]
        if name not in self.facet_tag:
            raise CaseError("geometry", f"missing facet group {name!r} in the mesh")
        return self.facet_tags.find(self.facet_tag[name])

    def add_interior_group(self, name: str, facets: np.ndarray) -> int:
        """Name a set of interior facets (local indices, owned and ghost, on every rank) so that
        terms integrate over it with ``ctx.dS(regions.facet_tag[name])``; returns its tag.

        The set lives beside the mesh's facet tags (a facet may be in several sets: a grain
        boundary and the set of facets across which a field stays continuous). Adding a name
        again replaces its facets. Call it before the system is built: the ``dS`` measure of a
        form context takes the sets there are when it is made."""
        facets = np.unique(np.asarray(facets, dtype=np.int32))
        self.mesh.topology.create_connectivity(self.dim - 1, self.dim)
        bad = self.comm.allreduce(_exterior_count(self, facets), op=MPI.SUM)
        if bad:
            raise CaseError("geometry", f"the facet group {name!r} has {bad} facets on the "
                            "boundary of the mesh: it must be interior")
        if name not in self.facet_tag:
            used = set(self.facet_tag.values()) | set(self.layer_tag.values())
            self.facet_tag[name] = max(used | {0}) + 1
        self._groups[name] = facets
        self._dS.pop(name, None)
        return self.facet_tag[name]

    def interior_facets(self, layers: tuple[str, ...]) -> np.ndarray:
        """Local facets (owned and ghost) both of whose cells lie in ``layers``: the facets
        inside them and on the interfaces between them."""
        topo = self.mesh.topology
        topo.create_connectivity(self.dim - 1, self.dim)
        f2c = topo.connectivity(self.dim - 1, self.dim)
        inside = np.zeros(topo.index_map(self.dim).size_local
                          + topo.index_map(self.dim).num_ghosts, dtype=bool)
        inside[self.cells(layers)] = True
        offsets, links = f2c.offsets, f2c.array
        two = np.flatnonzero(np.diff(offsets) == 2)
        first, second = links[offsets[two]], links[offsets[two] + 1]
        return two[inside[first] & inside[second]].astype(np.int32)

    def cell_size(self) -> fem.Function:
        """Each cell's size across its facets, 2 d |K| / |dK| (piecewise constant on the parent
        mesh): the side of a square or cube, twice the thickness of a flat cell, the length of
        an interval. Any cell type (UFL's CellVolume and FacetArea are for affine cells only);
        interior-penalty terms scale with its inverse."""
        if self._cell_size is None:
            Q = fem.functionspace(self.mesh, ("DG", 0))
            q = ufl.TestFunction(Q)
            vol = fem.assemble_vector(fem.form(q * ufl.dx(domain=self.mesh)))
            surf = fem.assemble_vector(fem.form(
                q * ufl.ds(domain=self.mesh) + (q("+") + q("-")) * ufl.dS(domain=self.mesh)))
            for vec in (vol, surf):
                vec.scatter_reverse(la.InsertMode.add)
                vec.scatter_forward()
            h = fem.Function(Q, name="cell_size")
            h.x.array[:] = 2 * self.dim * vol.array / surf.array
            self._cell_size = h
        return self._cell_size

    def _oriented(self, name: str) -> np.ndarray:
        if name not in self._dS:
            topo = self.mesh.topology
            topo.create_connectivity(self.dim - 1, self.dim)
            facets = self.facets(name)
            ent = fem.compute_integration_domains(fem.IntegralType.interior_facet, topo, facets)
            ent = ent.reshape(-1, 4).copy()
            if "|" in name:
                in_a = np.isin(ent[:, 0], self.cells(name.split("|")[0]))
                ent[~in_a] = ent[~in_a][:, [2, 3, 0, 1]]
            self._dS[name] = ent
        return self._dS[name]

    def extent(self, layer: str) -> tuple[float, float]:
        """Where a layer lies along the stack axis (x): the smallest and largest x of its cells'
        nodes, um, over all ranks (from the mesh, so also for a user's mesh)."""
        cells = self.cells(layer)
        cells = cells[cells < self.mesh.topology.index_map(self.dim).size_local]
        nodes = self.mesh.geometry.dofmaps[0][cells].ravel()
        x = self.mesh.geometry.x[nodes, 0]
        return (self.comm.allreduce(float(x.min(initial=np.inf)), op=MPI.MIN),
                self.comm.allreduce(float(x.max(initial=-np.inf)), op=MPI.MAX))

    def thickness(self, layer: str) -> float:
        """A layer's mean thickness along the stack axis, um: its volume over its cross-section
        (the area of its collector face, ``<layer>_cc``, where it has one; its extent
        otherwise). In an axisymmetric mesh both are swept by the revolution alike."""
        cc = f"{layer}_cc"
        if cc in self.facet_tag and self.dim > 1:
            return self.measure_size(layer) / self.measure_size(cc)
        if self.dim == 1:
            return self.measure_size(layer)
        lo, hi = self.extent(layer)
        return hi - lo

    def measure_size(self, name: str) -> float:
        """Area (length in 2-D, 1 in 1-D) of a named facet group or volume of a layer, in um^d
        (in an axisymmetric mesh the area or volume swept by the revolution, in um^2 or um^3)."""
        one = fem.Constant(self.mesh, 1.0)
        if name in self.layer_tag:
            form = one * self.dx()(self.layer_tag[name])
        elif "|" in name or name in self._groups:
            form = one("+") * self.dS()(self.facet_tag[name])
        else:
            form = one * self.ds()(self.facet_tag[name])
        return self.comm.allreduce(fem.assemble_scalar(fem.form(form)), op=MPI.SUM)


def _partitioner():
    return mesh.create_cell_partitioner(mesh.GhostMode.shared_facet, 2)


def load_regions(spec: StackSpec, comm: MPI.Comm, mesh_file: str | Path | None = None,
                 features=()) -> Regions:
    """Mesh the stack with gmsh (or read a user .msh) and convert it, ghosted, to DOLFINx."""
    import gmsh

    gmsh_was_initialised = gmsh.isInitialized()
    if not gmsh_was_initialised:
        gmsh.initialize(interruptible=False)
    gmsh.option.setNumber("General.Terminal", 0)
    error = None
    try:
        if comm.rank == 0:
            try:
                if mesh_file is not None:
                    with private_copy(mesh_file) as checked:  # a .msh by content, alone
                        gmsh.open(checked)
                    if not gmsh.model.getPhysicalGroups():
                        raise ValueError("the mesh has no physical groups")
                    if gmsh.model.getDimension() != spec.dimension:
                        raise ValueError(f"the mesh is {gmsh.model.getDimension()}-D but "
                                         f"geometry.dimension is {spec.dimension}")
                else:
                    build_stack_model(gmsh, spec, features)
            except CaseError as err:  # reported on every rank below
                error = ("case", err.message)
            except MemoryError:
                error = ("memory", "")
            except Exception as err:
                text = str(err) or type(err).__name__
                error = ("memory" if "bad_alloc" in text else "case", text)
        error = comm.bcast(error, root=0)
        if error is not None and error[0] == "memory":  # not bad input: the machine's limit
            raise MemoryError("meshing ran out of memory (gmsh on rank 0); use fewer cells or "
                              "a machine with more memory")
        if error is not None:
            raise CaseError("geometry.mesh_file" if mesh_file else "geometry", error[1])
        data = gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=spec.dimension,
                                    partitioner=_partitioner())
    finally:
        if comm.rank == 0:
            gmsh.clear()
        if not gmsh_was_initialised:
            gmsh.finalize()
    groups = data.physical_groups
    tdim = data.mesh.topology.dim
    key = "geometry.mesh_file" if mesh_file else "geometry"
    missing = [n for n in spec.names if n not in groups or groups[n].dim != tdim]
    if missing:
        raise CaseError(key, f"missing region {missing[0]!r} in the mesh")
    needed = list(spec.boundary_names()) + spec.interface_names()
    missing = [n for n in needed if n not in groups or groups[n].dim != tdim - 1]
    if missing:
        raise CaseError(key, f"mesh lacks the physical group {missing[0]!r}")
    layer_tag = {n: groups[n].tag for n in spec.names}
    facet_tag = {n: g.tag for n, g in groups.items() if g.dim == tdim - 1}
    msh = data.mesh
    msh.topology.create_connectivity(tdim - 1, tdim)
    regions = Regions(msh, data.cell_tags, data.facet_tags, list(spec.names), layer_tag,
                      facet_tag, spec.axisymmetric)
    _find_interior_groups(regions, set(spec.boundary_names()))
    return regions


def _find_interior_groups(regions: Regions, boundaries: set[str]) -> None:
    """The mesh's facet groups that are neither boundaries nor ``a|b`` interfaces and lie wholly
    inside the mesh (the grain boundaries of a user's polycrystal mesh) become interior facet
    groups."""
    for name, tag in list(regions.facet_tag.items()):
        if "|" in name or name in boundaries:
            continue
        facets = regions.facet_tags.find(tag)
        exterior = regions.comm.allreduce(_exterior_count(regions, facets), op=MPI.SUM)
        if exterior == 0 and regions.comm.allreduce(len(facets), op=MPI.SUM) > 0:
            regions._groups[name] = facets


def _exterior_count(regions: Regions, facets: np.ndarray) -> int:
    """How many of the owned ``facets`` have one cell only: on the mesh's boundary (a ghost
    facet may lack its far cell on this rank; its owner sees both)."""
    topo = regions.mesh.topology
    f2c = topo.connectivity(regions.dim - 1, regions.dim)
    owned = facets[facets < topo.index_map(regions.dim - 1).size_local]
    return int(np.count_nonzero(np.diff(f2c.offsets)[owned] != 2))
