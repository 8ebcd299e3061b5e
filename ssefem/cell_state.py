"""Handles of the cell's state that studies and the runner read (:mod:`ssefem.state`).

Core module: physics publishes these, ``ssefem.studies`` and ``ssefem.runner`` read them, and
neither imports the other for it.
"""

from __future__ import annotations

from ssefem.state import Handle

#: C/m^2: the areal capacity of the positive insertion electrode's stoichiometry window (C-rates
#: are multiples of it per hour); not published for a metal positive electrode
CAPACITY: Handle[float] = Handle(
    "capacity", float, "C/m^2, areal capacity of the positive insertion electrode; a C-rate "
    "needs one")
#: V: the cell's open-circuit voltage at its initial state
OCV: Handle[float] = Handle("ocv", float, "V, open-circuit voltage of the cell at its initial "
                            "state")
