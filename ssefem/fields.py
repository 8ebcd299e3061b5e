"""Unknown fields: what a physics contributes before any function space exists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Field:
    """An unknown (scalar, or a vector such as a displacement) on the union of some layers.

    A field is continuous Lagrange by default; ``family = "DG"`` with ``degree = 0`` makes it
    piecewise constant, each cell's value its own unknown (a creep strain, whose evolution is a
    local equation in every cell).

    Attributes:
        name: unique name, also the output name (``phi_cathode``, ``c_cathode``, ``phi_e``).
        layers: layers the field lives on (its submesh).
        initial: initial value, dimensionless (a vector field: one value for every component,
            or a tuple with one per component).
        scale: SI value of one dimensionless unit (for output).
        unit: SI unit of the output.
        steady: solved in a steady study; ``False`` holds it at its present value (an electrode's
            composition during steady polarisation has no steady state under current).
        degree: polynomial degree.
        family: ``"Lagrange"`` (continuous) or ``"DG"`` (discontinuous).
        residual_scale: factor applied to the field's residual (equilibrates the blocks).
        bounds: admissible (dimensionless) range; a solution outside it is rejected like a
            failed Newton solve (an electrode driven past full lithiation, ...).
        bound_meaning: what reaching the lower and the upper bound means physically (named in
            the error when the time step can no longer be cut back).
        interface: for a field on an interface (a codimension-1 submesh) instead of layers.
        vector: a vector with one component per space dimension (a displacement) instead of a
            scalar.
        near_nullspace: ``(V) -> list of Functions`` spanning the near-null space of the field's
            operator (rigid-body modes of elasticity); given to GAMG when the field is solved
            on its own with the iterative solver.
        symmetric: the field's operator is symmetric positive definite (elasticity): solved on
            its own with the iterative solver, by conjugate gradients.
        components: a vector of this many components that are not spatial (the independent
            components of a creep strain) instead of a scalar; exclusive with ``vector``.
        output: written to the field files; ``False`` for an unknown that derived fields
            present instead (a creep strain's components, written as its 3x3 tensor).
        jumps: names of interior facet sets (:meth:`ssefem.mesh.regions.Regions.interfaces`)
            across which the field may jump, each with a law of its own given by a term (a
            resistive grain boundary or junction). Such a field is *broken*: discontinuous
            Lagrange, kept continuous on its other interior facets by a symmetric interior-penalty
            term (:mod:`ssefem.physics.ionics.jumps`, where :func:`~ssefem.physics.ionics.jumps.allow_jump`
            sets this).
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
    bound_meaning: tuple[str, str] | None = None
    interface: str | None = None
    vector: bool = False
    near_nullspace: Callable | None = None
    symmetric: bool = False
    family: Literal["Lagrange", "DG"] = "Lagrange"
    components: int | None = None
    output: bool = True
    jumps: tuple[str, ...] = ()

    def __post_init__(self):
        if (self.interface is None) == (not self.layers):
            raise ValueError(f"field {self.name!r} needs layers or an interface, not both")
        if self.vector and self.interface is not None:
            raise ValueError(f"vector field {self.name!r} must live on layers")
        if self.components is not None and (self.vector or self.components < 1):
            raise ValueError(f"field {self.name!r}: 'components' needs a positive count and "
                             "excludes 'vector'")
        if self.jumps and (self.family != "DG" or self.interface is not None):
            raise ValueError(f"field {self.name!r} jumps across {self.jumps[0]!r}: a broken "
                             "field is discontinuous Lagrange on layers")

    @property
    def broken(self) -> bool:
        """Discontinuous across some interior facets (``jumps``), continuous elsewhere."""
        return bool(self.jumps)
