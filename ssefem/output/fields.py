"""Field output: XDMF (every ParaView 5.x) and VTK .pvd/.vtu (pyvista, ParaView), per region.

Each group of fields that share a submesh (named after its layers joined by ``_``: ``cathode``,
``coating_electrolyte``, ``anode``) gets ``fields/<group>.xdmf`` and ``fields/<group>.pvd``
holding the fields in SI units (vectors such as the displacement included; not those marked
``output = False``), the model's derived cell fields (stresses, the creep strain tensor) and a
cell field ``region`` with the layer tags; ``fields/mesh.xdmf`` holds the parent mesh with its
cell and facet tags. Coordinates are in micrometres.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from dolfinx import fem, io

from ssefem.system import System


class FieldWriter:
    """Context manager; ``write(t)`` appends one time level (collective)."""

    def __init__(self, system: System, directory: Path):
        self.system = system
        self.directory = Path(directory)
        self.groups: dict[str, list[str]] = {}
        model = system.model
        for f in model.fields.values():
            if f.interface:  # interface unknowns are reported as observables
                continue
            self.groups.setdefault("_".join(f.layers), []).append(f.name)
        self._files = []
        self._out: dict[str, list[tuple[fem.Function, fem.Function, float]]] = {}
        self._region: dict[str, fem.Function] = {}
        self._derived: dict[str, list[tuple[str, str]]] = {}
        self._last: float | None = None
        self._pending = False
        self._funcs: dict[str, list[fem.Function]] = {}

    def __enter__(self) -> FieldWriter:
        regions = self.system.model.regions
        comm = regions.comm
        with io.XDMFFile(comm, self.directory / "mesh.xdmf", "w") as xf:
            xf.write_mesh(regions.mesh)
            regions.mesh.topology.create_connectivity(regions.dim - 1, regions.dim)
            xf.write_meshtags(regions.cell_tags, regions.mesh.geometry)
            xf.write_meshtags(regions.facet_tags, regions.mesh.geometry)
        for group, names in self.groups.items():
            fields = [self.system.model.fields[n] for n in names]
            sub = regions.submesh(fields[0].layers)
            outs = []
            for f in (f for f in fields if f.output):
                V = self.system.spaces[f.name]
                if f.broken:  # its cell means: XDMF takes P1 and DG0, and P1 hides the jumps
                    V = fem.functionspace(sub.mesh, ("DG", 0, V.value_shape))
                elif V.element.basix_element.embedded_superdegree > 1:  # XDMF: P1 and DG0
                    V = fem.functionspace(sub.mesh, ("Lagrange", 1, V.value_shape))
                out = fem.Function(V, name=f.name)
                outs.append((self.system.u[f.name], out, f.scale))
            self._out[group] = outs
            self._derived[group] = [(d.name, d.field) for d in self.system.model.derived
                                    if d.field in names]
            Q = fem.functionspace(sub.mesh, ("DG", 0))
            region = fem.Function(Q, name="region")
            region.x.array[:] = regions.cell_tags.values[
                np.searchsorted(regions.cell_tags.indices, sub.parent_cells)]
            self._region[group] = region
            xdmf = io.XDMFFile(comm, self.directory / f"{group}.xdmf", "w")
            xdmf.write_mesh(sub.mesh)
            vtk = io.VTKFile(comm, self.directory / f"{group}.pvd", "w")
            self._files.append((group, xdmf, vtk))
        return self

    def write(self, t: float) -> None:
        """Record the fields at time t (s), collectively.

        A time level reaches the files when a later one is recorded or the writer closes, so a
        second call at the same time (a steady solve at t = 0 after the initial state) replaces
        the first instead of being lost; an earlier time is ignored.
        """
        if self._last is not None and t < self._last:
            return
        if self._last is not None and t > self._last:
            self._flush()
        self._last = t
        derived = self.system.derived()
        for group in self._out:
            for u, out, scale in self._out[group]:
                if out.function_space is u.function_space:
                    out.x.array[:] = u.x.array
                else:
                    out.interpolate(u)
                out.x.array[:] *= scale
            self._funcs[group] = ([out for _, out, _ in self._out[group]]
                                  + [derived[k] for k in self._derived[group]])
        self._pending = True

    def _flush(self) -> None:
        if not self._pending:
            return
        t = self._last
        for group, xdmf, vtk in self._files:
            funcs = self._funcs[group]
            for f in funcs:
                xdmf.write_function(f, t)
            xdmf.write_function(self._region[group], t)
            vtk.write_function(funcs + [self._region[group]], t)
        self._pending = False

    def __exit__(self, exc_type, exc, tb) -> None:
        self._flush()
        for _, xdmf, vtk in self._files:
            xdmf.close()
            vtk.close()
        self._files = []

