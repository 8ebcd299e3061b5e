"""Which layers of a cell creep: the case's ``mechanics.creep``.

``true`` makes every metal electrode creep, a list names the layers; each must be a metal whose
library entry has Norton's law (``creep_prefactor``, ``creep_exponent``). The physics is
:mod:`ssefem.physics.mechanics.creep`.
"""

from __future__ import annotations

from ssefem.case import Case
from ssefem.errors import CaseError
from ssefem.materials import Library
from ssefem.physics.mechanics.creep import CreepLaw

KEY = "mechanics.creep"
_LAW = ("creep_prefactor", "creep_exponent")


def creep_laws(case: Case, library: Library) -> dict[str, CreepLaw]:
    """The creeping layers' laws at the case temperature, checked; empty without creep."""
    mech = case.mechanics
    chosen = mech.creep if mech is not None else False
    if chosen is False:
        return {}
    names = [layer.name for layer in case.layers]
    kinds = {layer.name: library.get(layer.material) for layer in case.layers}
    if chosen is True:
        chosen = [n for n in names if kinds[n].kind == "metal"]
        if not chosen:
            raise CaseError(KEY, "true, but the stack has no metal electrode")
    if not chosen:
        raise CaseError(KEY, "an empty list names no layer")
    laws = {}
    for name in chosen:
        if name not in kinds:
            raise CaseError(KEY, f"no layer {name!r}; the stack has {', '.join(names)}")
        if name in laws:
            raise CaseError(KEY, f"{name!r} is listed twice")
        mat = kinds[name]
        if mat.kind != "metal":
            raise CaseError(KEY, f"{name!r} is {mat.name} ({mat.kind}): only metal electrodes "
                            "creep")
        missing = [p for p in _LAW if p not in mat.properties]
        if missing:
            raise CaseError(KEY, f"{name!r}: {mat.name} has no {' or '.join(missing)} in the "
                            "material library")
        laws[name] = CreepLaw.of(mat, case.temperature)
    return laws
