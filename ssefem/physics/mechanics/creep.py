"""Power-law creep of a layer (a metal electrode): J2 flow, incompressible and isotropic.

The creep strain eps_cr of a layer follows Norton's law with the von Mises flow rule

    d eps_cr / dt = (3/2) A(T) sigma_vm^(n-1) s,    s = dev(sigma),    sigma_vm^2 = (3/2) s:s,

so that a bar in uniaxial stress sigma creeps axially at A sigma^n (A in 1/(s Pa^n), Arrhenius in
T from the material library; lithium: n = 6.6, LePage et al., J. Electrochem. Soc. 166, A89
(2019)). The stress is sigma = C : (eps - eps_cr - eps* I)
(:func:`ssefem.physics.mechanics.elasticity.stress`), so the creep strain enters every use of the stress:
the elastic term, contact, outputs.

eps_cr is symmetric and traceless. Its independent components are the unknowns of a piecewise
constant (DG0) field ``eps_cr_<layer>``: the flow rule is a local equation in each cell, coupled
to the displacement through the stress, and solved with everything else in the one Newton
system (monolithic: the stress relaxes within the step that loads it, at no staggering error).

- 1-D (uniaxial strain): [xx], with yy = zz = -xx/2 (the lateral directions are equivalent);
- 2-D (plane strain; axisymmetric: the same, the out-of-plane slot being the hoop component):
  [xx, yy, xy], zz = -xx - yy;
- 3-D: [xx, yy, xy, xz, yz], zz = -xx - yy.

The field is transient only (``steady=False``): a steady solve holds the creep strain, a time
step advances it by backward Euler, which is L-stable for this stiff law (n = 6.6: Li relaxes
in milliseconds at a few MPa and in hours below 0.1 MPa). In every cell

    (eps_cr - eps_cr_n) / dt - rate_ref x^((n-1)/2) (3/2) s / sigma_ref = 0,
    x = (3/2) s:s / sigma_ref^2 = (sigma_vm / sigma_ref)^2,    rate_ref = A sigma_ref^n,

with sigma_ref = 1 MPa, Li's yield strength in order of magnitude: written in x, the law has no
square root, whose UFL derivative is NaN at the zero stress of an unloaded start; and scaled by
sigma_ref, not by the stress scale of elasticity (~1.5e11 Pa, where (1e6 / 1.5e11)^6.6 ~ 1e-34
would leave rate_ref at the edge of underflow).

s is the cell's mean deviatoric stress, a second DG0 field ``s_cr_<layer>`` (its projection,
solved with the rest), not the stress at quadrature points: the creep strain, constant in the
cell, then dissipates exactly the work of that mean stress (rate : mean(s) >= 0), so creep
cannot feed energy into a cell. With the flow averaged over the quadrature points instead, a
stress that varies strongly within a cell can drive the mean flow against the mean stress: in
the axisymmetric void case (cases/li_lpsc_void_stripping.toml) the hoop strain u_r / r of the
triangles with a single vertex on the axis, singular there, did exactly that, and the creep
rate of one axis cell ran away from 0.15 to 270 1/s within 0.2 s. On plane P1 simplices the
stress is constant in a cell and both forms agree (the same Newton iterates).

The creep residual is left unscaled: a residual R in a cell of volume V means a creep-strain
error R dt / V, so SNES's tests bound the strain error at every step length (the elastic
blocks, linear while the contact set holds, converge in the same Newton steps). In a rough
Li | LLZO contact creeping for an hour (2-D, 62 steps from 1e-6 s to 600 s) Newton's residual
fell quadratically in every step, and tightening rtol from 1e-10 to 1e-14 changed the creep
strain, contact pressure and stresses by less than 1e-11 relative.

The time steps of a creeping run are bounded by :class:`CreepLimiter`, a step limiter
(:mod:`ssefem.controls`) that :func:`add_creep` registers: the protocol asks it, it does not know
creep.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import ufl

from ssefem.case.schema import Solver
from ssefem.controls import EQUILIBRATE, StepLimiter
from ssefem.fields import Field
from ssefem.materials import Material
from ssefem.model import Model
from ssefem.physics.mechanics.elasticity import Elasticity
from ssefem.state import Handle
from ssefem.terms import DerivedField, FormContext, Observable, Term

if TYPE_CHECKING:  # pragma: no cover
    from ssefem.system import System

#: Pa: the stress that scales the flow rule
REFERENCE_STRESS = 1e6
#: the layers that creep, in the order they were added
CREEP_LAYERS: Handle[str] = Handle("creep_layers", str, "names of the layers that creep",
                                   accumulates="list")
#: the solver option max_creep_strain_change's default
DEFAULT_MAX_STRAIN_CHANGE = Solver.model_fields["max_creep_strain_change"].default
#: (sigma_vm / sigma_ref)^2 added under the power: keeps the law's derivative finite at zero
#: stress for exponents n < 3 too (x^((n-1)/2 - 1) would be infinite there); 1e-30 is a stress of
#: 1e-9 Pa, far below anything that creeps measurably
_FLOOR = 1e-30
_COMPONENTS = {1: 1, 2: 3, 3: 5}


@dataclass(frozen=True)
class CreepLaw:
    """Norton's law at one temperature: uniaxial creep rate ``prefactor * sigma^exponent``.

    Attributes:
        prefactor: A, 1/(s Pa^n).
        exponent: n >= 1.
    """

    prefactor: float
    exponent: float

    def __post_init__(self):
        if not self.prefactor > 0:
            raise ValueError(f"creep prefactor must be positive, got {self.prefactor}")
        if not self.exponent >= 1:
            raise ValueError(f"creep exponent must be >= 1, got {self.exponent}")

    @classmethod
    def of(cls, material: Material, T: float) -> CreepLaw:
        """The law of a material-library entry (``creep_prefactor``, Arrhenius, and
        ``creep_exponent``) at temperature T (K)."""
        return cls(material.at("creep_prefactor", T), material.at("creep_exponent", T))

    @property
    def reference_rate(self) -> float:
        """A sigma_ref^n, 1/s: the creep rate at 1 MPa (computed in logarithms: sigma_ref^n
        alone reaches 1e40 for lithium)."""
        return math.exp(math.log(self.prefactor) + self.exponent * math.log(REFERENCE_STRESS))


def creep_field(layer: str) -> str:
    """Name of a layer's creep-strain field."""
    return f"eps_cr_{layer}"


def creep_rate(layer: str) -> str:
    """Name of a layer's observable: its largest equivalent creep rate."""
    return f"creep_rate:{layer}"


def creep_strain(layer: str, dim: int):
    """``(ctx, state) -> 3x3`` creep strain of ``layer`` in a state, for
    :attr:`ssefem.physics.mechanics.elasticity.ElasticLayer.creep_strain`; ``dim`` is the mesh's."""
    name = creep_field(layer)

    def strain(ctx: FormContext, state: dict):
        return _tensor(state[name], dim)

    return strain


def _tensor(e, dim: int):
    """The traceless symmetric 3x3 tensor of the independent components ``e``."""
    if dim == 1:
        return ufl.as_matrix([[e[0], 0, 0], [0, -e[0] / 2, 0], [0, 0, -e[0] / 2]])
    xz, yz = (e[3], e[4]) if dim == 3 else (0, 0)
    return ufl.as_matrix([[e[0], e[2], xz], [e[2], e[1], yz], [xz, yz, -e[0] - e[1]]])


def _components(t, dim: int):
    """The independent components of a traceless symmetric 3x3 tensor (inverse of _tensor)."""
    picks = {1: [(0, 0)], 2: [(0, 0), (1, 1), (0, 1)],
             3: [(0, 0), (1, 1), (0, 1), (0, 2), (1, 2)]}[dim]
    return ufl.as_vector([t[i, j] for i, j in picks])


def equivalent(e):
    """sqrt(2/3 e:e), the equivalent strain of a traceless tensor (equals |eps_xx| in
    uniaxial creep)."""
    return ufl.sqrt(2.0 / 3.0 * ufl.inner(e, e))


def add_creep(model: Model, sigma: Elasticity, laws: dict[str, CreepLaw],
              degree: int = 1, max_strain_change: float = DEFAULT_MAX_STRAIN_CHANGE) -> None:
    """Creep of the layers in ``laws``; each must be in ``sigma`` with ``creep_strain`` from
    :func:`creep_strain`, ``degree`` is the displacement's (for the quadrature);
    ``max_strain_change`` is the :class:`CreepLimiter`'s limit (the case's solver option
    ``max_creep_strain_change``).

    Adds per layer the fields ``eps_cr_<layer>`` and ``s_cr_<layer>``, the terms
    ``storage:eps_cr_<layer>``, ``creep:<layer>`` and ``creep_stress:<layer>``, the observables
    ``creep_strain:<layer>`` (volume mean of the equivalent creep strain) and
    ``creep_rate:<layer>`` (the largest cell's equivalent creep rate A sigma_vm^n, 1/s) and, on
    the creep field's cells, the derived fields ``creep_strain`` (the 3x3 tensor) and
    ``equivalent_creep_strain``.
    """
    dim = model.regions.dim
    for layer, law in laws.items():
        elastic = sigma.layers.get(layer)
        if elastic is None or elastic.creep_strain is None:
            raise ValueError(f"layer {layer!r} needs an ElasticLayer with creep_strain to creep")
        # the cell-mean stress's residual in the units of elasticity's (stress over the stress
        # scale, not over sigma_ref): in sigma_ref units its round-off, 1.5e5 times larger,
        # stalled Newton at 6e-14 above an atol of 1e-14
        for name, scale, unit, steady, weight in (
                (creep_field(layer), 1.0, "1", False, 1.0),
                (_stress_field(layer), REFERENCE_STRESS, "Pa", True,
                 REFERENCE_STRESS / sigma.stress_scale)):
            model.add_field(Field(name, (layer,), 0.0, scale, unit, steady=steady, degree=0,
                                  residual_scale=weight, family="DG",
                                  components=_COMPONENTS[dim], output=False))
        model.state.publish(CREEP_LAYERS, layer)
        _add_terms(model, sigma, layer, law, degree)
        _add_outputs(model, layer, law)
    if laws:
        model.add_step_limiter(CreepLimiter(tuple(laws), max_strain_change))
        model.state.publish(EQUILIBRATE, "creep")


class CreepLimiter(StepLimiter):
    """Bounds the time steps by the creep of the layers ``layers``: a step's largest change of
    a creep-strain component in a cell over ``limit`` (the solver's max_creep_strain_change).

    :meth:`max_step` is ``limit`` over the largest creep rate at the start of the step. The rate
    is the explicit one, so the bound sizes the first step after loading (the elastic stress
    peaks of a rough contact creep at 1e4 1/s) and lets dt grow as the stress relaxes; backward
    Euler then stays within the limit wherever the rate falls during the step, and a step whose
    creep still exceeds twice the limit is retried at half length (:meth:`change` > 2).

    The default limit, 0.01, measured on rough Li on LLZO (RMS 0.1 um) at 2 MPa resting for
    an hour (2-D, 40 cells across): 103 steps and 18 s, against 793 steps (71 s) at 1e-3
    and 7651 (401 s) at 1e-4; from 1 ms on, the mean creep strain was within 0.6 % and the
    contact fraction within one quadrature point (0.009) of the 1e-4 run. Without the
    bound, from dt_initial = 1 s, the first step (27 Newton iterations) jumped over the
    relaxation and left the contact fraction 3 % low an hour later.
    """

    name = "creep"

    def __init__(self, layers: tuple[str, ...], limit: float):
        if not limit > 0:
            raise ValueError(f"the creep strain change limit must be positive, got {limit}")
        self.layers = tuple(layers)
        self.limit = limit

    def max_step(self, obs: dict) -> float:
        rate = max((obs[creep_rate(n)] for n in self.layers), default=0.0)
        return self.limit / rate if rate > 0 else math.inf

    def change(self, system: System, obs: dict, prev: dict) -> float:
        return system.largest_change([creep_field(n) for n in self.layers]) / self.limit


def _stress_field(layer: str) -> str:
    """Name of the field holding a creeping layer's cell-mean deviatoric stress."""
    return f"s_cr_{layer}"


def _driving(ctx: FormContext, layer: str, law: CreepLaw, dim: int):
    """(s, x, rate_ref): a cell's mean deviatoric stress over sigma_ref (3x3), x and rate_ref in
    units of the time scale."""
    s = _tensor(ctx.u[_stress_field(layer)], dim)
    k = ctx.constant(f"creep_rate:{layer}", law.reference_rate * ctx.scales.time)
    return s, 1.5 * ufl.inner(s, s) + _FLOOR, k


def _add_terms(model: Model, sigma: Elasticity, layer: str, law: CreepLaw, degree: int) -> None:
    dim = model.regions.dim
    e, s = creep_field(layer), _stress_field(layer)
    ratio = sigma.stress_scale / REFERENCE_STRESS

    def dx(ctx: FormContext):
        # exact for the cell mean of P1/P2 stresses on simplices; in axisymmetric the hoop
        # strain u_r / r times the weight r is polynomial again (one degree more for r)
        return ctx.dx(ctx.layer(layer), degree=2 * degree + (ctx.radius is not None))

    def mean_stress(ctx: FormContext):
        target = _components(ufl.dev(sigma(ctx, layer)) * ratio, dim)
        return {s: ufl.inner(ctx.u[s] - target, ctx.v[s]) * dx(ctx)}

    def storage(ctx: FormContext):
        return {e: ufl.inner(ctx.rate(e), ctx.v[e]) * dx(ctx)}

    def flow(ctx: FormContext):
        dev, x, k = _driving(ctx, layer, law, dim)
        rate = k * x ** ((law.exponent - 1) / 2) * 1.5 * dev
        return {e: -ufl.inner(_components(rate, dim), ctx.v[e]) * dx(ctx)}

    model.add_term(Term(f"creep_stress:{layer}", "source", mean_stress))
    model.add_term(Term(f"storage:{e}", "storage", storage))
    model.add_term(Term(f"creep:{layer}", "source", flow))


def _add_outputs(model: Model, layer: str, law: CreepLaw) -> None:
    dim = model.regions.dim
    name = creep_field(layer)

    def mean(ctx: FormContext):
        dx = ctx.dx(ctx.layer(layer))
        return equivalent(_tensor(ctx.u[name], dim)) * dx, ctx.one * dx

    def fastest(ctx: FormContext):
        _, x, k = _driving(ctx, layer, law, dim)
        dx = ctx.dx(ctx.layer(layer))
        return k * x ** (law.exponent / 2) * dx, ctx.one * dx

    def cellwise(quantity):
        def build(ctx: FormContext, q):
            return ufl.inner(quantity(_tensor(ctx.u[name], dim)), q) * ctx.dx(ctx.layer(layer))
        return build

    model.add_observable(Observable(f"creep_strain:{layer}", "1", mean))
    model.add_observable(Observable(creep_rate(layer), "1/s", fastest, 1.0 / model.scales.time,
                                    reduce="max"))
    model.add_derived(DerivedField("creep_strain", name, "1", cellwise(lambda t: t),
                                   shape=(3, 3)))
    model.add_derived(DerivedField("equivalent_creep_strain", name, "1", cellwise(equivalent)))
