"""Assemble a model from its parts: the built-in components and the case's plugins, alike.

A part is anything with the model hooks of :class:`ssefem.plugins.Plugin`: ``scales`` (exactly
one part sets the nondimensionalisation), then every part's ``fields`` and then every part's
``terms``, in the order given (the built-in components first, by their ``order``, then the
plugins as the case lists them), and last the model's consistency checks (``Model.checks``). What a part adds carries its name as its origin; what it
publishes in ``model.state`` the later hooks read. The assembler knows no physics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ssefem.case import Case
from ssefem.errors import CaseError
from ssefem.mesh.regions import Regions
from ssefem.model import Model
from ssefem.state import Handle

#: the ion transports that plugins chose for meshed ion-conducting layers, by layer (published
#: by the assembler before any hook runs; the layers not named get the default transport)
CHOSEN_TRANSPORTS: Handle[Any] = Handle(
    "chosen_transports", object, "ion transports the plugins chose, by layer",
    accumulates="dict")

MODEL_HOOKS = ("fields", "terms")


def assemble(case: Case, library: Any, regions: Regions, parts: Sequence[Any],
             transports: dict | None = None) -> Model:
    """The model of ``case`` on ``regions`` built by ``parts`` (components, then plugins)."""
    chosen = [(p.name, s) for p in parts if (s := p.scales(case, library)) is not None]
    if len(chosen) != 1:
        names = ", ".join(n for n, _ in chosen) or "none"
        raise CaseError("plugins", f"exactly one component must set the model's scales "
                        f"(set by: {names})")
    model = Model(regions, chosen[0][1])
    model.library = library  # the hooks read the material library from here
    model.state.publish(CHOSEN_TRANSPORTS, dict(transports or {}))
    for hook in MODEL_HOOKS:
        for p in parts:
            with model.origin(p.name):
                getattr(p, hook)(model, case)
    for check in model.checks:
        check()
    return model
