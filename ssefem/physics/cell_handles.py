"""Handles of the cell's state that only physics (and plugins) read (:mod:`ssefem.state`):
published by :func:`ssefem.physics.cell.build_cell_model`."""

from __future__ import annotations

from ssefem.physics.electrode import Electrode
from ssefem.physics.transport import IonTransport
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
