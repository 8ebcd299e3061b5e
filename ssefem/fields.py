"""Unknown fields: what a physics contributes before any function space exists."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable


@dataclass(frozen=True)
class Field:
    """An unknown (scalar, or a vector such as a displacement) on the union of some layers.

    Attributes:
        name: unique name, also the output name (``phi_cathode``, ``c_cathode``, ``phi_e``).
        layers: layers the field lives on (its submesh).
        initial: initial value, dimensionless (a vector field: one value for every component,
            or a tuple with one per component).
        scale: SI value of one dimensionless unit (for output).
        unit: SI unit of the output.
        steady: solved in a steady study; ``False`` holds it at its present value (an electrode's
            composition during steady polarisation has no steady state under current).
        degree: Lagrange degree.
        residual_scale: factor applied to the field's residual (equilibrates the blocks).
        bounds: admissible (dimensionless) range; a solution outside it is rejected like a
            failed Newton solve (an electrode driven past full lithiation, ...).
        interface: for a field on an interface (a codimension-1 submesh) instead of layers.
        vector: a vector with one component per space dimension (a displacement) instead of a
            scalar.
        near_nullspace: ``(V) -> list of Functions`` spanning the near-null space of the field's
            operator (rigid-body modes of elasticity); given to GAMG when the field is solved
            on its own with the iterative solver.
    """

    name: str
    layers: tuple[str, ...]
    initial: float | tuple[float, ...]
    scale: float
    unit: str
    steady: bool = True
    degree: int = 1
    residual_scale: float = 1.0
    bounds: tuple[float, float] | None = None
    interface: str | None = None
    vector: bool = False
    near_nullspace: Callable | None = None

    def __post_init__(self):
        if (self.interface is None) == (not self.layers):
            raise ValueError(f"field {self.name!r} needs layers or an interface, not both")
        if self.vector and self.interface is not None:
            raise ValueError(f"vector field {self.name!r} must live on layers")
