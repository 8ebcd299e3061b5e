"""Electrostatics at the faces of a resolved ion conductor: electrode contacts and junctions.

Electrode | ion conductor. The electrostatic potential psi of the ion conductor at the reaction
plane is tied to the electrode by

    psi = g,   g = phi_s - U(theta) - dpsi            (ideal contact; Nitsche's method)
    sigma_M = C_S (g - psi) = eps d(psi)/dn_out       (Stern layer of capacitance C_S)

with dpsi the potential step between the phases at equilibrium (from their chemical-potential
difference): at open circuit phi_e = phi_s - U, and with dpsi = 0 the layer holds no space charge,
while dpsi != 0 builds an equilibrium space-charge layer. sigma_M, the electrode's surface
charge, changes in transients: its rate is a non-faradaic current that the electrode's charge
balance carries (the term ``double_layer_charging``).

Ion conductor | ion conductor (both resolved): psi jumps by dpsi across the junction and the
displacement eps d(psi)/dn is continuous (symmetric Nitsche for the jump).
"""

from __future__ import annotations

import ufl

from ssefem.constants import F
from ssefem.model import Model
from ssefem.physics.electrochemistry.butler_volmer import equilibrium_potential
from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem_space_charge.nernst_planck import NPPRegion
from ssefem.terms import EQUILIBRATION, FormContext, Observable, Term, interface_mean

_PENALTY = 20.0  # Nitsche penalty, times degree^2 kappa / h


def potential_step(ctx: FormContext, iface: str, value: float):
    """The equilibrium potential step of ``iface`` (dimensionless ``value``) as a named constant,
    scaled by the open-circuit equilibration homotopy."""
    return ctx.constant(EQUILIBRATION, 1.0) * ctx.constant(f"potential_step:{iface}", value)


def _charge_to_current(model: Model, region: NPPRegion) -> float:
    """Factor from a rate of dimensionless areal charge (F c_scale L0 per t0) to current units."""
    sc = model.scales
    return F * region.c_scale * sc.length / sc.time / sc.current


def add_electrode_contact(model: Model, region: NPPRegion, el: Electrode, iface: str,
                          electrode_side: str, *, stern_capacitance: float | None,
                          potential_step_value: float = 0.0, degree: int = 1):
    """Tie the region's psi to electrode ``el`` at ``iface``; return ``ctx -> i_capacitive``."""
    sc = model.scales
    tag = model.regions.facet_tag[iface]
    s, e = electrode_side, ("-" if electrode_side == "+" else "+")
    psi = region.potential
    label = iface
    potential_step_hat = potential_step_value / sc.potential
    k_cur = _charge_to_current(model, region)
    cs_hat = None
    if stern_capacitance is not None:
        if not stern_capacitance > 0:
            raise ValueError(f"{iface}: the Stern capacitance must be positive")
        cs_hat = stern_capacitance * sc.potential / (F * region.c_scale * sc.length)

    def g(ctx: FormContext, previous: bool = False):
        u = ctx.u_n if previous else ctx.u
        return (u[el.potential](s) - equilibrium_potential(ctx, el, s, previous)
                - potential_step(ctx, label, potential_step_hat))

    def surface_charge(ctx: FormContext, previous: bool = False):
        """sigma_M in units of F c_scale L0 (the electrode's charge)."""
        u = ctx.u_n if previous else ctx.u
        if cs_hat is not None:
            return ctx.constant(f"stern_capacitance:{label}", cs_hat) * (g(ctx, previous)
                                                                        - u[psi](e))
        kappa = ctx.constant(f"debye_coefficient:{region.label}", region.kappa)
        n = ufl.FacetNormal(ctx.regions.mesh)(e)
        h = ufl.CellDiameter(ctx.regions.mesh)(e)
        flux = kappa * ufl.dot(ufl.grad(u[psi])(e), n)
        return flux - _PENALTY * degree**2 * kappa / h * (u[psi](e) - g(ctx, previous))

    def contact(ctx: FormContext):
        """-sigma_M w: Robin through the Stern layer, or Nitsche (whose consistent flux is
        sigma_M) plus its symmetry term for the ideal contact."""
        dS = ctx.dS(tag)
        form = -surface_charge(ctx) * ctx.v[psi](e)
        if cs_hat is None:
            kappa = ctx.constant(f"debye_coefficient:{region.label}", region.kappa)
            n = ufl.FacetNormal(ctx.regions.mesh)(e)
            form -= kappa * ufl.dot(ufl.grad(ctx.v[psi])(e), n) * (ctx.u[psi](e) - g(ctx))
        return {psi: form * dS}

    def capacitive(ctx: FormContext):
        return k_cur * (surface_charge(ctx) - surface_charge(ctx, previous=True)) / ctx.dt

    def charging(ctx: FormContext):
        return {el.potential: capacitive(ctx) * ctx.v[el.potential](s) * ctx.dS(tag)}

    kind = "stern_layer" if cs_hat is not None else "ideal_contact"
    model.add_term(Term(f"{kind}:{label}", "flux", contact))
    model.add_term(Term(f"double_layer_charging:{label}", "storage", charging))
    model.add_observable(Observable(
        f"electrode_charge:{label}", "C/m^2",
        interface_mean(surface_charge, tag),
        F * region.c_scale * sc.length))
    model.add_observable(Observable(
        f"space_charge_potential:{label}", "V",
        interface_mean(lambda ctx: (ctx.u[psi](e)
                                    - ctx.u[region.carriers[region.species[0].name][0]](e)),
                       tag), sc.potential))
    return capacitive


def add_junction(model: Model, a: NPPRegion, b: NPPRegion, iface: str, *,
                 potential_step_value: float = 0.0, degree: int = 1) -> None:
    """psi_b - psi_a = potential_step_value (V) across ``iface`` ('+' side in ``a``), continuous
    displacement (symmetric Nitsche)."""
    sc = model.scales
    tag = model.regions.facet_tag[iface]
    pa, pb = a.potential, b.potential
    step_hat = potential_step_value / sc.potential

    def build(ctx: FormContext):
        # each region's Poisson equation is in units of its own F c_scale L0: the displacement
        # D = c_scale kappa grad(psi) is compared in common units (mol/m^3 of charge)
        ka = ctx.constant(f"debye_coefficient:{a.label}", a.kappa)
        kb = ctx.constant(f"debye_coefficient:{b.label}", b.kappa)
        ca, cb = a.c_scale, b.c_scale
        step = potential_step(ctx, iface, step_hat)
        n = ufl.FacetNormal(ctx.regions.mesh)("+")
        h = ufl.avg(ufl.CellDiameter(ctx.regions.mesh))
        u, v = ctx.u, ctx.v
        mean_d = 0.5 * (ca * ka * ufl.grad(u[pa])("+") + cb * kb * ufl.grad(u[pb])("-"))
        jump = u[pa]("+") - u[pb]("-") + step
        wa, wb = v[pa]("+"), v[pb]("-")
        gamma = _PENALTY * degree**2 * 0.5 * (ca * ka + cb * kb) / h
        dS = ctx.dS(tag)
        return {
            pa: ((-ufl.dot(mean_d, n) + gamma * jump) / ca * wa
                 - 0.5 * ka * ufl.dot(ufl.grad(v[pa])("+"), n) * jump) * dS,
            pb: ((ufl.dot(mean_d, n) - gamma * jump) / cb * wb
                 - 0.5 * kb * ufl.dot(ufl.grad(v[pb])("-"), n) * jump) * dS,
        }

    model.add_term(Term(f"potential_jump:{iface}", "flux", build))
