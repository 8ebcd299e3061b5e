"""Assemble the electroneutral cell model from a case: layers, interfaces, terminals."""

from __future__ import annotations

from ssefem.case import Case
from ssefem.errors import CaseError
from ssefem.fields import Field
from ssefem.materials import Library
from ssefem.mesh.regions import Regions
from ssefem.model import Model
from ssefem.physics.butler_volmer import add_butler_volmer
from ssefem.physics.layers import ELECTROLYTE, LAYER_PHYSICS
from ssefem.physics.terminals import add_terminals
from ssefem.scales import Scales


def stack_roles(case: Case, library: Library) -> list[str]:
    """Role of each layer ('electrode' or 'ion_conductor'); checks the stack is a cell."""
    roles = []
    for i, layer in enumerate(case.layers):
        try:
            mat = library.get(layer.material)
        except ValueError as err:
            raise CaseError(f"layers[{i}].material", str(err)) from None
        if mat.kind not in LAYER_PHYSICS:
            raise CaseError(f"layers[{i}].material",
                            f"{mat.name!r} is a {mat.kind} material, which no cell-scale layer "
                            f"model handles (known kinds: {', '.join(LAYER_PHYSICS)})")
        roles.append(LAYER_PHYSICS[mat.kind][0])
    if roles[0] != "electrode" or roles[-1] != "electrode":
        i = 0 if roles[0] != "electrode" else len(roles) - 1
        raise CaseError(f"layers[{i}].material",
                        "the first and last layers must be electrodes (insertion or metal)")
    for i, r in enumerate(roles[1:-1], start=1):
        if r != "ion_conductor":
            raise CaseError(f"layers[{i}].material",
                            "layers between the two electrodes must be ion conductors")
    ions = {library.get(layer.material).ion for layer in case.layers}
    if len(ions) > 1:
        raise CaseError("layers", f"layers exchange different ions ({', '.join(sorted(ions))})")
    return roles


def build_cell_model(case: Case, library: Library, regions: Regions) -> Model:
    T = case.temperature
    stack_roles(case, library)
    electrolyte_layers = tuple(l.name for l in case.layers[1:-1])
    first = library.get(case.layers[1].material)
    scales = Scales(T, conductivity=first.at("conductivity", T))
    model = Model(regions, scales)
    electrodes = {}
    for layer in case.layers:
        mat = library.get(layer.material)
        electrodes[layer.name] = LAYER_PHYSICS[mat.kind][1](model, case, layer, mat, T)
    pos, neg = electrodes[case.layers[0].name], electrodes[case.layers[-1].name]
    sigmas = [library.get(l.material).at("conductivity", T) for l in case.layers[1:-1]]
    model.add_field(Field(ELECTROLYTE, electrolyte_layers, -neg.ocv() / scales.potential,
                          scales.potential, "V", residual_scale=scales.conductivity / max(sigmas)))
    names = [l.name for l in case.layers]
    for side, el, iface in (("+", pos, f"{names[0]}|{names[1]}"),
                            ("-", neg, f"{names[-2]}|{names[-1]}")):
        positive = el is pos
        over = case.interface(iface)
        add_butler_volmer(
            model, el, iface, side,
            i0=over.exchange_current_density or el.i0,
            alpha_a=over.alpha_a or el.alpha_a, alpha_c=over.alpha_c or el.alpha_c,
            terminal_current=positive,
        )
    cc = regions.layers[0] + "_cc", regions.layers[-1] + "_cc"
    add_terminals(model, pos, neg, *cc)
    model.info.update(
        capacity=pos.capacity, positive=pos, negative=neg,
        ocv=pos.ocv() - neg.ocv(),
    )
    return model
