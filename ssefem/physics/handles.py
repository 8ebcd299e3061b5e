"""Handles of the cell's state that only physics (and plugins) read (:mod:`ssefem.state`):
published by the built-in components (:mod:`ssefem.physics.components`)."""

from __future__ import annotations

from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem.physics.ionics.transport import IonTransport
from ssefem.physics.mechanics.contact import InterfaceContact
from ssefem.state import Handle

#: the positive electrode (the first layer) as the kinetics see it
POSITIVE: Handle[Electrode] = Handle("positive_electrode", Electrode,
                                     "the positive electrode (first layer) of the cell")
#: the negative electrode (the last layer)
NEGATIVE: Handle[Electrode] = Handle("negative_electrode", Electrode,
                                     "the negative electrode (last layer) of the cell")
#: the ion transport of each meshed ion-conducting layer, by layer (the electroneutral default
#: or the one a plugin chose)
TRANSPORTS: Handle[IonTransport] = Handle(
    "transports", IonTransport, "ion transport of each meshed ion-conducting layer, by layer",
    accumulates="dict")
#: the contact of the metal electrode with its ion conductor, where it is not bonded
#: (published by the mechanics component; the kinetics react only where it is closed)
CONTACT: Handle[InterfaceContact] = Handle(
    "electrode_contact", InterfaceContact, "contact of the metal electrode where not bonded")
