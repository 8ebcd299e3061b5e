"""Frictionless contact of an elastic layer with a rigid obstacle, by Nitsche's method.

On the candidate boundary Gamma_c (outward normal n) the gap to the obstacle is
g = g0 - u.n, with g0 the initial gap measured along n (a UFL expression of the coordinates:
the geometry of the surface or of its asperities). The Signorini conditions g >= 0, sigma_n <= 0,
g sigma_n = 0 are written as the single equation sigma_n = min(sigma_n(u) - gamma (u.n - g0), 0)
and imposed weakly (Chouly and Hild, SIAM J. Numer. Anal. 51, 1295 (2013), the skew-free
variant theta = 0), which adds the residual term

    contact:<boundary>    - integral over Gamma_c of  min(sigma_n(u) - gamma (u.n - g0), 0) v.n

with gamma = gamma0 E / h. The method is consistent (the exact solution satisfies it for any
gamma), so unlike a penalty the answer does not depend on gamma once it is large enough for
stability; Newton's method handles the min (a semismooth function). The contact pressure is
-min(...), returned for outputs.
"""

from __future__ import annotations

from collections.abc import Callable

import ufl

from ssefem.model import Model
from ssefem.physics.mechanics import DISPLACEMENT
from ssefem.terms import FormContext, Observable, Term


def _normal_stress(s, n, gdim):
    return sum(n[i] * s[i, j] * n[j] for i in range(gdim) for j in range(gdim))


def add_rigid_contact(model: Model, boundary: str, layer: str, sigma: Callable,
                      gap: Callable[[FormContext], ufl.core.expr.Expr], modulus: float,
                      stress_scale: float, gamma0: float = 100.0) -> Callable:
    """Nitsche contact of ``layer`` on ``boundary`` with a rigid obstacle at initial gap
    ``gap(ctx)`` (dimensionless length, along the outward normal).

    ``sigma(ctx, layer)`` is the layer's 3x3 stress over ``stress_scale`` (Pa) and ``modulus``
    the layer's Young's modulus over it. Adds the term ``contact:<boundary>`` and the
    observables ``contact_force:<boundary>`` (the integral of the pressure: N in 3-D and
    axisymmetric, N/m in plane 2-D) and ``contact_fraction:<boundary>`` (closed over candidate area); returns
    ``ctx -> contact pressure`` over ``stress_scale`` on the boundary.
    """
    msh = model.regions.mesh
    gdim = msh.geometry.dim
    tag = model.regions.facet_tag[boundary]
    # one rule for the term and its observables, so the contact force balances the load to
    # round-off (UFL would pick a lower degree for the pressure alone than for pressure x v)
    quadrature = {"degree": 4}
    n = ufl.FacetNormal(msh)
    h = ufl.CellDiameter(msh)

    def multiplier(ctx: FormContext):
        u = ctx.u[DISPLACEMENT]
        gamma = ctx.constant(f"nitsche:{boundary}", gamma0 * modulus) / h
        trial = _normal_stress(sigma(ctx, layer), n, gdim) - gamma * (ufl.dot(u, n) - gap(ctx))
        return ufl.min_value(trial, 0.0)

    def build(ctx: FormContext):
        v = ctx.v[DISPLACEMENT]
        return {DISPLACEMENT: -multiplier(ctx) * ufl.dot(v, n) * ctx.ds(tag, **quadrature)}

    model.add_term(Term(f"contact:{boundary}", "flux", build))

    def pressure(ctx: FormContext):
        return -multiplier(ctx)

    def force(ctx: FormContext):
        return pressure(ctx) * ctx.ds(tag, **quadrature), None

    def fraction(ctx: FormContext):
        closed = ufl.conditional(ufl.gt(pressure(ctx), 0.0), 1.0, 0.0)
        return closed * ctx.ds(tag, **quadrature), ctx.one * ctx.ds(tag, **quadrature)

    # an axisymmetric boundary integral is over the surface of revolution: a force in N
    solid = gdim == 3 or model.regions.axisymmetric
    area = model.scales.length ** (2 if solid else gdim - 1)
    model.add_observable(Observable(f"contact_force:{boundary}", "N" if solid else "N/m",
                                    force, stress_scale * area))
    model.add_observable(Observable(f"contact_fraction:{boundary}", "1", fraction))
    return pressure
