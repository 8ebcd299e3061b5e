"""The discrete unknowns of a model: a function space per field on its layers' submesh, the
present and previous time levels, the test functions, the form context, and each term's forms
built once. Nothing here solves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem
from mpi4py import MPI

from ssefem.model import Model
from ssefem.terms import FormContext


class Discretisation:
    """Function spaces, unknowns and term forms of a :class:`~ssefem.model.Model`."""

    def __init__(self, model: Model):
        self.model = model
        self.spaces: dict[str, fem.FunctionSpace] = {}
        self.u: dict[str, fem.Function] = {}
        self.u_n: dict[str, fem.Function] = {}
        v = {}
        for f in model.fields.values():
            sub = self.submesh(f)
            # on a 0-dimensional interface (1-D stacks) a point carries one constant value
            degree = f.degree if sub.mesh.topology.dim > 0 else 0
            shape = ((sub.mesh.geometry.dim,) if f.vector else
                     () if f.components is None else (f.components,))
            V = fem.functionspace(sub.mesh, (f.family, degree, shape))
            self.spaces[f.name] = V
            self.u[f.name] = fem.Function(V, name=f.name)
            self.u_n[f.name] = fem.Function(V, name=f.name + "_n")
            for w in (self.u[f.name], self.u_n[f.name]):
                w.x.array.reshape(-1, int(np.prod(shape, dtype=int)))[:] = f.initial
            v[f.name] = ufl.TestFunction(V)
        self.dt = fem.Constant(model.regions.mesh, 1.0)
        self.ctx = FormContext(model.regions, model.scales, self.u, self.u_n, v, self.dt, {})
        for name, value in model.constants.items():
            self.ctx.constant(name, value)
        self.entity_maps = []
        for f in model.fields.values():
            emap = self.submesh(f).cell_map
            if all(emap is not m for m in self.entity_maps):
                self.entity_maps.append(emap)
        self.contributions = {t.name: (t, t.build(self.ctx)) for t in model.terms}
        for name, (_, parts) in self.contributions.items():
            unknown = set(parts) - set(model.fields)
            if unknown:
                raise ValueError(f"term {name!r} contributes to unknown field(s) {sorted(unknown)}")

    def submesh(self, f):
        regions = self.model.regions
        return regions.facet_submesh(f.interface) if f.interface else regions.submesh(f.layers)

    def active_fields(self, transient: bool) -> list[str]:
        """The fields a transient (all) or a steady solve (those with a steady state) solves."""
        return [f.name for f in self.model.fields.values() if transient or f.steady]

    def residuals(self, fields: list[str], transient: bool) -> list[ufl.Form]:
        """Each field's residual: the sum of its terms' forms (storage terms only in a
        transient), times the field's residual scale."""
        forms = []
        for name in fields:
            parts = [p[name] for (t, p) in self.contributions.values()
                     if name in p and (transient or t.kind != "storage")]
            if not parts:
                raise ValueError(f"field {name!r} has no residual term")
            forms.append(self.model.fields[name].residual_scale * sum(parts[1:], parts[0]))
        return forms

    # -- state ------------------------------------------------------------------------------
    def field_range(self, name: str, previous: bool = False) -> tuple[float, float]:
        """The smallest and largest (dimensionless) value of a field over all ranks, of the
        present solution or of the previous time level."""
        a = (self.u_n if previous else self.u)[name].x.array
        comm = self.model.regions.comm
        return (comm.allreduce(float(a.min(initial=np.inf)), op=MPI.MIN),
                comm.allreduce(float(a.max(initial=-np.inf)), op=MPI.MAX))

    def commit(self) -> None:
        """Accept the present solution as the previous time level."""
        for n in self.u:
            self.u_n[n].x.array[:] = self.u[n].x.array

    def restore(self) -> None:
        """Go back to the previous time level (after a failed step)."""
        for n in self.u:
            self.u[n].x.array[:] = self.u_n[n].x.array

    def largest_change(self, fields: list[str]) -> float:
        """The largest change of a value of ``fields`` since the previous time level (0 for
        none), over all ranks."""
        local = max((float(np.abs(self.u[n].x.array - self.u_n[n].x.array).max(initial=0.0))
                     for n in fields), default=0.0)
        return self.model.regions.comm.allreduce(local, op=MPI.MAX)

    def snapshot(self) -> dict[str, np.ndarray]:
        return {n: f.x.array.copy() for n, f in self.u.items()}

    def load(self, state: dict[str, np.ndarray]) -> None:
        for n, a in state.items():
            self.u[n].x.array[:] = a

    def levels(self) -> Levels:
        """Both time levels, for a study that steps away from the state and comes back."""
        return Levels(self.snapshot(), {n: f.x.array.copy() for n, f in self.u_n.items()})

    def load_levels(self, levels: Levels) -> None:
        self.load(levels.present)
        for n, a in levels.previous.items():
            self.u_n[n].x.array[:] = a


@dataclass(frozen=True)
class Levels:
    """The present solution and the previous time level, copied."""

    present: dict[str, np.ndarray]
    previous: dict[str, np.ndarray]
