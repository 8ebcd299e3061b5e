"""Resolved ion transport: Nernst-Planck-Poisson in chosen ion-conducting layers of a cell.

Each resolved layer gets its electrostatic potential ``psi_<layer>`` and Poisson's equation; its
mobile ion (charge z, concentration c0 on a fixed background of charge -z F c0, conductivity
from the material library through Nernst-Einstein) is carried by the shared ``phi_e`` as
mu = z F phi_e / RT, so the layer's conduction term becomes sigma(c)/sigma0 * Ohm's law plus
storage, and it meets electroneutral neighbours with continuous phi_e and current. Where the
double layer sits against an electroneutral neighbour psi has the natural (field-free) condition,
which holds when the layer is many Debye lengths thick. Electrode faces and junctions between
resolved layers are in :mod:`ssefem_space_charge.double_layer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ssefem.constants import F
from ssefem.materials import Material
from ssefem.model import Model
from ssefem_space_charge.double_layer import add_electrode_contact, add_junction
from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem_space_charge.nernst_planck import NPPRegion, add_nernst_planck_poisson
from ssefem_space_charge.species import Species
from ssefem.physics.ionics.transport import ELECTROLYTE, IonTransport
from ssefem.state import Handle
from ssefem.terms import Observable

#: m: the Debye length of each layer resolved by the Nernst-Planck-Poisson transport, by layer
DEBYE_LENGTH: Handle[float] = Handle(
    "debye_length_m", float, "m, Debye length of each Nernst-Planck-Poisson layer, by layer",
    accumulates="dict")


@dataclass(frozen=True)
class Contact:
    """Settings of one face of a resolved layer.

    Attributes:
        stern_capacitance: F/m^2 at an electrode; ``None`` for an ideal contact.
        potential_step: V, electrostatic potential step from the neighbour into the layer at
            equilibrium (electrode: psi = phi_s - U - step; junction a|b: psi_b - psi_a).
    """

    stern_capacitance: float | None = None
    potential_step: float = 0.0


@dataclass
class NernstPlanckPoissonTransport(IonTransport):
    """Nernst-Planck-Poisson in the layers it is given (one instance may serve several).

    Attributes:
        temperature: K.
        contacts: settings per interface name (``a|b``); interfaces not listed get
            ``Contact()``.
        relative_permittivity: per layer, overriding the material's.
        site_density: per layer, lattice site density c_max of the mobile ion (mol/m^3);
            absent: dilute.
        mobile_concentration: per layer, the mobile-ion concentration c0 (mol/m^3) overriding the
            material's; the conductivity stays the material's (D follows).
        degree: Lagrange degree of the layers' fields.
    """

    temperature: float
    contacts: dict[str, Contact] = field(default_factory=dict)
    relative_permittivity: dict[str, float] = field(default_factory=dict)
    site_density: dict[str, float] = field(default_factory=dict)
    mobile_concentration: dict[str, float] = field(default_factory=dict)
    degree: int = 1
    regions: dict[str, NPPRegion] = field(default_factory=dict, init=False)
    name = "nernst_planck_poisson"

    def add_layer(self, model: Model, layer: str, mat: Material, phi0: float) -> None:
        T = self.temperature
        sp = Species.from_material(mat, T, self.site_density.get(layer),
                                   self.mobile_concentration.get(layer))
        eps = self.relative_permittivity.get(layer, mat.at("relative_permittivity", T))
        region = add_nernst_planck_poisson(
            model, (layer,), [sp], eps_r=eps, potential=f"psi_{layer}", phi0=phi0,
            degree=self.degree, carriers={sp.name: ELECTROLYTE})
        self.regions[layer] = region
        model.state.publish(DEBYE_LENGTH, {layer: float(sp.debye_length(eps, T))})
        face = next(n for n in model.regions.interfaces() if layer in n.split("|"))
        tag = model.regions.facet_tag[face]
        model.add_observable(Observable(
            f"space_charge:{layer}", "C/m^2",
            lambda ctx: (region.charge(ctx) * region.dx(ctx), ctx.one * ctx.dS(tag)),
            F * region.c_scale * model.scales.length))

    def ion_activity(self, layer: str, iface: str):
        region = self.regions[layer]
        sp = region.species[0]
        scale = region.c_scale / sp.c_ref
        return lambda ctx, side, eta: scale * region.concentration(ctx, sp)(side)

    def add_electrode_contact(self, model: Model, layer: str, el: Electrode, iface: str,
                              electrode_side: str):
        c = self.contacts.get(iface, Contact())
        return add_electrode_contact(model, self.regions[layer], el, iface, electrode_side,
                                     stern_capacitance=c.stern_capacitance,
                                     potential_step_value=c.potential_step, degree=self.degree)

    def add_junction(self, model: Model, layer: str, neighbour: str, other: IonTransport,
                     iface: str, side: str) -> None:
        if other is not self or side != "+":  # psi is field-free against other transports
            return
        c = self.contacts.get(iface, Contact())
        add_junction(model, self.regions[layer], self.regions[neighbour], iface,
                     potential_step_value=c.potential_step, degree=self.degree)
