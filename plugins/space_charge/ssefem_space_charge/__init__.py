"""ssefem plugin ``space_charge``: space-charge layers at solid-electrolyte interfaces.

Mode ``resolved`` (per interface ``a|b``): the ion-conducting layer(s) of the interface are solved
with Nernst-Planck-Poisson (ssefem's core physics, :mod:`ssefem.physics.resolved`) inside the cell
run; the other ion conductors stay electroneutral. An electrode face gets a Stern layer or an
ideal contact and an equilibrium potential step; a face between two resolved layers gets the
potential step between them. The layer must be meshed with elements below its Debye length at the
faces (``layers[].face_cell``); the plugin checks this before meshing.

Outputs (``results/<case>/space_charge/``): the profile across each resolved interface at the end
of the run (CSV and PNG: electrostatic potential, phi_e, concentration, charge density against
the distance from the interface), and ``summary.json`` with each layer's Debye length and each
interface's electrode charge, space charge and space-charge potential.
"""

from __future__ import annotations

from ssefem.errors import CaseError
from ssefem.physics.resolved import Contact, NernstPlanckPoissonTransport
from ssefem.physics.species import Species
from ssefem.plugins import Plugin

from ssefem_space_charge.config import Config


class SpaceCharge(Plugin):
    name = "space_charge"
    version = "0.1.0"
    description = "space-charge layers at interfaces: Nernst-Planck-Poisson resolved in the cell"
    Config = Config

    def transports(self, case, library):
        cfg: Config = self.config
        names = [layer.name for layer in case.layers]
        by_name = {layer.name: (k, layer) for k, layer in enumerate(case.layers)}
        known = {f"{a}|{b}" for a, b in zip(names, names[1:], strict=False)}
        resolved: list[str] = []
        contacts = {}
        for i, iface in enumerate(cfg.interfaces):
            key = f"plugins.space_charge.interfaces[{i}].name"
            if iface.name not in known:
                raise CaseError(key, f"{iface.name!r} is not an interface of the stack "
                                f"({', '.join(sorted(known))})")
            if iface.name in contacts:
                raise CaseError(key, f"{iface.name!r} is listed twice")
            sides = [n for n in iface.name.split("|")
                     if library.get(by_name[n][1].material).kind == "ion_conductor"]
            for n in sides:
                k, layer = by_name[n]
                if layer.mode != "meshed":
                    raise CaseError(f"layers[{k}].mode", f"{n!r} is resolved by the space_charge "
                                    "plugin and must be meshed")
                if n not in resolved:
                    resolved.append(n)
            contacts[iface.name] = Contact(iface.stern_capacitance, iface.potential_step)
        for n in cfg.layers:
            if n not in resolved:
                raise CaseError(f"plugins.space_charge.layers.{n}",
                                f"{n!r} is not a resolved layer ({', '.join(resolved)})")
        T = case.temperature
        transport = NernstPlanckPoissonTransport(
            T, contacts=contacts, degree=cfg.degree,
            relative_permittivity={n: c.relative_permittivity for n, c in cfg.layers.items()
                                   if c.relative_permittivity is not None},
            mobile_concentration={n: c.mobile_concentration for n, c in cfg.layers.items()
                                  if c.mobile_concentration is not None},
            site_density={n: c.site_density for n, c in cfg.layers.items()
                          if c.site_density is not None})
        for n in resolved:
            k, layer = by_name[n]
            lam = _debye_length_um(transport, library.get(layer.material), n, T)
            need = 0.5 * lam
            if layer.face_cell is None or layer.face_cell > need * (1 + 1e-9):
                raise CaseError(f"layers[{k}].face_cell",
                                f"the resolved layer {n!r} needs face_cell <= {need:.4g} um "
                                f"(half its Debye length {lam:.4g} um)")
        return {n: transport for n in resolved}

    def outputs(self, results) -> None:
        from ssefem_space_charge.profiles import write_outputs

        write_outputs(results, self.config)


def _debye_length_um(t: NernstPlanckPoissonTransport, mat, layer: str, T: float) -> float:
    sp = Species.from_material(mat, T, t.site_density.get(layer),
                               t.mobile_concentration.get(layer))
    eps = t.relative_permittivity.get(layer, mat.at("relative_permittivity", T))
    return sp.debye_length(eps, T) * 1e6
