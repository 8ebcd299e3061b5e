"""Ohmic conduction: -div(sigma grad phi) = 0 in a layer (ionic or electronic)."""

from __future__ import annotations

import ufl

from ssefem.terms import FormContext, Term


def conductivity_constant(layer: str) -> str:
    """Name of the named constant holding a layer's dimensionless conductivity."""
    return f"sigma:{layer}"


def conduction_term(label: str, field: str, layer: str, sigma: float) -> Term:
    """Flux term sigma grad(phi) . grad(v) over one layer; ``sigma`` dimensionless.

    The conductivity is a named constant (:func:`conductivity_constant`) so a study may change
    it (temperature sweeps) without recompiling forms.
    """

    def build(ctx: FormContext):
        s = ctx.constant(conductivity_constant(layer), sigma)
        phi, v = ctx.u[field], ctx.v[field]
        dx = ctx.dx(ctx.layer(layer), degree=ctx.degree(field))
        return {field: s * ufl.inner(ufl.grad(phi), ufl.grad(v)) * dx}

    return Term(f"{label}:{layer}", "flux", build)
