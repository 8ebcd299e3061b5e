"""Observing a solution: the model's observables (integral means, peaks), cell-local values
along interfaces (profiles) and derived output fields projected on piecewise constants. Forms
are compiled on first use and kept."""

from __future__ import annotations

import numpy as np
import ufl
from dolfinx import fem, la
from mpi4py import MPI

from ssefem.system.spaces import Discretisation
from ssefem.terms import Observable, interface_mean


class Observer:
    """Observables, profiles and derived fields of a discretisation's present state."""

    def __init__(self, disc: Discretisation):
        self.disc = disc
        self.model = disc.model
        self._observables = None
        self._local = {}
        self._derived = None

    # -- derived output fields ---------------------------------------------------------------
    def derived(self) -> dict[tuple[str, str], fem.Function]:
        """The model's derived fields (SI units), projected on DG0 of their fields' submeshes,
        keyed by (name, field)."""
        if self._derived is None:
            self._derived = []
            for d in self.model.derived:
                sub = self.disc.submesh(self.model.fields[d.field])
                Q = fem.functionspace(sub.mesh, ("DG", 0, d.shape))
                num = fem.form(d.build(self.disc.ctx, ufl.TestFunction(Q)),
                               entity_maps=self.disc.entity_maps)
                # the same weight as the terms' measures (2 pi r in an axisymmetric mesh)
                dx = self.model.regions.measure("dx", sub.mesh)
                q0 = ufl.TestFunction(fem.functionspace(sub.mesh, ("DG", 0)))
                vol = fem.assemble_vector(fem.form(q0 * dx)).array
                self._derived.append((d, num, vol, fem.Function(Q, name=d.name)))
        out = {}
        for d, num, vol, f in self._derived:
            b = fem.assemble_vector(num)
            b.scatter_reverse(la.InsertMode.add)
            n = f.function_space.dofmap.index_map.size_local
            bs = f.function_space.dofmap.index_map_bs
            f.x.array.reshape(-1, bs)[:n] = (d.scale * b.array.reshape(-1, bs)[:n]
                                             / vol[:n, None])
            f.x.scatter_forward()
            out[(d.name, d.field)] = f
        return out

    # -- observables ------------------------------------------------------------------------
    def observe(self) -> dict[str, float]:
        if self._observables is None:
            self._observables = []
            for o in self.model.observables:
                num, den = o.build(self.disc.ctx)
                self._observables.append((
                    o, fem.form(num, entity_maps=self.disc.entity_maps),
                    None if den is None else fem.form(den, entity_maps=self.disc.entity_maps)))
        comm = self.model.regions.comm
        out = {}
        for o, num, den in self._observables:
            if o.reduce != "mean":
                out[o.name] = self._peak(o)
                continue
            a = comm.allreduce(fem.assemble_scalar(num), op=MPI.SUM)
            b = 1.0 if den is None else comm.allreduce(fem.assemble_scalar(den), op=MPI.SUM)
            out[o.name] = o.scale * a / b
        return out

    def localize(self, o) -> tuple[np.ndarray, np.ndarray]:
        """Cell-local integrals (numerator, weight) of an observable: both restricted to each
        owned cell of the parent mesh (on interior facets to the '+' cell). Cells the integrals
        do not touch have weight 0."""
        if o.name not in self._local:
            msh = self.model.regions.mesh
            Q = fem.functionspace(msh, ("DG", 0))
            q = ufl.TestFunction(Q)
            num, den = o.build(self.disc.ctx)
            if den is None:
                raise ValueError(f"observable {o.name!r} has no weight to localize")
            forms = [fem.form(_times_test(f, q), entity_maps=self.disc.entity_maps)
                     for f in (num, den)]
            self._local[o.name] = (forms, Q.dofmap.index_map.size_local)
        forms, n = self._local[o.name]
        out = []
        for f in forms:
            b = fem.assemble_vector(f)
            b.scatter_reverse(la.InsertMode.add)
            out.append(b.array[:n].copy())
        return out[0], out[1]

    def profile(self, p) -> dict[str, np.ndarray] | None:
        """A :class:`~ssefem.terms.Profile`'s columns (SI units) and facet centroids
        (``x``, ``y``, ``z`` in metres), gathered on rank 0 (None on the others), sorted by
        lateral position."""
        regions = self.model.regions
        tag = regions.facet_tag[p.interface]
        gdim = regions.mesh.geometry.dim
        x = ufl.SpatialCoordinate(regions.mesh)
        cols = {}
        weight = None
        for k, name in enumerate("xyz"[:gdim]):
            num, den = self.localize(Observable(
                f"{p.name}:{name}", "m",
                interface_mean(lambda ctx, k=k: x[k], tag)))
            cols[name] = num / np.where(den > 0, den, 1.0) * self.model.scales.length
            weight = den
        for o in p.columns:
            num, den = self.localize(o)
            cols[o.name] = o.scale * num / np.where(den > 0, den, 1.0)
        touched = weight > 0
        comm = regions.comm
        parts = comm.gather({k: v[touched] for k, v in cols.items()}, root=0)
        if comm.rank != 0:
            return None
        out = {k: np.concatenate([q[k] for q in parts]) for k in cols}
        lateral = "yz"[:gdim - 1]  # the stack runs along x: an interface lies across it
        order = np.lexsort([out[k] for k in reversed(lateral)]) if lateral else slice(None)
        return {k: v[order] for k, v in out.items()}

    def _peak(self, o) -> float:
        """The largest cell-local magnitude of an observable: times its scale (``max``) or over
        its mean (``peak_to_mean``)."""
        num, den = self.localize(o)
        comm = self.model.regions.comm
        touched = den > 0
        peak = comm.allreduce(float(np.max(np.abs(num[touched] / den[touched]), initial=0.0)),
                              op=MPI.MAX)
        if o.reduce == "max":
            return o.scale * peak
        mean = abs(comm.allreduce(float(num.sum()), op=MPI.SUM)
                   / comm.allreduce(float(den.sum()), op=MPI.SUM))
        return peak / mean if mean > 0 else float("nan")


def _times_test(form: ufl.Form, q) -> ufl.Form:
    """The form with each integrand multiplied by the test function ``q`` (its '+' side on
    interior facets): the form's cell-local parts as a vector."""
    integrals = []
    for itg in form.integrals():
        qq = q("+") if itg.integral_type() == "interior_facet" else q
        integrals.append(itg.reconstruct(integrand=itg.integrand() * qq))
    return ufl.Form(integrals)
