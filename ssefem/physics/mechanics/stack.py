"""A cell's mechanics from its case: the elastic layers, chemical and thermal strain, creep of
the metal electrodes, supports, stack pressure, and the stress-potential coupling of the
insertion electrode.

Mechanics and electrochemistry form one blocked system (monolithic coupling): the displacement
is a steady field solved with the potentials in every Newton step. The chemical strain follows
the electrode composition, and the hydrostatic stress feeds back into the electrode's
open-circuit potential (U + Omega sigma_h / F), so both directions of the coupling are exact
at every step. Elasticity is linear, so the added field costs no extra Newton iterations; a
staggered scheme would need sub-iterations to be as accurate.
"""

from __future__ import annotations

import dataclasses

import ufl

from ssefem.case import Case
from ssefem.constants import F
from ssefem.errors import CaseError
from ssefem.materials import Library, Material
from ssefem.model import Model
from ssefem.physics.mechanics.stack_contact import (
    add_cell_contact,
    add_contact_law,
    bodies,
    contact_layers,
)
from ssefem.physics.mechanics.stack_creep import creep_laws
from ssefem.physics.mechanics.contact import InterfaceContact
from ssefem.physics.mechanics.creep import add_creep, creep_strain
from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem.physics.mechanics.elasticity import (
    HELD_DISPLACEMENT,
    ElasticLayer,
    add_elasticity,
    add_pressure,
    add_reaction_pressure,
    add_support,
    add_thickness_change,
    stack_pressure_sweep,
)
from ssefem.state import Handle

MPA = 1e6
#: Pa: the stress scale of the cell's elasticity (its stiffest layer's Young's modulus)
STRESS_SCALE: Handle[float] = Handle("stress_scale", float, "Pa, the stress scale of the "
                                     "cell's elasticity (largest Young's modulus)")


def _property(mat: Material, name: str, index: int, T: float, why: str) -> float:
    if name not in mat.properties:
        raise CaseError(f"layers[{index}].material",
                        f"{mat.name!r} has no {name} in the material library; {why}")
    return mat.at(name, T)


def elastic_constants(case: Case, library: Library) -> dict[str, tuple[float, float]]:
    """(E, nu) of every meshed layer; raises a CaseError naming the layer that lacks one."""
    T = case.temperature
    creep_laws(case, library)
    out = {}
    for i, layer in enumerate(case.layers):
        if layer.mode != "meshed":
            continue
        mat = library.get(layer.material)
        E = _property(mat, "youngs_modulus", i, T, "[mechanics] needs it")
        nu = _property(mat, "poisson_ratio", i, T, "[mechanics] needs it")
        out[layer.name] = (E, nu)
    mech = case.mechanics
    if (mech.collectors == "fixed_gap" and mech.lateral == "free" and mech.stack_pressure > 0
            and case.geometry.dimension > 1):
        raise CaseError("mechanics.collectors", "'fixed_gap' under a stack pressure needs "
                        "lateral = 'roller' (the preloaded gap is that of a constrained stack)")
    if mech.lateral == "periodic" and case.geometry.axisymmetric:
        raise CaseError("mechanics.lateral", "'periodic' needs a Cartesian geometry (an "
                        "axisymmetric cell has no lateral period)")
    contact_layers(case, library)
    return out


def add_cell_mechanics(model: Model, case: Case, library: Library,
                       electrodes: dict[str, Electrode],
                       ) -> tuple[dict[str, Electrode], InterfaceContact | None]:
    """Add the cell's mechanics; return the electrodes, with the stress-potential coupling,
    and the contact of the metal electrode (None where it is bonded)."""
    mech = case.mechanics
    T = case.temperature
    constants = elastic_constants(case, library)
    laws = creep_laws(case, library)
    index = {layer.name: i for i, layer in enumerate(case.layers)}
    layers = []
    omegas = {}
    for name, (E, nu) in constants.items():
        mat = library.get(case.layers[index[name]].material)
        parts = []
        el = electrodes.get(name)
        if el is not None and el.stoichiometry is not None:
            omega = _property(mat, "partial_molar_volume", index[name], T,
                              "the chemical strain of an insertion electrode needs it")
            omegas[name] = omega
            theta_free = mech.stress_free_stoichiometry or el.theta0
            k = omega * el.c_max / 3

            def chemical(ctx, state, c=el.stoichiometry, k=k, th=theta_free):
                return k * (state[c] - th)

            parts.append(chemical)
        T_free = mech.stress_free_temperature
        if T_free is not None and T_free != T:
            alpha = _property(mat, "thermal_expansion", index[name], T,
                              "a stress-free temperature other than the case's needs it")
            parts.append(lambda ctx, state, e=alpha * (T - T_free): e)
        eigen = None
        if parts:
            def eigen(ctx, state, parts=parts):
                return sum(p(ctx, state) for p in parts)
        creeping = creep_strain(name, model.regions.dim) if name in laws else None
        layers.append(ElasticLayer(name, E, nu, eigen, creeping))
    scale = max(E for E, _ in constants.values())
    model.state.publish(STRESS_SCALE, float(scale))
    model.add_sweep_parameter(stack_pressure_sweep(scale))
    names = tuple(constants)
    pair = contact_layers(case, library)
    resolved = pair is not None and mech.contact.model == "resolved"
    sigma = add_elasticity(model, layers, scale, mech.degree,
                           bodies(names, pair[0]) if resolved else None)
    add_creep(model, sigma, laws, mech.degree, case.solver.max_creep_strain_change)
    contact = None
    if resolved:
        contact = add_cell_contact(model, case, *pair, sigma, constants[pair[0]][0] / scale)
    elif pair is not None:
        el = electrodes[pair[0]]
        over = case.interface(mech.contact.interface)
        contact = add_contact_law(model, case, *pair, sigma, library, (
            over.exchange_current_density or el.i0, over.alpha_a or el.alpha_a,
            over.alpha_c or el.alpha_c))
    regions = model.regions
    pos_cc, neg_cc = f"{names[0]}_cc", f"{names[-1]}_cc"
    field = sigma.field
    if mech.lateral == "roller":
        add_support(model, neg_cc, "roller", field[names[-1]])
        if regions.dim > 1:
            for n in names:
                add_support(model, f"{n}_lateral", "roller", field[n])
    elif mech.lateral == "periodic":
        # a periodic cell: every field periodic across the lateral faces; each body is held
        # laterally at the centre of its collector (no lateral load acts on a periodic body,
        # so the pin carries none)
        add_support(model, neg_cc, "roller", field[names[-1]])
        if regions.dim > 1:
            model.periodic = tuple(range(1, regions.dim))
            for body in dict.fromkeys(field.values()):
                add_support(model, neg_cc if body == field[names[-1]] else pos_cc, "pin", body)
    else:
        add_support(model, neg_cc, "fixed", field[names[-1]])
    if mech.collectors == "pressure":
        add_pressure(model, pos_cc, scale, mech.stack_pressure * MPA, field[names[0]])
    else:
        # held where the stack pressure put a laterally constrained stack (rollers)
        p = mech.stack_pressure * MPA
        shift = sum(case.layers[index[n]].thickness * p * (1 + nu) * (1 - 2 * nu) / (E * (1 - nu))
                    for n, (E, nu) in constants.items())
        model.constants[HELD_DISPLACEMENT] = shift
        add_support(model, pos_cc, "axial", field[names[0]])
    add_reaction_pressure(model, neg_cc, names[-1], sigma, scale)
    add_thickness_change(model, sigma, names[0], names[-1], pos_cc, neg_cc)
    if not mech.stress_potential:
        return electrodes, contact
    out = dict(electrodes)
    for name, omega in omegas.items():
        factor = omega * scale / (F * model.scales.potential)

        def shift(ctx, side, previous, name=name, factor=factor):
            return factor * (ufl.tr(sigma(ctx, name, previous)) / 3)(side)

        out[name] = dataclasses.replace(electrodes[name], potential_shift=shift)
    return out, contact
