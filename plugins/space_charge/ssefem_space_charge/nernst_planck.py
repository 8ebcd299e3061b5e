"""Nernst-Planck-Poisson transport in ion-conducting layers, as named residual terms.

Unknowns on the region's layers: one electrochemical potential ``mu_<species>`` per mobile species
(units of RT) and the electric potential (units of RT/F). With x in units of the length scale L0,
concentrations in units of ``c_scale`` and time in units of t0, the terms are

    storage:mu_<s>        (c_s - c_s^n)/dt v                       (c_s = c_s(mu_s, phi))
    nernst_planck:<s>     D_s t0/L0^2 * mobility_s grad(mu_s) . grad(v)
    poisson:<layers>      (lambda/L0)^2 grad(phi) . grad(w),  (lambda/L0)^2 = eps V_T/(F c_scale L0^2)
    space_charge:<layers> -(sum_s z_s c_s + rho_fixed) w

so the Debye length enters only through the coefficient (lambda/L0)^2 of the Poisson operator.

A species may instead be *carried* by an existing field ``f`` with mu_s = z_s f: in a cell the
mobile ion of a single-ion conductor is carried by ``phi_e`` (in units of RT/F), the potential a
reference electrode of that ion would measure, which is the electrolyte potential of the
electroneutral model. Its storage and flux terms are then weighted into that field's units (a
current density), so electroneutral and resolved layers share ``phi_e`` with continuous
electrochemical potential and current across their interface, and the electrostatic potential
lives only on the resolved layers.

Boundary conditions: blocking is the natural one (no term); a species inflow is
:func:`add_species_inflow`; Dirichlet values of mu (a reversible contact, or a fixed
concentration at a known potential) or of phi are :class:`~ssefem.terms.Constraint`\\ s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from mpi4py import MPI

from ssefem.constants import EPS0, F
from ssefem.expectations import Diagnosis
from ssefem.fields import Field
from ssefem.model import Model
from ssefem_space_charge.species import Species
from ssefem.terms import FormContext, Observable, Term


@dataclass(frozen=True)
class NPPRegion:
    """What a Nernst-Planck-Poisson region exposes to boundary and interface terms."""

    layers: tuple[str, ...]
    species: tuple[Species, ...]
    potential: str
    c_scale: float  # mol/m^3 per dimensionless unit of concentration
    kappa: float  # (lambda/L0)^2
    background: float  # dimensionless fixed charge density rho_fixed / (F c_scale)
    quadrature: int  # one rule for every term and observable: the discrete amount that the
    #                  storage term conserves is then exactly the one reported
    carriers: dict  # species name -> (field, factor, weight): mu = factor * field, and the
    #                 species' terms are multiplied by weight

    @property
    def label(self) -> str:
        return "+".join(self.layers)

    def get(self, name: str) -> Species:
        for s in self.species:
            if s.name == name:
                return s
        raise KeyError(f"no species {name!r} in {self.label}")

    def mu(self, ctx: FormContext, sp: Species, previous: bool = False):
        """Dimensionless electrochemical potential of ``sp`` (units of RT)."""
        field, factor, _ = self.carriers[sp.name]
        return factor * (ctx.u_n if previous else ctx.u)[field]

    def concentration(self, ctx: FormContext, sp: Species, previous: bool = False):
        """c_s / c_scale as a UFL expression (of the previous time level with ``previous``)."""
        u = ctx.u_n if previous else ctx.u
        return sp.c_ref / self.c_scale * sp.concentration(self.mu(ctx, sp, previous),
                                                          u[self.potential])

    def charge(self, ctx: FormContext):
        """Dimensionless charge density sum_s z_s c_s + rho_fixed (units of F c_scale)."""
        return sum(sp.z * self.concentration(ctx, sp) for sp in self.species) + self.background

    def dx(self, ctx: FormContext):
        md = {"quadrature_degree": self.quadrature}
        tags = [ctx.layer(n) for n in self.layers]
        return sum((ctx.dx(t, metadata=md) for t in tags[1:]), ctx.dx(tags[0], metadata=md))

    def inflow_rate(self, model: Model, sp: Species, current: float) -> float:
        """Dimensionless molar inflow of ``sp`` that carries ``current`` (A/m^2)."""
        return current / model.scales.current * model.scales.flux_to_rate(self.c_scale, sp.z)


def add_nernst_planck_poisson(model: Model, layers: tuple[str, ...], species: list[Species], *,
                              eps_r: float, background: float | None = None,
                              potential: str = "phi_e", phi0: float = 0.0,
                              degree: int = 1, carriers: dict[str, str] | None = None
                              ) -> NPPRegion:
    """Add the fields and terms of Nernst-Planck-Poisson transport on ``layers``.

    Args:
        eps_r: relative permittivity of the layers.
        background: fixed charge density rho_fixed/F in mol/m^3 (signed); default the value that
            makes the reference state (every species at c_ref) neutral.
        potential: name of the electric-potential field.
        phi0: initial potential, V; each mu starts where its concentration is c_ref.
        degree: Lagrange degree of the region's fields.
        carriers: species name -> an existing field (potential in units of RT/F) carrying it
            as mu = z * field, its terms weighted into current-density units; the other
            species get their own ``mu_<name>`` fields.
    """
    if not species:
        raise ValueError("Nernst-Planck-Poisson needs at least one mobile species")
    names = [s.name for s in species]
    if len(set(names)) != len(names):
        raise ValueError(f"species names repeat: {names}")
    if not eps_r > 0:
        raise ValueError(f"eps_r must be positive, got {eps_r}")
    sc = model.scales
    layers = tuple(layers)
    c_scale = max(s.c_ref for s in species)
    if background is None:
        background = -sum(s.z * s.c_ref for s in species)
    kappa = EPS0 * eps_r * sc.potential / (F * c_scale * sc.length**2)
    carriers = dict(carriers or {})
    unknown = set(carriers) - set(names)
    if unknown:
        raise ValueError(f"carriers name unknown species {sorted(unknown)}")
    table = {}
    for sp in species:
        if sp.name in carriers:
            field = carriers[sp.name]
            if field not in model.fields:
                raise ValueError(f"carrier field {field!r} of species {sp.name!r} does not exist")
            table[sp.name] = (field, float(sp.z), 1.0 / sc.flux_to_rate(c_scale, sp.z))
        else:
            table[sp.name] = (sp.field, 1.0, 1.0)
    region = NPPRegion(layers, tuple(species), potential, c_scale, kappa, background / c_scale,
                       quadrature=2 * degree + 2, carriers=table)
    phi_hat0 = phi0 / sc.potential
    model.add_field(Field(potential, layers, phi_hat0, sc.potential, "V", degree=degree))
    label = region.label
    for sp in species:
        D = sc.diffusivity(sp.D)
        a = sp.c_ref / c_scale
        if sp.name not in carriers:
            model.add_field(Field(sp.field, layers, sp.z * phi_hat0, 1.0, "RT",
                                  residual_scale=1.0 / (D * a), degree=degree))
        model.add_term(_storage(region, sp))
        model.add_term(_nernst_planck(region, sp, D))
        model.add_observable(Observable(
            f"concentration:{sp.name}:{label}", "mol/m^3",
            lambda ctx, sp=sp: (region.concentration(ctx, sp) * region.dx(ctx),
                                ctx.one * region.dx(ctx)),
            c_scale))

    def poisson(ctx: FormContext):
        k = ctx.constant(f"debye_coefficient:{label}", kappa)
        phi, w = ctx.u[potential], ctx.v[potential]
        return {potential: k * ufl.inner(ufl.grad(phi), ufl.grad(w)) * region.dx(ctx)}

    def space_charge(ctx: FormContext):
        return {potential: -region.charge(ctx) * ctx.v[potential] * region.dx(ctx)}

    model.add_term(Term(f"poisson:{label}", "flux", poisson))
    model.add_term(Term(f"space_charge:{label}", "source", space_charge))
    model.add_diagnosis(Diagnosis(f"depletion:{label}", lambda system: _depletion(system, region)))
    return region


#: a mobile species below this fraction of its reference concentration is depleted
DEPLETED = 1e-2


def _depletion(system, region: NPPRegion) -> str | None:
    """The likely cause of a failed solve when a mobile species of the region ran out in the
    last accepted state: the current asked for exceeds what diffusion and migration can carry
    (the limiting current; for a binary salt between electrodes blocking one ion, about
    2 z F D c0 / L, with D the salt's ambipolar diffusivity). Collective."""
    comm = system.model.regions.comm
    phi = system.u_n[region.potential].x.array
    worst = None
    for sp in region.species:
        field, factor, _ = region.carriers[sp.name]
        mu = system.u_n[field].x.array
        local = (float(np.min(sp.concentration(factor * mu, phi, exp=np.exp)))
                 if mu.size == phi.size and mu.size else np.inf)
        low = comm.allreduce(local, op=MPI.MIN)
        if low < DEPLETED and (worst is None or low < worst[1]):
            worst = (sp.name, low)
    if worst is None:
        return None
    return (f"{worst[0]} is depleted in {region.label} (down to {worst[1]:.2g} of its reference "
            "concentration): the current exceeds the limiting current that diffusion and "
            "migration can carry there")


def _storage(region: NPPRegion, sp: Species) -> Term:
    field, _, weight = region.carriers[sp.name]

    def build(ctx: FormContext):
        dc = region.concentration(ctx, sp) - region.concentration(ctx, sp, previous=True)
        return {field: weight * dc / ctx.dt * ctx.v[field] * region.dx(ctx)}

    return Term(f"storage:{sp.name}:{region.label}", "storage", build)


def _nernst_planck(region: NPPRegion, sp: Species, D: float) -> Term:
    a = sp.c_ref / region.c_scale
    field, _, weight = region.carriers[sp.name]

    def build(ctx: FormContext):
        Dc = ctx.constant(f"D:{sp.name}:{region.label}", D)
        mu = region.mu(ctx, sp)
        m = a * sp.mobility(sp.concentration(mu, ctx.u[region.potential]))
        return {field: weight * Dc * m * ufl.inner(ufl.grad(mu), ufl.grad(ctx.v[field]))
                * region.dx(ctx)}

    return Term(f"nernst_planck:{sp.name}:{region.label}", "flux", build)


def add_species_inflow(model: Model, region: NPPRegion, species: str, boundary: str,
                       control: str) -> None:
    """A prescribed molar inflow of ``species`` through an outer ``boundary``.

    The dimensionless inflow is the named constant ``control`` (set it with
    :meth:`NPPRegion.inflow_rate`); without this term the boundary blocks the species.
    """
    sp = region.get(species)
    field, _, weight = region.carriers[sp.name]
    tag = model.regions.facet_tag[boundary]

    def build(ctx: FormContext):
        j = ctx.constant(control)
        return {field: -weight * j * ctx.v[field] * ctx.ds(tag)}

    model.add_term(Term(f"inflow:{sp.name}:{boundary}", "source", build))
