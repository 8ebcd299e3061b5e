"""Frictionless contact by Nitsche's method: of an elastic layer with a rigid obstacle, and of
two bodies across an interface of the mesh.

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

Between two bodies meeting at a mesh interface (the layers on either side have their own
displacement fields) the gap is g = g0 - (u_s - u_m).n_s, with n_s the outward normal of the
"slave" side s, whose normal stress enters the multiplier; its reaction acts on the other
("master") side m: the term is - min(sigma_n(u_s) + gamma g, 0) (v_s - v_m).n_s on the
interface. The slave is the softer body (lithium against a ceramic), so that gamma ~ E_s / h
suffices. The interface stays flat in the mesh: g0 carries its roughness (small slopes, as in
Westergaard's and Johnson's analyses of wavy contact).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ufl

from ssefem.model import Model
from ssefem.physics.mechanics.elasticity import Elasticity
from ssefem.terms import FormContext, Observable, Term, interface_mean


def _normal_stress(s, n, gdim):
    return sum(n[i] * s[i, j] * n[j] for i in range(gdim) for j in range(gdim))


def add_rigid_contact(model: Model, boundary: str, layer: str, sigma: Elasticity,
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

    field = sigma.field[layer]

    def multiplier(ctx: FormContext):
        u = ctx.u[field]
        gamma = ctx.constant(f"nitsche:{boundary}", gamma0 * modulus) / h
        trial = _normal_stress(sigma(ctx, layer), n, gdim) - gamma * (ufl.dot(u, n) - gap(ctx))
        return ufl.min_value(trial, 0.0)

    def build(ctx: FormContext):
        v = ctx.v[field]
        return {field: -multiplier(ctx) * ufl.dot(v, n) * ctx.ds(tag, **quadrature)}

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


@dataclass(frozen=True)
class InterfaceContact:
    """What the contact of two bodies at an interface exposes (UFL, on the interface facets,
    dimensionless): ``pressure(ctx)`` over the stress scale, ``gap(ctx)`` in lengths (None for
    a contact law) and ``closed(ctx)``, the weight of the interface kinetics: 1 where the
    surfaces are pressed together or their gap is within the contact distance, else 0 (a
    contact law's effective factor)."""

    interface: str
    pressure: Callable
    gap: Callable
    closed: Callable


def add_interface_contact(model: Model, interface: str, slave: str, master: str,
                          sigma: Elasticity, gap: Callable[[FormContext], ufl.core.expr.Expr],
                          modulus: float, contact_distance: float,
                          gamma0: float = 100.0) -> InterfaceContact:
    """Nitsche contact between layers ``slave`` and ``master`` (different bodies) across the mesh
    interface ``interface``, at initial gap ``gap(ctx)`` (dimensionless, a UFL expression of
    the coordinates). ``modulus`` is the slave's Young's modulus over the stress scale.

    Adds the term ``contact:<interface>`` and the observables ``contact_pressure:<interface>``
    (Pa, mean over the nominal area: the load the interface carries) and
    ``contact_fraction:<interface>`` (area within ``contact_distance`` of touching).
    """
    regions = model.regions
    tag = regions.facet_tag[interface]
    first = interface.split("|")[0]
    if {slave, master} != set(interface.split("|")):
        raise ValueError(f"contact at {interface!r} needs its two layers, not {slave}/{master}")
    s = "+" if slave == first else "-"  # the interface's '+' side is its first layer
    m = "-" if s == "+" else "+"
    gdim = regions.mesh.geometry.dim
    n = ufl.FacetNormal(regions.mesh)(s)
    h = ufl.CellDiameter(regions.mesh)(s)
    fs, fm = sigma.field[slave], sigma.field[master]
    if fs == fm:
        raise ValueError(f"contact at {interface!r}: {slave} and {master} are bonded")

    def g(ctx: FormContext):
        jump = ctx.u[fs](s) - ctx.u[fm](m)
        return gap(ctx) - ufl.dot(jump, n)

    def multiplier(ctx: FormContext):
        gamma = ctx.constant(f"nitsche:{interface}", gamma0 * modulus) / h
        sn = _normal_stress(sigma(ctx, slave)(s), n, gdim)
        return ufl.min_value(sn + gamma * g(ctx), 0.0)

    def build(ctx: FormContext):
        lam = multiplier(ctx)
        dS = ctx.dS(tag)
        return {fs: -lam * ufl.dot(ctx.v[fs](s), n) * dS,
                fm: lam * ufl.dot(ctx.v[fm](m), n) * dS}

    model.add_term(Term(f"contact:{interface}", "flux", build))
    delta = contact_distance

    def closed(ctx: FormContext):
        # pressed (the discrete contact set: there the gap is 0 only to the discretisation
        # error of sigma_n over gamma) or touching within the contact distance (unloaded)
        near = ufl.le(g(ctx), ctx.constant(f"contact_distance:{interface}", delta))
        return ufl.conditional(ufl.Or(ufl.lt(multiplier(ctx), 0.0), near), 1.0, 0.0)

    def pressure(ctx: FormContext):
        return -multiplier(ctx)

    model.add_observable(Observable(f"contact_pressure:{interface}", "Pa",
                                    interface_mean(pressure, tag), sigma.stress_scale))
    model.add_observable(Observable(f"contact_fraction:{interface}", "1",
                                    interface_mean(closed, tag)))
    return InterfaceContact(interface, pressure, g, closed)
