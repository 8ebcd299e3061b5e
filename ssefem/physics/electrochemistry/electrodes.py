"""Layer builders, one per material kind: each adds its layer's fields and bulk terms.

An electrode builder returns the :class:`Electrode` its interfaces and terminals use; ion
conductors get their bulk terms from their :class:`~ssefem.physics.ionics.transport.IonTransport`.
"""

from __future__ import annotations

import logging
import types

import ufl

from ssefem.case import Case, Layer
from ssefem.constants import F
from ssefem.expectations import Expectation
from ssefem.fields import Field
from ssefem.materials import Material
from ssefem.materials.ocp import get_ocp
from ssefem.model import Model
from ssefem.physics.ionics.conduction import conduction_term
from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem.physics.ionics.transport import ELECTROLYTE  # noqa: F401  (re-exported)
from ssefem.terms import FormContext, Observable, Term

log = logging.getLogger(__name__)

UFL_NS = types.SimpleNamespace(exp=ufl.exp, tanh=ufl.tanh, ln=ufl.ln, sqrt=ufl.sqrt)


def _meshed_thickness(model: Model, layer: Layer) -> float:
    """The layer's thickness in the mesh (um): a user's mesh is what is solved, whatever the
    case says; a difference from the case is logged."""
    t = model.regions.thickness(layer.name)
    if abs(t - layer.thickness) > 1e-6 * layer.thickness:
        log.warning("layer %r is %.6g um thick in the mesh, %.6g um in the case: the mesh's is "
                    "used", layer.name, t, layer.thickness)
    return t


def insertion_electrode(model: Model, case: Case, layer: Layer, mat: Material, T: float) -> Electrode:
    """Dense insertion electrode: solid diffusion of the stoichiometry and electronic conduction."""
    sc = model.scales
    name = layer.name
    c, phi = f"c_{name}", f"phi_{name}"
    th_min, th_max = mat.at("theta_min", T), mat.at("theta_max", T)
    theta0 = case.initial.stoichiometry if case.initial.stoichiometry is not None else th_min
    ocp = get_ocp(mat.ocp).func
    c_max = mat.at("c_max", T)
    electrode = Electrode(
        layer=name, potential=phi, stoichiometry=c, ocp=ocp, theta0=theta0,
        i0=mat.at("exchange_current_density", T),
        theta_ref=mat.theta_ref if mat.theta_ref is not None else 0.5,
        alpha_a=mat.alpha_a, alpha_c=mat.alpha_c, z=mat.z, c_max=c_max,
        capacity=mat.z * F * c_max * (th_max - th_min) * _meshed_thickness(model, layer)
        * sc.length,
        window=(th_min, th_max),
    )
    sigma = mat.at("electronic_conductivity", T) / sc.conductivity
    D = sc.diffusivity(mat.at("diffusivity", T))
    model.add_field(Field(
        c, (name,), theta0, c_max, "mol/m^3", steady=False, bounds=(0.0, 1.0),
        bound_meaning=(f"{name} is emptied of {mat.ion} (every site vacant): the electrode is "
                       "exhausted before the cut-off",
                       f"{name} is filled with {mat.ion} (every site taken): the electrode is "
                       "exhausted before the cut-off")))
    model.add_expectation(Expectation(
        f"stoichiometry_window:{name}", c, th_min, th_max,
        f"{mat.name}'s open-circuit potential fit {mat.ocp!r} covers only this window and is "
        "extrapolated outside it", on="field", unit="(site fraction)"))
    model.add_field(Field(phi, (name,), electrode.ocv() / sc.potential, sc.potential, "V",
                          residual_scale=1.0 / sigma))
    dx_tag = model.regions.layer_tag[name]

    def storage(ctx: FormContext):
        return {c: ctx.rate(c) * ctx.v[c] * ctx.dx(dx_tag, degree=ctx.degree(c))}

    def diffusion(ctx: FormContext):
        Dc = ctx.constant(f"D:{name}", D)
        dx = ctx.dx(dx_tag, degree=ctx.degree(c))
        return {c: Dc * ufl.inner(ufl.grad(ctx.u[c]), ufl.grad(ctx.v[c])) * dx}

    model.add_term(Term(f"storage:{c}", "storage", storage))
    model.add_term(Term(f"solid_diffusion:{name}", "flux", diffusion))
    model.add_term(conduction_term("electronic_conduction", phi, name, sigma))
    model.add_observable(Observable(
        f"stoichiometry:{name}", "1",
        lambda ctx: (ctx.u[c] * ctx.dx(dx_tag), ctx.one * ctx.dx(dx_tag))))
    return electrode


def metal_electrode(model: Model, case: Case, layer: Layer, mat: Material, T: float) -> Electrode:
    """Metal electrode (Li, Na, Mg): an electronic conductor at the ion's reference potential."""
    sc = model.scales
    name = layer.name
    phi = f"phi_{name}"
    sigma = mat.at("electronic_conductivity", T) / sc.conductivity
    model.add_field(Field(phi, (name,), 0.0, sc.potential, "V", residual_scale=1.0 / sigma))
    model.add_term(conduction_term("electronic_conduction", phi, name, sigma))
    return Electrode(
        layer=name, potential=phi, stoichiometry=None, ocp=None, theta0=None,
        i0=mat.at("exchange_current_density", T), theta_ref=0.5,
        alpha_a=mat.alpha_a, alpha_c=mat.alpha_c, z=mat.z,
    )


#: material kind -> (role, builder)
LAYER_PHYSICS = {
    "insertion_electrode": ("electrode", insertion_electrode),
    "metal": ("electrode", metal_electrode),
    "ion_conductor": ("ion_conductor", None),  # bulk terms from the layer's IonTransport
}
