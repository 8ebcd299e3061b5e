"""The tables the mechanics needs from sub-runs (:mod:`ssefem.tabulation`), known from the case
before any mesh exists: the mechanics component's ``tabulations`` hook gives them, and the runner
computes them first."""

from __future__ import annotations

from ssefem.case import Case
from ssefem.materials import Library
from ssefem.physics.mechanics.stack_contact import contact_layers
from ssefem.physics.mechanics.contact_law import contact_law_tabulation
from ssefem.tabulation import Tabulation


def tabulations(case: Case, library: Library) -> list[Tabulation]:
    """The contact law of a rough interface (``[mechanics.contact] model = "law"``), with the
    kinetics the cell gives that interface: the case's ``[[interfaces]]`` entry over the metal's
    material data."""
    pair = contact_layers(case, library)
    if pair is None or case.mechanics.contact.model != "law":
        return []
    metal, other = pair
    contact = case.mechanics.contact
    over = case.interface(contact.interface)
    T = case.temperature
    mat = library.get(case.layer(metal).material)
    return [contact_law_tabulation(
        case.layer(metal).material, case.layer(other).material, library, T,
        contact.model_dump(include={"rms_height", "wavelength", "nitsche", "contact_distance"}),
        over.exchange_current_density or mat.at("exchange_current_density", T),
        over.alpha_a or mat.alpha_a, over.alpha_c or mat.alpha_c)]
