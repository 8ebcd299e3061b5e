"""Terminals: the cell's controls and its voltage.

The negative terminal (last layer's collector) is the ground, phi = 0. The positive terminal
(first layer's collector) either draws the applied current density (``current`` control,
positive = discharge) or is held at the applied voltage (``voltage`` control).
"""

from __future__ import annotations

from ssefem.model import Model
from ssefem.physics.electrode import Electrode
from ssefem.terms import Constraint, FormContext, Observable, Term

APPLIED_CURRENT = "applied_current"
APPLIED_VOLTAGE = "applied_voltage"
GROUND = "ground"


def add_terminals(model: Model, positive: Electrode, negative: Electrode, pos_cc: str,
                  neg_cc: str) -> None:
    sc = model.scales
    pos_tag = model.regions.facet_tag[pos_cc]
    neg_tag = model.regions.facet_tag[neg_cc]
    phi_p, phi_n = positive.potential, negative.potential

    def applied_current(ctx: FormContext):
        i = ctx.constant(APPLIED_CURRENT)
        return {phi_p: i * ctx.v[phi_p] * ctx.ds(pos_tag)}

    model.add_term(Term(f"applied_current:{pos_cc}", "source", applied_current))
    model.add_constraint(Constraint(phi_n, neg_cc, GROUND))
    model.add_constraint(Constraint(phi_p, pos_cc, APPLIED_VOLTAGE, control="voltage"))

    def voltage(ctx: FormContext):
        # both collectors have the same area: mean(phi_p) - mean(phi_n)
        return ((ctx.u[phi_p] * ctx.ds(pos_tag) - ctx.u[phi_n] * ctx.ds(neg_tag)),
                ctx.one * ctx.ds(pos_tag))

    model.add_observable(Observable("voltage", "V", voltage, sc.potential))
