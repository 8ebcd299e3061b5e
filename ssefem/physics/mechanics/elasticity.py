"""Small-strain elasticity over the layers of a stack: named residual terms and outputs.

A displacement field (a vector, in units of the length scale) lives on each body, a group of
bonded layers: ``u`` on the first, ``u_<first layer>`` on the others (bodies meet at contact
interfaces, see :mod:`ssefem.physics.mechanics.contact`). Each layer adds ``elasticity:<layer>``, the
weak form of div(sigma) = 0 with

    sigma = lambda tr(eps_e) I + 2 mu eps_e,   eps_e = eps - eps_cr - eps* I,   eps = sym(grad u),

written with 3x3 tensors in every dimension: a 2-D stack is in plane strain and a 1-D stack in
uniaxial strain (the out-of-plane strains are zero, their stresses are not). An axisymmetric 2-D
stack (x the axis, y the radius r) has the hoop strain eps_thth = u_r / r in the out-of-plane
slot, and its measures carry the weight 2 pi r (see ``ssefem.mesh.regions``). ``eps*`` is an
isotropic eigenstrain (chemical: Omega (c - c_ref) / 3, thermal: alpha (T - T_ref)) given per
layer as a UFL expression; ``eps_cr`` is the traceless creep strain of a layer that creeps
(:mod:`ssefem.physics.mechanics.creep`). Stresses are scaled by ``stress_scale`` (Pa) before assembly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ufl
from dolfinx import fem, la

from ssefem.controls import SweepParameter
from ssefem.fields import Field
from ssefem.model import Model
from ssefem.terms import Constraint, DerivedField, FormContext, Observable, Term

DISPLACEMENT = "u"
#: named constant: the applied normal pressure over ``stress_scale`` (a study may change it)
STACK_PRESSURE = "stack_pressure"
#: the sweep parameter of a steady step's stack-pressure sweep (values in MPa)
STACK_PRESSURE_SWEEP = "stack_pressure"
#: the row column with the stack pressure a sweep set, Pa
STACK_PRESSURE_SET = "stack_pressure_set"
#: named constant: a held displacement component (0 unless a study sets it)
HELD_DISPLACEMENT = "held_displacement"


@dataclass(frozen=True)
class ElasticLayer:
    """One layer's isotropic elastic constants and eigenstrain.

    Attributes:
        name: layer name.
        youngs_modulus: Pa.
        poisson_ratio: -1 < nu < 0.5.
        eigenstrain: ``(ctx, state) -> UFL scalar``, the dimensionless isotropic strain in a
            state (``ctx.u`` or ``ctx.u_n``), or None.
        creep_strain: ``(ctx, state) -> 3x3 UFL tensor``, the creep strain in a state, or None.
    """

    name: str
    youngs_modulus: float
    poisson_ratio: float
    eigenstrain: Callable[[FormContext, dict], ufl.core.expr.Expr] | None = None
    creep_strain: Callable[[FormContext, dict], ufl.core.expr.Expr] | None = None

    def __post_init__(self):
        if not self.youngs_modulus > 0:
            raise ValueError(f"layer {self.name!r}: Young's modulus must be positive")
        if not -1.0 < self.poisson_ratio < 0.5:
            raise ValueError(f"layer {self.name!r}: Poisson ratio must be in (-1, 0.5)")

    def lame(self, scale: float) -> tuple[float, float]:
        """(lambda, mu) over ``scale``."""
        E, nu = self.youngs_modulus / scale, self.poisson_ratio
        return E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))


def strain(u, radius=None) -> ufl.core.expr.Expr:
    """sym(grad u) embedded in 3x3: zero out-of-plane components, or with ``radius`` (the UFL
    radius of an axisymmetric 2-D mesh) the hoop strain u_r / r in the (2, 2) slot.

    On the axis (facet quadrature points of ``<layer>_lateral`` lie there) u_r / r takes its
    limit du_r/dr instead of 0/0, so an integral over those facets, weighted 0, stays finite.
    """
    gdim = ufl.shape(u)[0]
    e = ufl.sym(ufl.grad(u))
    out = [[e[i, j] if i < gdim and j < gdim else 0 for j in range(3)] for i in range(3)]
    if radius is not None:
        out[2][2] = ufl.conditional(ufl.gt(radius, 0.0), u[1] / radius, e[1, 1])
    return ufl.as_matrix(out)


def stress(ctx: FormContext, layer: ElasticLayer, state: dict, scale: float,
           field: str = DISPLACEMENT):
    """3x3 stress over ``scale`` in a state (``ctx.u`` or ``ctx.u_n``) with the displacement
    ``field``; the constants are named ``lambda:<layer>`` and ``mu:<layer>``."""
    lam0, mu0 = layer.lame(scale)
    lam = ctx.constant(f"lambda:{layer.name}", lam0)
    mu = ctx.constant(f"mu:{layer.name}", mu0)
    eps = strain(state[field], ctx.radius)
    if layer.eigenstrain is not None:
        eps = eps - layer.eigenstrain(ctx, state) * ufl.Identity(3)
    if layer.creep_strain is not None:
        eps = eps - layer.creep_strain(ctx, state)
    return lam * ufl.tr(eps) * ufl.Identity(3) + 2 * mu * eps


def von_mises(s):
    dev = s - ufl.tr(s) / 3 * ufl.Identity(3)
    return ufl.sqrt(1.5 * ufl.inner(dev, dev))


def rigid_body_modes(V: fem.FunctionSpace) -> list[fem.Function]:
    """Orthonormal translations and rotations of a vector P1/P2 space (GAMG's near-null space).

    Also the best choice in axisymmetric, where only the axial translation costs no energy:
    GAMG's aggregates are local, and away from the axis the radial translation and the in-plane
    rotation strain only the hoops, a lower-order energy. On a 2-D axisymmetric P1 stack
    (NMC811 | Li6PS5Cl | Li, 7.4e4 unknowns, free or rollered mantle) CG took 25-26 iterations
    with these three modes (24-25 with u = (0, r) added), 42-46 with the two translations or
    with the axial translation and u = (0, r), 426-501 with the axial translation alone.
    """
    gdim = V.mesh.geometry.dim
    x = V.tabulate_dof_coordinates()[:, :gdim]
    modes = [fem.Function(V) for _ in range(gdim * (gdim + 1) // 2)]
    for k in range(gdim):
        modes[k].x.array.reshape(-1, gdim)[:, k] = 1.0
    rotations = {2: [(0, 1)], 3: [(0, 1), (1, 2), (2, 0)]}.get(gdim, [])
    for m, (i, j) in zip(modes[gdim:], rotations, strict=True):
        a = m.x.array.reshape(-1, gdim)
        a[:, i], a[:, j] = -x[:, j], x[:, i]
    la.orthonormalize([m.x for m in modes])
    return modes


@dataclass(frozen=True)
class Elasticity:
    """The elastic layers of a model: ``elasticity(ctx, layer, previous=False)`` is a layer's 3x3
    stress over ``stress_scale``; ``field[layer]`` names its displacement field."""

    layers: dict[str, ElasticLayer]
    field: dict[str, str]
    stress_scale: float

    def __call__(self, ctx: FormContext, name: str, previous: bool = False):
        return stress(ctx, self.layers[name], ctx.u_n if previous else ctx.u,
                      self.stress_scale, self.field[name])

    def displacement(self, ctx: FormContext, name: str):
        return ctx.u[self.field[name]]


def body_field(body: tuple[str, ...], first: bool) -> str:
    """Name of a body's displacement field."""
    return DISPLACEMENT if first else f"{DISPLACEMENT}_{body[0]}"


def add_elasticity(model: Model, layers: list[ElasticLayer], stress_scale: float,
                   degree: int = 1, bodies: list[tuple[str, ...]] | None = None) -> Elasticity:
    """Displacement fields on ``bodies`` (groups of the layers, bonded within; default one body
    of all), the layers' elastic terms and outputs."""
    names = tuple(layer.name for layer in layers)
    bodies = bodies or [names]
    if sorted(n for b in bodies for n in b) != sorted(names):
        raise ValueError(f"bodies {bodies} do not partition the elastic layers {names}")
    sc = model.scales
    fields = {}
    for k, body in enumerate(bodies):
        name = body_field(body, k == 0)
        model.add_field(Field(name, body, 0.0, sc.length, "m", degree=degree, vector=True,
                              near_nullspace=rigid_body_modes, symmetric=True))
        fields.update(dict.fromkeys(body, name))
    sigma = Elasticity({layer.name: layer for layer in layers}, fields, stress_scale)

    for layer in layers:
        def build(ctx: FormContext, name=layer.name):
            # sigma : eps(v), the 3x3 virtual strain: in axisymmetric it adds the hoop work
            # sigma_thth v_r / r (elsewhere it equals sigma : grad v, sigma being symmetric)
            v = ctx.v[fields[name]]
            # degree 2p: exact on affine simplices, the usual (p+1)^d Gauss rule on hexahedra
            # (UFL's estimate for trilinear hexahedra is 2.5x as costly to assemble); one more
            # for the weight r of an axisymmetric mesh
            q = 2 * degree + (ctx.radius is not None)
            dx = ctx.dx(ctx.layer(name), degree=q)
            return {fields[name]: ufl.inner(sigma(ctx, name), strain(v, ctx.radius)) * dx}

        model.add_term(Term(f"elasticity:{layer.name}", "flux", build))

    def cellwise(quantity, body):
        def build(ctx: FormContext, q):
            return sum(quantity(sigma(ctx, n)) * q * ctx.dx(ctx.layer(n)) for n in body)
        return build

    for body in bodies:
        f = fields[body[0]]
        model.add_derived(DerivedField("von_mises_stress", f, "Pa", cellwise(von_mises, body),
                                       stress_scale))
        model.add_derived(DerivedField("hydrostatic_stress", f, "Pa",
                                       cellwise(lambda s: ufl.tr(s) / 3, body), stress_scale))
    for name in names:
        def mean(quantity, name=name):
            def build(ctx: FormContext):
                dx = ctx.dx(ctx.layer(name))
                return quantity(ctx, name) * dx, ctx.one * dx
            return build

        model.add_observable(Observable(
            f"axial_strain:{name}", "1",
            mean(lambda ctx, n: ufl.grad(sigma.displacement(ctx, n))[0, 0])))
        model.add_observable(Observable(
            f"hydrostatic_stress:{name}", "Pa",
            mean(lambda ctx, n: ufl.tr(sigma(ctx, n)) / 3), stress_scale))
    return sigma


def add_pressure(model: Model, boundary: str, stress_scale: float, pressure: float,
                 field: str = DISPLACEMENT) -> None:
    """A uniform normal pressure (Pa, compressive positive) on an outer boundary of the body
    whose displacement is ``field``."""
    tag = model.regions.facet_tag[boundary]
    n = ufl.FacetNormal(model.regions.mesh)

    def build(ctx: FormContext):
        p = ctx.constant(STACK_PRESSURE, pressure / stress_scale)
        return {field: p * ufl.dot(n, ctx.v[field]) * ctx.ds(tag)}

    model.add_term(Term(f"stack_pressure:{boundary}", "source", build))


def add_support(model: Model, boundary: str, kind: str, field: str = DISPLACEMENT) -> None:
    """``fixed`` (all components), ``roller`` (normal component), ``axial`` (x held at the
    ``held_displacement`` constant) or ``pin`` (the lateral components y, z held at the
    boundary's centre node: the lateral translation of a periodic body, which no load holds)
    of the displacement ``field`` on a named boundary."""
    if kind == "pin":
        for k in range(1, model.regions.dim):
            model.add_constraint(Constraint(field, boundary, "zero_displacement", component=k,
                                            at="centre"))
        return
    component = {"fixed": None, "roller": "normal", "axial": 0}[kind]
    value = HELD_DISPLACEMENT if kind == "axial" else "zero_displacement"
    model.add_constraint(Constraint(field, boundary, value, component=component))


def add_reaction_pressure(model: Model, boundary: str, layer: str, sigma: Elasticity,
                          stress_scale: float) -> None:
    """Observable ``stack_pressure``: the mean compressive normal stress on a collector."""
    tag = model.regions.facet_tag[boundary]
    n = ufl.FacetNormal(model.regions.mesh)

    def build(ctx: FormContext):
        gdim = model.regions.mesh.geometry.dim
        s = sigma(ctx, layer)
        nn = sum(n[i] * s[i, j] * n[j] for i in range(gdim) for j in range(gdim))
        return -nn * ctx.ds(tag), ctx.one * ctx.ds(tag)

    model.add_observable(Observable("stack_pressure", "Pa", build, stress_scale))


def add_thickness_change(model: Model, sigma: Elasticity, first: str, last: str,
                         start: str, end: str) -> None:
    """Observable ``thickness_change`` (m): the mean normal displacement of the boundary ``end``
    of layer ``last`` minus that of ``start`` of layer ``first`` (the gaps of contact
    interfaces in between included)."""
    t0, t1 = model.regions.facet_tag[start], model.regions.facet_tag[end]

    def build(ctx: FormContext):
        a, b = sigma.displacement(ctx, first)[0], sigma.displacement(ctx, last)[0]
        return b * ctx.ds(t1) - a * ctx.ds(t0), ctx.one * ctx.ds(t0)

    model.add_observable(Observable("thickness_change", "m", build, model.scales.length))


def stack_pressure_sweep(stress_scale: float) -> SweepParameter:
    """The stack pressure as a sweep parameter: case values in MPa set the constant
    :data:`STACK_PRESSURE` (the pressure over ``stress_scale``, Pa) and the column
    :data:`STACK_PRESSURE_SET` (Pa)."""
    return SweepParameter(
        STACK_PRESSURE_SWEEP, "MPa", STACK_PRESSURE, lambda p: p * 1e6 / stress_scale,
        STACK_PRESSURE_SET, "Pa", lambda p: p * 1e6,
        doc="stack pressure on the positive collector (the cell's collectors = 'pressure')")


def sweep_parameters(case) -> list[str]:
    """The names of the sweep parameters mechanics offers a case (without building a model)."""
    return [STACK_PRESSURE_SWEEP] if case.mechanics is not None else []
