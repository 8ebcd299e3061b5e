"""Named residual terms and the context they are built in.

A term returns its residual contributions as ``{field name: ufl form}``, each form linear in that
field's test function. A term is a *storage* term (written with ``ctx.rate(field)``, the time
derivative: backward Euler in transients, absent in steady solves, ``i omega`` in an impedance
study), a *flux* term or a *source* term. A problem sums whatever terms it is given; adding a term
or a field never edits the solver.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

import ufl
from dolfinx import fem

from ssefem.mesh.regions import Regions
from ssefem.scales import Scales

TermKind = Literal["storage", "flux", "source"]

#: Homotopy constant (0 to 1) for offsets of the equilibrium state that the initial fields do not
#: satisfy (an equilibrium space-charge layer from a potential step). Terms multiply such offsets
#: by it; a study ramps it from 0 to 1 in a steady solve at open circuit before its first step.
EQUILIBRATION = "equilibration"


@dataclass
class FormContext:
    """What a term may use: the regions, scales, named unknowns, tests and shared constants.

    The measures integrate over the real cell: in an axisymmetric mesh they carry the weight
    2 pi r (``radius`` is then r, the UFL coordinate y; None otherwise), so a term needs
    ``radius`` only where the geometry enters its integrand (the hoop strain u_r / r).
    """

    regions: Regions
    scales: Scales
    u: dict[str, fem.Function]
    u_n: dict[str, fem.Function]
    v: dict[str, ufl.Argument]
    dt: fem.Constant
    constants: dict[str, fem.Constant]
    dx: ufl.Measure = field(init=False)
    ds: ufl.Measure = field(init=False)
    dS: ufl.Measure = field(init=False)
    one: fem.Constant = field(init=False)
    radius: ufl.core.expr.Expr | None = field(init=False)

    def __post_init__(self):
        self.one = fem.Constant(self.regions.mesh, 1.0)
        self.radius = self.regions.radius
        self.dx = self.regions.dx()
        self.ds = self.regions.ds()
        self.dS = self.regions.dS()

    def rate(self, name: str):
        """Time derivative of a field (backward Euler)."""
        return (self.u[name] - self.u_n[name]) / self.dt

    def degree(self, field: str, factors: int = 2) -> int:
        """Quadrature degree for a product of ``factors`` functions of ``field``'s degree:
        exact on affine cells (simplices, parallelepipeds), the usual (p+1)^d Gauss rule on
        other hexahedra, one more for the weight r of an axisymmetric mesh. UFL's estimate
        includes the degree of the coordinate map, which for trilinear hexahedra is 3: the
        residual of the 3-D benchmark cell took 0.30 s per evaluation with it, 0.16 s with
        this (the same voltage to 1e-15)."""
        p = self.u[field].function_space.element.basix_element.embedded_subdegree
        return factors * p + (self.radius is not None)

    def layer(self, name: str) -> int:
        return self.regions.layer_tag[name]

    def facet(self, name: str) -> int:
        return self.regions.facet_tag[name]

    def constant(self, name: str, value: float | None = None) -> fem.Constant:
        """A named scalar the study may set between solves (applied current, conductivity...).

        Created at 0 on first use; ``value`` sets it.
        """
        if name not in self.constants:
            self.constants[name] = fem.Constant(self.regions.mesh, 0.0)
        if value is not None:
            self.constants[name].value = value
        return self.constants[name]


@dataclass(frozen=True)
class Term:
    """A named residual term.

    Attributes:
        name: e.g. ``butler_volmer:cathode|electrolyte``.
        kind: ``storage``, ``flux`` or ``source``.
        build: ``ctx -> {field name: form}``.
        origin: ``core`` or the plugin that added it.
    """

    name: str
    kind: TermKind
    build: Callable[[FormContext], dict[str, ufl.Form]]
    origin: str = "core"


@dataclass(frozen=True)
class Observable:
    """A named scalar output: ``value = scale * (integral of form) / (integral of weight)``.

    ``reduce = "peak_to_mean"`` reports instead the largest cell-local value of that ratio
    (both integrals restricted to the cells of the parent mesh, on an interface to the cells of
    its '+' side) over the global one: the peak-to-mean ratio of a current density, say;
    ``reduce = "max"`` the largest cell-local magnitude of the ratio, times ``scale``.
    ``origin`` names the component or plugin that added it (as for a :class:`Term`).
    """

    name: str
    unit: str
    build: Callable[[FormContext], tuple[ufl.Form, ufl.Form | None]]
    scale: float = 1.0
    reduce: Literal["mean", "peak_to_mean", "max"] = "mean"
    origin: str = "core"


def interface_mean(q: Callable[[FormContext], ufl.core.expr.Expr], tag: int):
    """An :class:`Observable`'s ``build``: the mean of ``q(ctx)`` (restricted by the caller)
    over the interface facets ``tag``."""
    return lambda ctx: (q(ctx) * ctx.dS(tag), ctx.one * ctx.dS(tag))


@dataclass(frozen=True)
class Constraint:
    """A Dirichlet condition: field = ``value`` constant (dimensionless) on a named boundary.

    ``control`` names the control mode in which it is active (``None``: always). For a vector
    field, ``component`` picks what is held: ``None`` all components, an integer one of them,
    ``"normal"`` the normal component (a roller; the boundary's facets must be axis-aligned).
    ``at = "centre"`` holds only the boundary's node nearest its centre (a pin: it fixes the
    lateral translation of a periodic body without loading it).
    """

    field: str
    boundary: str
    value: str
    control: str | None = None
    component: int | Literal["normal"] | None = None
    at: Literal["boundary", "centre"] = "boundary"


@dataclass(frozen=True)
class DerivedField:
    """A cell-wise output (stress, ...) projected on piecewise constants of a field's submesh.

    ``build(ctx, q)`` returns a form linear in the DG0 test function ``q`` of value ``shape``
    (``()`` a scalar, ``(3, 3)`` a tensor): the sum over layers of
    ``inner(expression, q) * ctx.dx(layer)``; each cell's value is that integral over the cell
    volume, times ``scale``. Fields on different submeshes may each have an output of the same
    name (the stresses of two bodies in contact).
    """

    name: str
    field: str
    unit: str
    build: Callable[[FormContext, ufl.Argument], ufl.Form]
    scale: float = 1.0
    shape: tuple[int, ...] = ()


@dataclass(frozen=True)
class Profile:
    """Observables resolved along an interface: for each cell on its '+' side, the localized
    value of each column (:meth:`ssefem.system.System.localize`) and the centroid of the cell's
    interface facets. Written as ``profiles/<name>.csv``, one block of rows per recorded state.
    """

    name: str
    interface: str
    columns: tuple[Observable, ...]
