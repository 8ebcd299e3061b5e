"""Potentials that jump across chosen interior facets, each jump with a constitutive law.

A zero-thickness grain boundary, a junction between two electrolyte layers or the interphase of a
composite's particle and polymer carries a potential step with a law of its own (resistive, i =
[phi] / r; capacitive, i = C d[phi]/dt; space-charge laws are further terms of the same kind). A
field that may jump is *broken* (:attr:`ssefem.fields.Field.jumps`): its space is discontinuous
Lagrange of the same degree, and on every interior facet of its layers that is not a jump facet it
is kept continuous by the symmetric interior-penalty (SIPG) terms of the conduction operator.
Continuity stays the default: a field nobody lets jump is continuous Lagrange as before.

Why this discretisation, and not the alternatives:

- *One field, any facet set.* The facets may be any interior facets of the mesh, planar or not,
  inside one layer or between layers, a thousand grains' worth: the jump facets are data (a facet
  set), not geometry of the function space. Per-region fields joined by interface terms would
  need one field (one block, one submesh, its own compiled forms) per grain; a polycrystal of
  1,000 grains would be a 1,000-block system.
- *MPI as it is.* The terms are interior-facet integrals on the ghosted parent mesh, which the
  cell model integrates already; no facet pairing across ranks. A mesh cut along the facets
  (duplicated vertices) would leave the two sides of a facet topologically apart, and the law's
  integral would need both sides' cells on one rank, which the partitioner does not know.
- *Cost.* Discontinuous P1 has d + 1 unknowns per simplex against about one per vertex
  (measured by ``bench/jumps.py``), paid only where a field is broken.

The interior penalty: with the bulk flux sigma grad(phi) and sigma piecewise constant by layer,

    - int sigma_h {grad phi} . [v n] - int sigma_h {grad v} . [phi n] + int eta [phi] [v]

over the continuity facets, where sigma_h = 2 sigma+ sigma- / (sigma+ + sigma-) (the weighted
average {sigma grad phi}_w of Ern, Stephansen and Zunino 2009, for a coefficient that jumps between
layers) and eta = ALPHA (p + 1)(p + d) / d * sigma_h / min(h+, h-), h the cell size across its
facets (:meth:`ssefem.mesh.regions.Regions.cell_size`), which keeps the penalty right on the graded,
flat cells next to the stack's interfaces. The form is consistent (the exact solution satisfies
it) and symmetric, so P1 and P2 converge at the orders of continuous Lagrange.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import ufl
from dolfinx import fem

from ssefem.errors import CaseError
from ssefem.model import Model
from ssefem.terms import FormContext, Term

#: penalty factor over the inverse-inequality bound (p + 1)(p + d) / d (Shahbazi 2005)
ALPHA = 2.0


def continuity_group(field: str) -> str:
    """Name of the interior facet set across which a broken field stays continuous."""
    return f"continuity:{field}"


def allow_jump(model: Model, field: str, group: str) -> None:
    """Let ``field`` jump across the interior facet set ``group`` (a ``layer|layer``
    interface or an interior facet group of the mesh), making it a broken field. The law of the
    jump is the caller's term on ``ctx.dS(ctx.facet(group))``; without one the two sides are
    uncoupled there (an insulating crack)."""
    if field not in model.fields:
        raise CaseError("plugins", f"no field {field!r} to let jump across {group!r}")
    regions = model.regions
    if group not in regions.interfaces():
        raise CaseError("plugins", f"{group!r} is not an interface or interior facet group of "
                        f"the mesh ({', '.join(regions.interfaces()) or 'none'})")
    if model.periodic:
        raise CaseError("plugins", f"{field!r} cannot jump across {group!r} in a periodic cell "
                        "(a broken field is not folded periodically)")
    f = model.fields[field]
    if group in f.jumps:
        return
    model.fields[field] = dataclasses.replace(f, family="DG", jumps=f.jumps + (group,))
    continuous = regions.interior_facets(f.layers)
    for g in f.jumps + (group,):
        continuous = continuous[~np.isin(continuous, regions.facets(g))]
    regions.add_interior_group(continuity_group(field), continuous)


def interior_penalty_term(model: Model, field: str, coefficient: dict[str, str],
                          kind: str = "flux") -> Term:
    """The SIPG continuity terms of a conduction operator k grad(field) over the layers of
    ``coefficient`` (layer -> name of its dimensionless conductivity constant, as the layer's
    conduction term defines it). With ``kind = "storage"`` the operator is a displacement
    current k grad(d field / dt) (``coefficient`` names the permittivity constants) and the
    terms act on the rate. Contributes nothing while the field is not broken; a broken field
    must live on exactly those layers."""
    if kind not in ("flux", "storage"):
        raise ValueError(f"kind must be 'flux' or 'storage', got {kind!r}")

    def check():
        f = model.fields[field]
        missing = [n for n in f.layers if n not in coefficient] if f.broken else []
        if missing:
            raise CaseError("plugins", f"{field!r} cannot jump: the layer {missing[0]!r} has no "
                            "Ohmic conduction (a resolved transport) to keep it continuous")

    if kind == "flux":
        model.add_check(check)  # when the model is assembled, before anything is compiled

    def build(ctx: FormContext):
        f = model.fields[field]
        if not f.broken:
            return {}
        check()
        regions = ctx.regions
        Q = fem.functionspace(regions.mesh, ("DG", 0))
        k = 0
        for layer, name in coefficient.items():
            chi = fem.Function(Q, name=f"in_{layer}")
            chi.x.array[Q.dofmap.list[regions.cells(layer), 0]] = 1.0
            k = k + ctx.constant(name) * chi
        kp, km = k("+"), k("-")
        k_h = 2 * kp * km / (kp + km)
        h = regions.cell_size()
        p, d = ctx.u[field].function_space.element.basix_element.embedded_superdegree, regions.dim
        eta = ALPHA * (p + 1) * (p + d) / d * k_h / ufl.min_value(h("+"), h("-"))
        phi = ctx.rate(field) if kind == "storage" else ctx.u[field]
        v = ctx.v[field]
        n = ufl.FacetNormal(regions.mesh)
        dS = ctx.dS(ctx.facet(continuity_group(field)))
        form = (-k_h * ufl.inner(ufl.avg(ufl.grad(phi)), ufl.jump(v, n))
                - k_h * ufl.inner(ufl.avg(ufl.grad(v)), ufl.jump(phi, n))
                + eta * ufl.jump(phi) * ufl.jump(v)) * dS
        return {field: form}

    name = "interior_penalty" if kind == "flux" else "interior_penalty_displacement"
    return Term(f"{name}:{field}", kind, build)


def resistive_jump_term(model: Model, field: str, group: str, resistance: float,
                        label: str = "resistive_jump") -> Term:
    """Let ``field`` (a potential whose flux is a current density) jump across ``group`` with
    the Ohmic law i = [phi] / r, ``resistance`` r in Ohm m^2 (the area-specific resistance of a
    grain boundary or junction), and return the term (add it with ``model.add_term``).

    Across a facet, i is the current from the '+' side to the '-' side, so each side loses
    what the other gains: the residual is (1/r) [phi] [v], independent of which side is '+'."""
    if not resistance > 0:
        raise CaseError("plugins", f"the resistance across {group!r} must be > 0 Ohm m^2, "
                        f"got {resistance}")
    allow_jump(model, field, group)
    sc = model.scales
    conductance = sc.length / (resistance * sc.conductivity)  # dimensionless 1/r

    def build(ctx: FormContext):
        phi, v = ctx.u[field], ctx.v[field]
        g = ctx.constant(f"conductance:{group}", conductance)
        return {field: g * ufl.jump(phi) * ufl.jump(v) * ctx.dS(ctx.facet(group))}

    return Term(f"{label}:{group}", "flux", build)


def capacitive_jump_term(model: Model, field: str, group: str, capacitance: float,
                         label: str = "capacitive_jump") -> Term:
    """The storage of a jump of ``field`` across ``group``: i = C d[phi]/dt, ``capacitance``
    C in F/m^2 (a grain boundary's or junction's, eps / delta for a dielectric of thickness
    delta), in parallel with the jump's conduction law (add both); returns the term."""
    if not capacitance > 0:
        raise CaseError("plugins", f"the capacitance across {group!r} must be > 0 F/m^2, "
                        f"got {capacitance}")
    allow_jump(model, field, group)
    c = model.scales.capacitance(capacitance)

    def build(ctx: FormContext):
        v = ctx.v[field]
        k = ctx.constant(f"capacitance:{group}", c)
        return {field: k * ufl.jump(ctx.rate(field)) * ufl.jump(v) * ctx.dS(ctx.facet(group))}

    return Term(f"{label}:{group}", "storage", build)
