"""Terminals: the cell's controls and its voltage.

The negative terminal (last layer's collector) is the ground, phi = 0. The positive terminal
(first layer's collector) either draws the applied current density (``current`` control,
positive = discharge) or is held at the applied voltage (``voltage`` control).
"""

from __future__ import annotations

from ssefem.expectations import Expectation
from ssefem.model import Model
from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem.terms import Constraint, FormContext, Observable, Term

APPLIED_CURRENT = "applied_current"
APPLIED_VOLTAGE = "applied_voltage"
GROUND = "ground"
#: V of polarisation beyond the electrodes' open-circuit window that a terminal voltage is still
#: expected within: the widest electrochemical stability windows of solid electrolytes span ~5 V
POLARISATION_LIMIT = 5.0


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
    (lo_p, hi_p), (lo_n, hi_n) = positive.ocv_range(), negative.ocv_range()
    lo, hi = lo_p - hi_n, hi_p - lo_n
    model.add_expectation(Expectation(
        "terminal_voltage", "voltage", lo - POLARISATION_LIMIT, hi + POLARISATION_LIMIT,
        f"more than {POLARISATION_LIMIT:g} V of polarisation beyond the electrodes' "
        f"open-circuit window [{lo:.4g}, {hi:.4g}] V: the cell is driven far beyond what it "
        "can carry (beyond any solid electrolyte's stability window, with a Joule heat that "
        "breaks the isothermal model)", unit="V"))
