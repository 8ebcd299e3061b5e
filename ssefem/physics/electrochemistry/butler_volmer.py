"""Butler-Volmer kinetics at an electrode | ion-conductor interface.

i = i0 [exp(alpha_a z f eta) - exp(-alpha_c z f eta)], eta = phi_s - phi_e - U(theta), with i
positive anodic (from the electrode into the ion conductor). i0 follows the composition as
i0_ref (theta/theta_ref)^alpha_c ((1-theta)/(1-theta_ref))^alpha_a for an insertion electrode.
"""

from __future__ import annotations

import ufl

from ssefem.model import Model
from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem.physics.electrochemistry.electrodes import ELECTROLYTE, UFL_NS
from ssefem.terms import FormContext, Observable, Term, interface_mean

_EPS = 1e-9


def equilibrium_potential(ctx: FormContext, el: Electrode, side: str, previous: bool = False):
    """U(theta) of the electrode on ``side`` of an interface, in units of RT/F (0 for a metal)."""
    if el.stoichiometry is None:
        return 0.0
    th = (ctx.u_n if previous else ctx.u)[el.stoichiometry](side)
    th = ufl.max_value(ufl.min_value(th, 1.0 - _EPS), _EPS)
    U = el.ocp(th, UFL_NS) / ctx.scales.potential
    if el.potential_shift is not None:
        U = U + el.potential_shift(ctx, side, previous)
    return U


def _kinetics(ctx: FormContext, el: Electrode, label: str, side: str, i0: float,
              alpha_a: float, alpha_c: float, electrolyte: str, ion_activity=None):
    """(eta, i) on the interface as UFL expressions, dimensionless."""
    other = "-" if side == "+" else "+"
    sc = ctx.scales
    phi_s = ctx.u[el.potential](side)
    phi_e = ctx.u[electrolyte](other)
    i0e = ctx.constant(f"i0:{label}", i0 / sc.current)
    if el.stoichiometry is not None:
        th = ctx.u[el.stoichiometry](side)
        th = ufl.max_value(ufl.min_value(th, 1.0 - _EPS), _EPS)
        tr = el.theta_ref
        i0e = i0e * (th / tr) ** alpha_c * ((1.0 - th) / (1.0 - tr)) ** alpha_a
    eta = phi_s - phi_e - equilibrium_potential(ctx, el, side)
    if ion_activity is not None:
        i0e = i0e * ion_activity(ctx, other, eta) ** alpha_a
    i = i0e * (ufl.exp(alpha_a * el.z * eta) - ufl.exp(-alpha_c * el.z * eta))
    return eta, i


def add_butler_volmer(model: Model, el: Electrode, iface: str, side: str, *, i0: float,
                      alpha_a: float, alpha_c: float,
                      label: str | None = None, electrolyte: str = ELECTROLYTE,
                      ion_activity=None, contact=None):
    """Add the BV term (and its observables) for electrode ``el`` on ``side`` of ``iface``.

    ``label`` names the term and observables (default ``iface``: a thin coating makes the
    reacting interface ``cathode|coating`` sit on the mesh's ``cathode|electrolyte``);
    ``electrolyte`` is the field on the ion-conductor side (``phi_e``, or a thin layer's
    interface potential). Returns ``ctx -> i`` (dimensionless, anodic positive, restricted to
    the interface). ``ion_activity(ctx, ion_side, eta)`` is the ion's c/c_ref at the reaction
    plane (of a resolved Nernst-Planck-Poisson layer, or from an upscaled double-layer law in
    eta); i0 is multiplied by its power alpha_a, which with ``phi_e`` the ion's electrochemical
    potential over zF is the Frumkin-corrected law
    i = k_a exp(alpha_a z f (phi_s - U - psi)) - k_c c exp(-alpha_c z f (phi_s - U - psi)).
    ``contact(ctx)`` (1 where the surfaces touch, else 0) confines the reaction to the contacts
    of an electrode that is not bonded; the current density observable stays the mean over the
    nominal area, the overpotential is averaged over the contacts.
    """
    sc = model.scales
    label = label or iface
    tag = model.regions.facet_tag[iface]
    other = "-" if side == "+" else "+"

    def weight(ctx: FormContext):
        return ctx.one if contact is None else contact(ctx)

    def kinetics(ctx: FormContext):
        eta, i = _kinetics(ctx, el, label, side, i0, alpha_a, alpha_c, electrolyte,
                           ion_activity)
        return eta, weight(ctx) * i

    def build(ctx: FormContext):
        _, i = kinetics(ctx)
        dS = ctx.dS(tag)
        out = {
            el.potential: i * ctx.v[el.potential](side) * dS,
            electrolyte: -i * ctx.v[electrolyte](other) * dS,
        }
        if el.stoichiometry is not None:
            k = sc.flux_to_rate(el.c_max, el.z)
            out[el.stoichiometry] = k * i * ctx.v[el.stoichiometry](side) * dS
        return out

    model.add_term(Term(f"butler_volmer:{label}", "source", build))

    def overpotential(ctx: FormContext):
        w = weight(ctx)
        return w * kinetics(ctx)[0] * ctx.dS(tag), w * ctx.dS(tag)

    model.add_observable(Observable(f"overpotential:{label}", "V", overpotential, sc.potential))
    model.add_observable(Observable(f"current_density:{label}", "A/m^2",
                                    interface_mean(lambda ctx: kinetics(ctx)[1], tag),
                                    sc.current))
    return lambda ctx: kinetics(ctx)[1]
