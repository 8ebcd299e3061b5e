"""What components offer the studies to control a protocol: step limiters and sweep parameters.

Core module (no physics imports): a component registers these on the model
(:meth:`ssefem.model.Model.add_step_limiter`, :meth:`~ssefem.model.Model.add_sweep_parameter`)
and the protocol asks for them, so that the protocol never imports the physics it steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ssefem.state import Handle


class System(Protocol):
    """What a limiter may ask of the discrete system (:class:`ssefem.system.System` is one):
    declared here so that this core module does not depend on the system."""

    def largest_change(self, fields: list[str]) -> float: ...

#: components that need the open-circuit steady state as the initial state even where no term
#: asks for an equilibration homotopy (creep: it starts from the elastic response to the stack
#: pressure); the protocol solves it before the first step when any is published
EQUILIBRATE: Handle[str] = Handle(
    "equilibrate", str, "components that start from the open-circuit steady state",
    accumulates="list")


class StepLimiter:
    """Bounds the time steps of a transient protocol step by a quantity of one component.

    The protocol takes each step no longer than the smallest :meth:`max_step` (but not below the
    solver's ``dt_min``), then measures every limiter's :meth:`change`: where the largest is
    above 2 it retries the step at half length (while the step is above 4 ``dt_min``), where it
    is below 0.5 it grows the next step by ``dt_growth``. A limiter must not keep state that a
    checkpoint would lose: a restart asks it again from the saved observations.

    Attributes:
        name: what it limits (unique in a model; for the run log).
    """

    name: str = "limiter"

    def max_step(self, obs: dict) -> float:
        """The longest step (s) from the last accepted state, whose observations are ``obs``;
        ``math.inf``: no bound."""
        return math.inf

    def change(self, system: System, obs: dict, prev: dict) -> float:
        """The trial step's change of the limited quantity over its limit (1: at the limit),
        from the state ``system`` holds after the step (observations ``obs``) against the last
        accepted one (``prev``; ``system.largest_change`` compares the fields)."""
        return 0.0


@dataclass(frozen=True)
class SweepParameter:
    """A quantity a steady step can sweep: ``sweep = {parameter = name, values = [...]}``.

    At each value the protocol sets the named constant (reached by continuation from its present
    value), solves at open circuit and then at each of the step's currents, and writes one row
    per current with ``column`` = ``to_column(value)`` and the area-specific resistance
    (V(0) - V(i)) / i against the open-circuit voltage at that value.

    Attributes:
        name: the parameter's name in a case.
        unit: unit of the case's values.
        constant: the model's named constant it sets.
        to_constant: case value -> the constant's (dimensionless) value.
        column: the row column with the value set.
        column_unit: that column's unit.
        to_column: case value -> the column's value (in ``column_unit``).
        doc: what it is.
    """

    name: str
    unit: str
    constant: str
    to_constant: Callable[[float], float]
    column: str
    column_unit: str
    to_column: Callable[[float], float] = field(default=lambda v: v)
    doc: str = ""
