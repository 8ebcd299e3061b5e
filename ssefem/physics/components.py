"""ssefem's built-in physics as components: plugins that every case loads.

They register under the entry-point group ``ssefem.plugins`` in ssefem's own ``pyproject.toml``,
have the hooks of :class:`ssefem.plugins.Plugin` and are run by the same code as the plugins
(:func:`ssefem.assembly.assemble`), before them:

- ``electrochemistry`` (order 0): the stack's checks, the scales, the electrodes (fields), then
  the ion conductors by their transports, junctions, reacting interfaces and terminals (terms);
- ``mechanics`` (order 10, with ``[mechanics]``): elasticity, creep, contact and the stack
  supports (fields, between the electrodes and the interfaces: it gives the electrodes their
  stress-potential coupling and publishes the metal's contact), and the ``stack_pressure``
  sweep parameter, and the contact law's table as a pre-step (``tabulations``).
"""

from __future__ import annotations

from ssefem.assembly import assemble
from ssefem.case import Case
from ssefem.case.hints import check_pressure
from ssefem.errors import CaseError
from ssefem.materials import Library
from ssefem.mesh.regions import Regions
from ssefem.model import Model
from ssefem.physics.cell import (
    add_electrodes,
    add_ion_conductors_and_interfaces,
    cell_scales,
    check_initial_state,
    check_stack_order,
    stack_roles,
)
from ssefem.physics.handles import CONTACT, NEGATIVE, POSITIVE
from ssefem.physics.ionics.transport import IonTransport
from ssefem.physics.mechanics.elasticity import STACK_PRESSURE_SWEEP
from ssefem.physics.mechanics.elasticity import sweep_parameters as mechanics_sweeps
from ssefem.physics.mechanics.stack import add_cell_mechanics, elastic_constants
from ssefem.physics.mechanics.tabulations import tabulations as contact_tabulations
from ssefem.plugin_api import Plugin
from ssefem.scales import Scales
from ssefem.tabulation import Tabulation


class Electrochemistry(Plugin):
    name = "electrochemistry"
    description = ("electrodes, ion conductors (electroneutral unless a plugin brings another "
                   "transport), Butler-Volmer interfaces, thin coatings, terminals")
    order = 0

    def validate(self, case: Case, library: Library) -> None:
        stack_roles(case, library)
        check_stack_order(case, library)
        check_initial_state(case, library)

    def scales(self, case: Case, library: Library) -> Scales:
        return cell_scales(case, library)

    def fields(self, model: Model, case: Case) -> None:
        add_electrodes(model, case, model.library)

    def terms(self, model: Model, case: Case) -> None:
        add_ion_conductors_and_interfaces(model, case, model.library)


class Mechanics(Plugin):
    name = "mechanics"
    description = ("elasticity with chemical and thermal strain, creep of the metal, contact "
                   "under stack pressure, stress-potential coupling ([mechanics])")
    order = 10

    def validate(self, case: Case, library: Library) -> None:
        if case.mechanics is None:
            for i, step in enumerate(case.protocol.steps):
                key = f"protocol.steps[{i}]"
                if getattr(step, "stack_pressures", None) is not None:
                    raise CaseError(f"{key}.stack_pressures", "a pressure sweep needs a "
                                    "[mechanics] table")
                if getattr(step, "sweep", None) is not None and (
                        step.sweep.parameter == STACK_PRESSURE_SWEEP):
                    raise CaseError(f"{key}.sweep.parameter", "the stack pressure needs a "
                                    "[mechanics] table")
            return
        elastic_constants(case, library)
        for i, step in enumerate(case.protocol.steps):
            if step.swept is None or step.swept.parameter != STACK_PRESSURE_SWEEP:
                continue
            key = f"protocol.steps[{i}].sweep.values"
            for j, p in enumerate(step.swept.values):
                if p <= 0:
                    raise CaseError(f"{key}[{j}]", "a stack pressure must be > 0 MPa")
                check_pressure(f"{key}[{j}]", p)

    def sweep_parameters(self, case: Case) -> list[str]:
        return list(mechanics_sweeps(case))

    def tabulations(self, case: Case, library: Library) -> list[Tabulation]:
        return contact_tabulations(case, library) if case.mechanics is not None else []

    def fields(self, model: Model, case: Case) -> None:
        if case.mechanics is None:
            return
        pos, neg = model.state.get(POSITIVE), model.state.get(NEGATIVE)
        electrodes, contact = add_cell_mechanics(model, case, model.library,
                                                 {pos.layer: pos, neg.layer: neg})
        model.state.replace(POSITIVE, electrodes[pos.layer])
        model.state.replace(NEGATIVE, electrodes[neg.layer])
        if contact is not None:
            model.state.publish(CONTACT, contact)


#: the built-in components, as ssefem's entry points register them (a test checks they agree)
BUILTIN: tuple[type[Plugin], ...] = (Electrochemistry, Mechanics)


def build_cell_model(case: Case, library: Library, regions: Regions,
                     transports: dict[str, IonTransport] | None = None) -> Model:
    """The model that the built-in components assemble for a case, without plugins (what a
    run of a case without ``[plugins]`` builds); ``transports`` maps ion-conducting layers to
    a transport other than the electroneutral default."""
    return assemble(case, library, regions, [c() for c in BUILTIN], transports)
