"""The cell's electrochemistry from a case, in two phases (the ``electrochemistry``
component's hooks, :mod:`ssefem.physics.components`): the electrodes, then, after the other
components' fields (mechanics refines the electrodes), the ion conductors, the reacting
interfaces and the terminals."""

from __future__ import annotations

from ssefem.case import Case
from ssefem.cell_state import CAPACITY, OCV
from ssefem.errors import CaseError
from ssefem.fields import Field
from ssefem.materials import Library
from ssefem.model import Model
from ssefem.assembly import CHOSEN_TRANSPORTS
from ssefem.physics.electrochemistry.butler_volmer import add_butler_volmer
from ssefem.physics.electrochemistry.double_layer import PROPERTY as DOUBLE_LAYER
from ssefem.physics.electrochemistry.double_layer import add_double_layer
from ssefem.physics.mechanics.stack_contact import add_contact_outputs
from ssefem.physics.handles import CONTACT, NEGATIVE, POSITIVE, TRANSPORTS
from ssefem.physics.mechanics.stack import STRESS_SCALE
from ssefem.physics.ionics.conduction import conductivity_constant
from ssefem.physics.ionics.displacement import permittivity_constant
from ssefem.physics.ionics.jumps import interior_penalty_term
from ssefem.physics.electrochemistry.electrodes import LAYER_PHYSICS
from ssefem.physics.electrochemistry.stability import add_stability_window
from ssefem.physics.electrochemistry.terminals import add_terminals
from ssefem.physics.electrochemistry.thin_layer import add_thin_layer
from ssefem.physics.ionics.transport import ELECTROLYTE, Electroneutral, IonTransport
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


def check_stack_order(case: Case, library: Library) -> None:
    """Layers run from the positive current collector to the negative one: a metal first and
    an insertion electrode last is the stack listed backwards."""
    first, last = (library.get(case.layers[i].material) for i in (0, -1))
    if first.kind == "metal" and last.kind == "insertion_electrode":
        n = len(case.layers) - 1
        raise CaseError("layers", f"listed from the negative electrode: layers run from the "
                        f"positive current collector to the negative one, so the insertion "
                        f"electrode {last.name!r} (layers[{n}]) comes first and the metal "
                        f"{first.name!r} (layers[0]) last")


def check_initial_state(case: Case, library: Library) -> None:
    """The initial stoichiometry (the positive electrode's) lies in its material's window."""
    mat = library.get(case.layers[0].material)
    if mat.kind == "insertion_electrode" and case.initial.stoichiometry is not None:
        lo, hi = mat.at("theta_min", case.temperature), mat.at("theta_max", case.temperature)
        if not lo - 1e-12 <= case.initial.stoichiometry <= hi + 1e-12:
            raise CaseError("initial.stoichiometry",
                            f"{case.initial.stoichiometry} is outside {mat.name}'s window "
                            f"[{lo}, {hi}]")


def cell_scales(case: Case, library: Library) -> Scales:
    """The cell's reference scales: conductivities in units of the first meshed ion
    conductor's."""
    meshed = [layer for layer in case.layers if layer.mode == "meshed"]
    T = case.temperature
    return Scales(T, conductivity=library.get(meshed[1].material).at("conductivity", T))


def add_electrodes(model: Model, case: Case, library: Library) -> None:
    """The two electrode layers' fields and terms, and what the cell publishes about them
    (the electrodes, the transports of the ion conductors, capacity, open-circuit voltage)."""
    T = case.temperature
    stack_roles(case, library)
    meshed = [layer for layer in case.layers if layer.mode == "meshed"]
    ion_layers = [layer.name for layer in meshed[1:-1]]
    chosen = model.state.get(CHOSEN_TRANSPORTS)
    for name in chosen:
        if name not in ion_layers:
            raise CaseError("plugins", f"a transport is set for {name!r}, which is not a meshed "
                            f"ion-conducting layer ({', '.join(ion_layers)})")
    default = Electroneutral(T)
    model.state.publish(TRANSPORTS, {n: chosen.get(n, default) for n in ion_layers})
    built = []
    for layer in (meshed[0], meshed[-1]):
        mat = library.get(layer.material)
        built.append(LAYER_PHYSICS[mat.kind][1](model, case, layer, mat, T))
    pos, neg = built
    if pos.capacity is not None:
        model.state.publish(CAPACITY, float(pos.capacity))
    model.state.publish(OCV, float(pos.ocv() - neg.ocv()))
    model.state.publish(POSITIVE, pos)
    model.state.publish(NEGATIVE, neg)


def add_ion_conductors_and_interfaces(model: Model, case: Case, library: Library) -> None:
    """The ion conductors (each by its transport), the junctions between them, the reacting
    interfaces (kinetics, thin coatings, stability windows, contacts) and the terminals, for
    the electrodes as published (with mechanics: with their stress-potential coupling)."""
    layers = case.layers
    scales = model.scales
    meshed = [layer for layer in layers if layer.mode == "meshed"]
    ion_layers = [layer.name for layer in meshed[1:-1]]
    transport = model.state.get(TRANSPORTS)
    pos, neg = model.state.get(POSITIVE), model.state.get(NEGATIVE)
    contact = model.state.find(CONTACT)
    sigmas = [library.get(layer.material).at("conductivity", case.temperature)
              for layer in meshed[1:-1]]
    phi_e0 = -neg.ocv() / scales.potential
    model.add_field(Field(ELECTROLYTE, tuple(ion_layers), phi_e0, scales.potential, "V",
                          residual_scale=scales.conductivity / max(sigmas)))
    for layer in meshed[1:-1]:
        t = transport[layer.name]
        _tagged(model, t, t.add_layer, model, layer.name, library.get(layer.material),
                phi_e0 * scales.potential)
    # continuity of phi_e where a plugin lets it jump (nothing while it is continuous Lagrange)
    ohmic = [n for n, t in transport.items() if isinstance(t, Electroneutral)]
    model.add_term(interior_penalty_term(model, ELECTROLYTE,
                                         {n: conductivity_constant(n) for n in ohmic}))
    model.add_term(interior_penalty_term(model, ELECTROLYTE,
                                         {n: permittivity_constant(n) for n in ohmic}, "storage"))
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
            if not isinstance(t, Electroneutral):
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
        c_dl, key = _double_layer_capacitance(case, library, label, el_layer)
        if c_dl is not None:
            if cap is not None:
                raise CaseError(key,
                                f"the {t.name} transport of {next_meshed.name!r} resolves the "
                                "double layer itself: give no capacitance for this interface")
            cap = add_double_layer(model, el, iface, side, label, electrolyte, c_dl,
                                   contact=touching and touching.closed)
        if el is pos:
            capacitive, current, tag = cap, faradaic, model.regions.facet_tag[iface]
    add_terminal_current(model, current, capacitive, tag)
    cc = model.regions.layers[0] + "_cc", model.regions.layers[-1] + "_cc"
    add_terminals(model, pos, neg, *cc)


def _double_layer_capacitance(case: Case, library: Library, label: str,
                              electrode_layer) -> tuple[float | None, str]:
    """F/m^2 of the reacting interface ``label`` (the case's, else its electrode material's)
    and the key that gave it."""
    for i, itf in enumerate(case.interfaces):
        if itf.name == label and itf.double_layer_capacitance is not None:
            return itf.double_layer_capacitance, f"interfaces[{i}].double_layer_capacitance"
    prop = library.get(electrode_layer.material).properties.get(DOUBLE_LAYER)
    index = next(i for i, layer in enumerate(case.layers) if layer is electrode_layer)
    return (None if prop is None else prop.at(case.temperature)), f"layers[{index}].material"


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
