"""Displacement current: the storage of charge by a dielectric, eps d(grad phi)/dt.

In an ion conductor the total current sigma grad(phi) + eps grad(dphi/dt) is conserved (the
time derivative of Gauss's law added to charge conservation), so the layer is a resistor in
parallel with its geometric capacitance: a slab of thickness L gives R_b = L / sigma and
C_g = eps / L, the bulk arc of an impedance spectrum with its apex at f = sigma / (2 pi eps).
In an electroneutral conductor (c = c0) the gradient of the ion's electrochemical potential
over zF is the electric field, so the term acts on ``phi_e``. It is a storage term: absent from
steady solves, and zero in a transient wherever the field's gradient does not change (a
constant current through a layer), so it changes a galvanostatic run only at its current
steps, where it adds the layer's charging of time constant eps / sigma (ns to us).
"""

from __future__ import annotations

import ufl

from ssefem.terms import FormContext, Term


def permittivity_constant(layer: str) -> str:
    """Name of the named constant holding a layer's dimensionless permittivity."""
    return f"eps:{layer}"


def displacement_term(label: str, field: str, layer: str, eps: float) -> Term:
    """Storage term eps grad(d field / dt) . grad(v) over one layer; ``eps`` dimensionless
    (:meth:`ssefem.scales.Scales.permittivity`)."""

    def build(ctx: FormContext):
        e = ctx.constant(permittivity_constant(layer), eps)
        v = ctx.v[field]
        dx = ctx.dx(ctx.layer(layer), degree=ctx.degree(field))
        return {field: e * ufl.inner(ufl.grad(ctx.rate(field)), ufl.grad(v)) * dx}

    return Term(f"{label}:{layer}", "storage", build)
