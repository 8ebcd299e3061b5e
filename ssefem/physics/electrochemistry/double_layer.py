"""The double layer of an electrode | ion-conductor interface as a capacitance.

In parallel with the interface's Faradaic reaction, the interface stores charge:
i_dl = C_dl d(phi_s - phi_e)/dt, C_dl in F/m^2 (from the case's ``[[interfaces]]``
``double_layer_capacitance``, else the electrode material's ``double_layer_capacitance``, else
none). With it the interface is the Randles element (R_ct + Z_d) || C_dl of an impedance
spectrum. It is a storage term: absent from steady solves, and in a transient it carries
C_dl dU/dt while the open-circuit potential drifts (a part in ~1e-6 of a discharge current), so
an interface without a capacitance given has none and keeps its results. A transport that
resolves the double layer (Nernst-Planck-Poisson) stores the charge itself; the cell builder
refuses a capacitance there.
"""

from __future__ import annotations

from ssefem.model import Model
from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem.terms import FormContext, Observable, Term, interface_mean

PROPERTY = "double_layer_capacitance"


def add_double_layer(model: Model, el: Electrode, iface: str, side: str, label: str,
                     electrolyte: str, capacitance: float, contact=None):
    """Add the double-layer storage of electrode ``el`` on ``side`` of ``iface`` against the
    ion-conductor field ``electrolyte``; returns ``ctx -> i_dl`` (dimensionless, anodic
    positive, on the interface) for the terminal current. ``contact(ctx)`` (1 where the
    surfaces touch) confines it, like the reaction, to the contacts."""
    sc = model.scales
    tag = model.regions.facet_tag[iface]
    other = "-" if side == "+" else "+"
    c_hat = sc.capacitance(capacitance)

    def current(ctx: FormContext):
        c = ctx.constant(f"double_layer_capacitance:{label}", c_hat)
        if contact is not None:
            c = c * contact(ctx)
        return c * (ctx.rate(el.potential)(side) - ctx.rate(electrolyte)(other))

    def build(ctx: FormContext):
        i = current(ctx)
        dS = ctx.dS(tag)
        return {el.potential: i * ctx.v[el.potential](side) * dS,
                electrolyte: -i * ctx.v[electrolyte](other) * dS}

    model.add_term(Term(f"double_layer:{label}", "storage", build))
    model.add_observable(Observable(f"double_layer_current:{label}", "A/m^2",
                                    interface_mean(current, tag), sc.current))
    return current
