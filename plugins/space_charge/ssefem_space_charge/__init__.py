"""ssefem plugin ``space_charge``: space-charge layers at solid-electrolyte interfaces.

Modes, per interface ``a|b``. ``resolved``: the ion-conducting layer(s) of the interface are solved
with Nernst-Planck-Poisson (ssefem's core physics, :mod:`ssefem_space_charge.resolved`) inside the cell
run; the other ion conductors stay electroneutral. An electrode face gets a Stern layer or an
ideal contact and an equilibrium potential step; a face between two resolved layers gets the
potential step between them. The layer must be meshed with elements below its Debye length at the
faces (``layers[].face_cell``); the plugin checks this before meshing. ``upscaled`` (electrode
faces only): the layer stays electroneutral and the face gets the double layer's Frumkin kinetics
and charge from a cached 1-D sub-problem (:mod:`ssefem_space_charge.upscaled`); it applies when
the double layer is thin against the layer and the process slower than its charging.

Outputs (``results/<case>/space_charge/``): the profile across each resolved interface at the end
of the run (CSV and PNG: electrostatic potential, phi_e, concentration, charge density against
the distance from the interface), and ``summary.json`` with each layer's Debye length and each
interface's electrode charge, space charge and space-charge potential.
"""

from __future__ import annotations

from ssefem.errors import CaseError
from ssefem_space_charge.resolved import Contact, NernstPlanckPoissonTransport
from ssefem_space_charge.species import Species
from ssefem.plugins import Plugin

from ssefem_space_charge.config import Config
from ssefem_space_charge.upscaled import SubProblem, UpscaledSpaceCharge


class SpaceCharge(Plugin):
    name = "space_charge"
    version = "0.1.0"
    description = "space-charge layers at interfaces: Nernst-Planck-Poisson resolved in the cell"
    Config = Config

    def transports(self, case, library):
        cfg: Config = self.config
        T = case.temperature
        names = [layer.name for layer in case.layers]
        by_name = {layer.name: (k, layer) for k, layer in enumerate(case.layers)}
        known = {f"{a}|{b}" for a, b in zip(names, names[1:], strict=False)}

        def conducts(n: str) -> bool:
            return library.get(by_name[n][1].material).kind == "ion_conductor"

        resolved: dict[str, str] = {}  # layer -> the interface that resolves it
        upscaled: dict[str, list] = {}  # layer -> [(interface config, index)]
        seen = set()
        for i, iface in enumerate(cfg.interfaces):
            key = f"plugins.space_charge.interfaces[{i}]"
            if iface.name not in known:
                raise CaseError(f"{key}.name", f"{iface.name!r} is not an interface of the "
                                f"stack ({', '.join(sorted(known))})")
            if iface.name in seen:
                raise CaseError(f"{key}.name", f"{iface.name!r} is listed twice")
            seen.add(iface.name)
            sides = [n for n in iface.name.split("|") if conducts(n)]
            for n in sides:
                k, layer = by_name[n]
                if layer.mode != "meshed":
                    raise CaseError(f"layers[{k}].mode", f"{n!r} is on a space_charge interface "
                                    "and must be meshed")
            if iface.mode == "upscaled":
                if len(sides) != 1:
                    raise CaseError(f"{key}.mode", "'upscaled' applies to an electrode | ion "
                                    "conductor interface")
                upscaled.setdefault(sides[0], []).append((iface, i))
            else:
                for n in sides:
                    resolved.setdefault(n, iface.name)
        for n, faces in upscaled.items():
            if n in resolved:
                raise CaseError(f"plugins.space_charge.interfaces[{faces[0][1]}].mode",
                                f"{n!r} is resolved at {resolved[n]!r}: its other faces cannot "
                                "be upscaled")
        for n in cfg.layers:
            if n not in resolved and n not in upscaled:
                raise CaseError(f"plugins.space_charge.layers.{n}",
                                f"{n!r} is not on a space_charge interface")
        contacts = {c.name: Contact(c.stern_capacitance, c.potential_step)
                    for c in cfg.interfaces}
        overrides = {f: {n: getattr(c, f) for n, c in cfg.layers.items()
                         if getattr(c, f) is not None}
                     for f in ("relative_permittivity", "mobile_concentration", "site_density")}
        transport = NernstPlanckPoissonTransport(T, contacts=contacts, degree=cfg.degree,
                                                 **overrides)
        out = {}
        for n in resolved:
            k, layer = by_name[n]
            lam = _debye_length_um(transport, library.get(layer.material), n, T)
            need = 0.5 * lam
            if layer.face_cell is None or layer.face_cell > need * (1 + 1e-9):
                raise CaseError(f"layers[{k}].face_cell",
                                f"the resolved layer {n!r} needs face_cell <= {need:.4g} um "
                                f"(half its Debye length {lam:.4g} um)")
            out[n] = transport
        for n, faces in upscaled.items():
            mat = library.get(by_name[n][1].material)
            sp = Species.from_material(mat, T, overrides["site_density"].get(n),
                                       overrides["mobile_concentration"].get(n))
            eps = overrides["relative_permittivity"].get(n, mat.at("relative_permittivity", T))
            table = {c.name: (SubProblem(sp.z, sp.c_ref, sp.c_max, eps, T, c.stern_capacitance,
                                         cfg.upscaled_range, cfg.upscaled_points),
                              c.potential_step) for c, _ in faces}
            out[n] = UpscaledSpaceCharge(T, table)
        return out

    def outputs(self, results) -> None:
        from ssefem_space_charge.profiles import write_outputs

        write_outputs(results, self.config)


def _debye_length_um(t: NernstPlanckPoissonTransport, mat, layer: str, T: float) -> float:
    sp = Species.from_material(mat, T, t.site_density.get(layer),
                               t.mobile_concentration.get(layer))
    eps = t.relative_permittivity.get(layer, mat.at("relative_permittivity", T))
    return sp.debye_length(eps, T) * 1e6
