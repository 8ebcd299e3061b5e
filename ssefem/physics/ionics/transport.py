"""Ion transport in the ion-conducting layers of a cell: electroneutral, or resolved.

Every ion-conducting layer shares the field ``phi_e``: the potential a reference electrode of the
mobile ion would measure there (its electrochemical potential over zF). A layer's *transport*
adds that layer's bulk terms, tells the electrode kinetics how the ion's local state enters the
exchange current, and adds what an electrode or a neighbouring layer needs at its faces. The cell
builder asks each layer's transport, never which kind it is; plugins hand in other transports
through :meth:`ssefem.plugins.Plugin.transports`.
"""

from __future__ import annotations

from typing import Callable

from ssefem.materials import Material
from ssefem.model import Model
from ssefem.constants import EPS0
from ssefem.physics.ionics.conduction import conduction_term
from ssefem.physics.ionics.displacement import displacement_term
from ssefem.physics.electrochemistry.electrode import Electrode

ELECTROLYTE = "phi_e"


class IonTransport:
    """Base class: hooks a cell builder calls for the layers that use this transport."""

    name = "base"
    origin = "core"  # the plugin that chose this transport (its terms carry that name)

    def add_layer(self, model: Model, layer: str, mat: Material, phi0: float) -> None:
        """Add the bulk fields and terms of ``layer`` (``phi0``: initial ``phi_e``, V)."""
        raise NotImplementedError

    def ion_activity(self, layer: str, iface: str) -> Callable | None:
        """``(ctx, side, eta) -> c/c_ref`` of the mobile ion at the reaction plane on the face
        ``iface`` of ``layer`` (None: 1), which the electrode there uses in its kinetics
        (``eta``: its overpotential, dimensionless)."""
        return None

    def add_electrode_contact(self, model: Model, layer: str, el: Electrode, iface: str,
                              electrode_side: str) -> Callable | None:
        """Terms at the face ``iface`` of ``layer`` with electrode ``el``; returns
        ``ctx -> non-faradaic (capacitive) current density`` from the electrode, if any."""
        return None

    def add_junction(self, model: Model, layer: str, neighbour: str, other: IonTransport,
                     iface: str, side: str) -> None:
        """Terms at the face ``iface`` shared with the ion-conducting layer ``neighbour``
        (``side`` is ``layer``'s side of it); called once from each side."""


class Electroneutral(IonTransport):
    """Single-ion conductor with c = c0: Ohm's law with the displacement current,
    -div(sigma grad phi_e + eps grad(d phi_e / dt)) = 0 (SPEC section 3)."""

    name = "electroneutral"

    def __init__(self, temperature: float):
        self.T = temperature

    def add_layer(self, model: Model, layer: str, mat: Material, phi0: float) -> None:
        sigma = mat.at("conductivity", self.T) / model.scales.conductivity
        model.add_term(conduction_term("ionic_conduction", ELECTROLYTE, layer, sigma))
        eps = model.scales.permittivity(EPS0 * mat.at("relative_permittivity", self.T))
        model.add_term(displacement_term("displacement_current", ELECTROLYTE, layer, eps))
