"""Electrochemical stability windows of ion conductors where they touch an electrode.

An ion conductor in contact with an electrode sees the ion's chemical potential that the
electrode sets: the electrode potential against the ion's metal, E = phi_s - phi_e (phi_e is the
ion's electrochemical potential over zF, so E = U(theta) + eta at the reaction plane). Beyond
the conductor's reduction or oxidation limit it is thermodynamically unstable there and
decomposes into an interphase (Zhu, He & Mo, ACS Appl. Mater. Interfaces 7, 23685 (2015)).
The cell model does not grow interphases; it records E as ``electrode_potential:<interface>``
and reports every limit the run passes, as a note when the material's data say the interphase
passivates (thin, ion-conducting, self-limiting) and as a warning when it blocks the ion or
conducts electrons and keeps growing.

E is the mean over the interface: in 2-D and 3-D a local extreme may pass a limit first.
"""

from __future__ import annotations

from ssefem.expectations import Expectation
from ssefem.materials import Material
from ssefem.model import Model
from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem.terms import FormContext, Observable, interface_mean

#: interphase kind -> (severity, what it means)
_INTERPHASES = {
    "passivating": ("note", "it forms a thin interphase that conducts {ion} and stops growing "
                    "(not modelled: the interphase's resistance is not in these results)"),
    "resistive": ("warning", "it forms an interphase that blocks {ion} and grows, raising the "
                  "interfacial resistance from cycle to cycle (not modelled); a coating that "
                  "is stable at this potential keeps it inside its window"),
    "mixed_conducting": ("warning", "it forms an interphase that also conducts electrons and "
                         "keeps growing, so the cell degrades continuously (not modelled); this "
                         "pairing needs a protective interlayer"),
    None: ("warning", "it decomposes into an interphase that the model does not describe (the "
           "material library gives no interphase for it)"),
}


def add_stability_window(model: Model, el: Electrode, iface: str, side: str, label: str,
                         electrolyte: str, conductor: Material) -> None:
    """Record the electrode potential against the ion's metal on the reacting interface
    ``label`` (in the mesh at ``iface``; the electrode on ``side``, ``electrolyte`` the field
    on the other side) and expect it inside ``conductor``'s window where the library has one."""
    sc = model.scales
    tag = model.regions.facet_tag[iface]
    other = "-" if side == "+" else "+"

    def potential(ctx: FormContext):
        return ctx.u[el.potential](side) - ctx.u[electrolyte](other)

    target = f"electrode_potential:{label}"
    model.add_observable(Observable(target, "V", interface_mean(potential, tag), sc.potential))
    T = sc.temperature
    ion = conductor.ion
    for end, verb in (("reduction", "reduced"), ("oxidation", "oxidised")):
        if f"{end}_limit" not in conductor.properties:
            continue
        limit = conductor.at(f"{end}_limit", T)
        severity, consequence = _INTERPHASES[getattr(conductor, f"{end}_interphase")]
        low, high = (limit, float("inf")) if end == "reduction" else (float("-inf"), limit)
        model.add_expectation(Expectation(
            f"stability_window:{label}:{end}", target, low, high,
            f"{conductor.name} is {verb} by {el.layer} beyond its stability window "
            f"({limit:.3g} V against {ion}/{ion}+): {consequence.format(ion=ion)}",
            unit="V", severity=severity))
