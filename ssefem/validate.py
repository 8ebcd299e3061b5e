"""Whole-case validation before anything is meshed or written: schema, materials, stack, plugins."""

from __future__ import annotations

from ssefem.case import Case
from ssefem.errors import CaseError
from ssefem.materials import Library
from ssefem.physics.cell import stack_roles
from ssefem.physics.cell_mechanics import elastic_constants
from ssefem.plugins import Plugin, collect_transports, load_plugins


def prepare(case: Case) -> tuple[Library, list[Plugin]]:
    """Check a validated case against the installed materials and plugins (raises CaseError)."""
    plugins = load_plugins(case.plugins)
    library = Library.builtin()
    for p in plugins:
        for m in p.materials():
            library.add(m)
    stack_roles(case, library)
    collect_transports(plugins, case, library)  # the plugins check their choices here
    if case.mechanics is not None:
        elastic_constants(case, library)
    for i, step in enumerate(case.protocol.steps):
        if step.stack_pressures is not None and case.mechanics is None:
            raise CaseError(f"protocol.steps[{i}].stack_pressures", "a pressure sweep needs a "
                            "[mechanics] table")
    mat = library.get(case.layers[0].material)  # the initial stoichiometry is the positive's
    if mat.kind == "insertion_electrode" and case.initial.stoichiometry is not None:
        lo, hi = mat.at("theta_min", case.temperature), mat.at("theta_max", case.temperature)
        if not lo - 1e-12 <= case.initial.stoichiometry <= hi + 1e-12:
            raise CaseError("initial.stoichiometry",
                            f"{case.initial.stoichiometry} is outside {mat.name}'s window "
                            f"[{lo}, {hi}]")
    if case.geometry.mesh_file is not None:
        from pathlib import Path

        if not Path(case.geometry.mesh_file).is_file():
            raise CaseError("geometry.mesh_file", f"file {case.geometry.mesh_file!r} not found")
    return library, plugins
