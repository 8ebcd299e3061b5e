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
from ssefem.physics.thin_layer import add_thin_layer
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
    last = len(case.layers) - 1
    for i, layer in enumerate(case.layers):
        if layer.mode != "thin":
            continue
        if roles[i] != "ion_conductor" or i not in (1, last - 1):
            raise CaseError(f"layers[{i}].mode",
                            "only an ion conductor next to an electrode can be 'thin'")
    if all(layer.mode == "thin" for layer in case.layers[1:-1]):
        raise CaseError("layers", "at least one ion conductor must be meshed")
    ions = {library.get(layer.material).ion for layer in case.layers}
    if len(ions) > 1:
        raise CaseError("layers", f"layers exchange different ions ({', '.join(sorted(ions))})")
    return roles


def build_cell_model(case: Case, library: Library, regions: Regions) -> Model:
    T = case.temperature
    stack_roles(case, library)
    layers = case.layers
    meshed = [layer for layer in layers if layer.mode == "meshed"]
    ion_layers = tuple(layer.name for layer in meshed[1:-1])
    scales = Scales(T, conductivity=library.get(meshed[1].material).at("conductivity", T))
    model = Model(regions, scales)
    electrodes = {}
    for layer in meshed:
        mat = library.get(layer.material)
        electrodes[layer.name] = LAYER_PHYSICS[mat.kind][1](model, case, layer, mat, T)
    pos, neg = electrodes[layers[0].name], electrodes[layers[-1].name]
    sigmas = [library.get(name_mat).at("conductivity", T)
              for name_mat in (layer.material for layer in meshed[1:-1])]
    phi_e0 = -neg.ocv() / scales.potential
    model.add_field(Field(ELECTROLYTE, ion_layers, phi_e0, scales.potential, "V",
                          residual_scale=scales.conductivity / max(sigmas)))
    ends = (("+", pos, layers[0], layers[1], meshed[1], "-"),
            ("-", neg, layers[-1], layers[-2], meshed[-2], "+"))
    for side, el, el_layer, next_layer, next_meshed, e_side in ends:
        pair = (el_layer.name, next_layer.name) if side == "+" else (next_layer.name,
                                                                     el_layer.name)
        label = "|".join(pair)  # the reacting interface, as the case names it
        mesh_pair = (el_layer.name, next_meshed.name) if side == "+" else (next_meshed.name,
                                                                           el_layer.name)
        iface = "|".join(mesh_pair)  # where it lies in the mesh
        electrolyte = ELECTROLYTE
        if next_layer.mode == "thin":
            electrolyte = add_thin_layer(model, next_layer, library.get(next_layer.material),
                                         iface, e_side, phi_e0)
        over = case.interface(label)
        add_butler_volmer(
            model, el, iface, side, label=label, electrolyte=electrolyte,
            i0=over.exchange_current_density or el.i0,
            alpha_a=over.alpha_a or el.alpha_a, alpha_c=over.alpha_c or el.alpha_c,
            terminal_current=el is pos,
        )
    cc = regions.layers[0] + "_cc", regions.layers[-1] + "_cc"
    add_terminals(model, pos, neg, *cc)
    model.info.update(capacity=pos.capacity, positive=pos, negative=neg,
                      ocv=pos.ocv() - neg.ocv())
    return model
