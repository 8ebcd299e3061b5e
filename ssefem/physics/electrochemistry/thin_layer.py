"""A thin ion-conducting layer (a coating) as an interface jump instead of a meshed layer.

The layer's electrolyte-side potential at the electrode becomes an unknown ``phi_<layer>`` on the
interface (a codimension-1 submesh); the current through the layer is
i = (phi_<layer> - phi_e) / r + C d(phi_<layer> - phi_e)/dt with r = thickness / sigma and
C = eps0 eps_r / thickness (the layer's conduction and displacement currents: an R || C), and
the electrode's Butler-Volmer law reacts against ``phi_<layer>``. For a laterally uniform current
this equals the meshed layer, in steady state and in time.
"""

from __future__ import annotations

from ssefem.case import Layer
from ssefem.constants import EPS0
from ssefem.fields import Field
from ssefem.materials import Material
from ssefem.model import Model
from ssefem.physics.electrochemistry.electrodes import ELECTROLYTE
from ssefem.terms import FormContext, Observable, Term, interface_mean


def add_thin_layer(model: Model, layer: Layer, mat: Material, iface: str, electrolyte_side: str,
                   initial: float) -> str:
    """Add the layer's interface potential and jump term; return the field's name."""
    sc = model.scales
    T = sc.temperature
    name = f"phi_{layer.name}"
    r = layer.thickness * sc.length / mat.at("conductivity", T)  # Ohm m^2
    r_hat = r * sc.current / sc.potential
    tag = model.regions.facet_tag[iface]
    model.add_field(Field(name, (), initial, sc.potential, "V", interface=iface))
    e = electrolyte_side

    def jump(ctx: FormContext):
        g = ctx.constant(f"thin_conductance:{layer.name}", 1.0 / r_hat)
        i = g * (ctx.u[name](e) - ctx.u[ELECTROLYTE](e))
        dS = ctx.dS(tag)
        return {name: i * ctx.v[name](e) * dS, ELECTROLYTE: -i * ctx.v[ELECTROLYTE](e) * dS}

    model.add_term(Term(f"thin_layer_conduction:{layer.name}", "flux", jump))
    c_hat = sc.capacitance(EPS0 * mat.at("relative_permittivity", T) / (layer.thickness
                                                                        * sc.length))

    def displacement(ctx: FormContext):
        c = ctx.constant(f"thin_capacitance:{layer.name}", c_hat)
        i = c * (ctx.rate(name)(e) - ctx.rate(ELECTROLYTE)(e))
        dS = ctx.dS(tag)
        return {name: i * ctx.v[name](e) * dS, ELECTROLYTE: -i * ctx.v[ELECTROLYTE](e) * dS}

    model.add_term(Term(f"thin_layer_displacement:{layer.name}", "storage", displacement))
    model.add_observable(Observable(
        f"potential_drop:{layer.name}", "V",
        interface_mean(lambda ctx: ctx.u[name](e) - ctx.u[ELECTROLYTE](e), tag),
        sc.potential))
    return name
