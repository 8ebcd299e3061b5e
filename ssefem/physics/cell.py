"""Assemble the cell model from a case: layers, interfaces, terminals."""

from __future__ import annotations

from ssefem.case import Case
from ssefem.cell_state import CAPACITY, OCV
from ssefem.errors import CaseError
from ssefem.fields import Field
from ssefem.materials import Library
from ssefem.mesh.regions import Regions
from ssefem.model import Model
from ssefem.physics.butler_volmer import add_butler_volmer
from ssefem.physics.cell_contact import add_contact_outputs
from ssefem.physics.cell_handles import NEGATIVE, POSITIVE, TRANSPORTS
from ssefem.physics.cell_mechanics import STRESS_SCALE, add_cell_mechanics
from ssefem.physics.conduction import conductivity_constant
from ssefem.physics.jumps import interior_penalty_term
from ssefem.physics.layers import LAYER_PHYSICS
from ssefem.physics.stability import add_stability_window
from ssefem.physics.terminals import add_terminals
from ssefem.physics.thin_layer import add_thin_layer
from ssefem.physics.transport import ELECTROLYTE, Electroneutral, IonTransport
from ssefem.scales import Scales
from ssefem.terms import Observable, interface_mean


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


def build_cell_model(case: Case, library: Library, regions: Regions,
                     transports: dict[str, IonTransport] | None = None) -> Model:
    """The cell's fields and terms. ``transports`` maps ion-conducting layers to a transport
    other than the electroneutral default (plugins choose them)."""
    T = case.temperature
    stack_roles(case, library)
    layers = case.layers
    meshed = [layer for layer in layers if layer.mode == "meshed"]
    ion_layers = [layer.name for layer in meshed[1:-1]]
    default = Electroneutral(T)
    chosen = dict(transports or {})
    for name in chosen:
        if name not in ion_layers:
            raise CaseError("plugins", f"a transport is set for {name!r}, which is not a meshed "
                            f"ion-conducting layer ({', '.join(ion_layers)})")
    transport = {name: chosen.get(name, default) for name in ion_layers}
    scales = Scales(T, conductivity=library.get(meshed[1].material).at("conductivity", T))
    model = Model(regions, scales)
    electrodes = {}
    for layer in (meshed[0], meshed[-1]):
        mat = library.get(layer.material)
        electrodes[layer.name] = LAYER_PHYSICS[mat.kind][1](model, case, layer, mat, T)
    contact = None
    if case.mechanics is not None:
        electrodes, contact = add_cell_mechanics(model, case, library, electrodes)
    pos, neg = electrodes[layers[0].name], electrodes[layers[-1].name]
    sigmas = [library.get(layer.material).at("conductivity", T) for layer in meshed[1:-1]]
    phi_e0 = -neg.ocv() / scales.potential
    model.add_field(Field(ELECTROLYTE, tuple(ion_layers), phi_e0, scales.potential, "V",
                          residual_scale=scales.conductivity / max(sigmas)))
    for layer in meshed[1:-1]:
        t = transport[layer.name]
        _tagged(model, t, t.add_layer, model, layer.name, library.get(layer.material),
                phi_e0 * scales.potential)
    # continuity of phi_e where a plugin lets it jump (nothing while it is continuous Lagrange)
    ohmic = {n: conductivity_constant(n) for n, t in transport.items()
             if isinstance(t, Electroneutral)}
    model.add_term(interior_penalty_term(model, ELECTROLYTE, ohmic))
    for a, b in zip(ion_layers, ion_layers[1:], strict=False):
        _tagged(model, transport[a], transport[a].add_junction, model, a, b, transport[b],
                f"{a}|{b}", "+")
        _tagged(model, transport[b], transport[b].add_junction, model, b, a, transport[a],
                f"{a}|{b}", "-")
    ends = (("+", pos, layers[0], layers[1], meshed[1]),
            ("-", neg, layers[-1], layers[-2], meshed[-2]))
    capacitive = None
    for side, el, el_layer, next_layer, next_meshed in ends:
        pair = (el_layer.name, next_layer.name) if side == "+" else (next_layer.name,
                                                                     el_layer.name)
        label = "|".join(pair)  # the reacting interface, as the case names it
        mesh_pair = (el_layer.name, next_meshed.name) if side == "+" else (next_meshed.name,
                                                                           el_layer.name)
        iface = "|".join(mesh_pair)  # where it lies in the mesh
        e_side = "-" if side == "+" else "+"
        electrolyte = ELECTROLYTE
        t = transport[next_meshed.name]
        if next_layer.mode == "thin":
            if t is not default:
                raise CaseError("layers", f"{next_layer.name!r} is 'thin' but its neighbour "
                                f"{next_meshed.name!r} has the {t.name} transport: mesh the "
                                "thin layer")
            electrolyte = add_thin_layer(model, next_layer, library.get(next_layer.material),
                                         iface, e_side, phi_e0)
        over = case.interface(label)
        touching = contact if contact is not None and contact.interface == iface else None
        faradaic = add_butler_volmer(
            model, el, iface, side, label=label, electrolyte=electrolyte,
            i0=over.exchange_current_density or el.i0,
            alpha_a=over.alpha_a or el.alpha_a, alpha_c=over.alpha_c or el.alpha_c,
            ion_activity=t.ion_activity(next_meshed.name, iface),
            contact=touching and touching.closed,
        )
        add_stability_window(model, el, iface, side, label, electrolyte,
                             library.get(next_layer.material))
        if touching is not None:
            add_contact_outputs(model, touching, faradaic, model.state.get(STRESS_SCALE))
        cap = _tagged(model, t, t.add_electrode_contact, model, next_meshed.name, el, iface,
                      side)
        if el is pos:
            capacitive, current, tag = cap, faradaic, model.regions.facet_tag[iface]
    add_terminal_current(model, current, capacitive, tag)
    cc = regions.layers[0] + "_cc", regions.layers[-1] + "_cc"
    add_terminals(model, pos, neg, *cc)
    if pos.capacity is not None:
        model.state.publish(CAPACITY, float(pos.capacity))
    model.state.publish(OCV, float(pos.ocv() - neg.ocv()))
    model.state.publish(POSITIVE, pos)
    model.state.publish(NEGATIVE, neg)
    model.state.publish(TRANSPORTS, dict(transport))
    return model


def _tagged(model: Model, t: IonTransport, hook, *args):
    """Call a transport's hook; the terms it adds carry the transport's origin."""
    with model.origin(t.origin):
        return hook(*args)


def add_terminal_current(model: Model, faradaic, capacitive, tag: int) -> None:
    """The cell's ``current`` observable: what leaves the positive electrode through its
    interface, faradaic plus double-layer charging, sign flipped (discharge positive)."""

    def current(ctx):
        i = faradaic(ctx)
        return i if capacitive is None else i + capacitive(ctx)

    model.add_observable(Observable("current", "A/m^2", interface_mean(current, tag),
                                    -model.scales.current))
