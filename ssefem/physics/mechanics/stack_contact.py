"""A metal electrode in contact with its ion conductor: the case's ``[mechanics.contact]``.

The metal (the softer body) and the layers on the other side become two bodies with their own
displacements, joined at the interface by frictionless Nitsche contact
(:func:`ssefem.physics.mechanics.contact.add_interface_contact`). The mesh interface is flat; the initial
gap g0 carries the metal surface's shape, measured from the ion conductor:

- sinusoidal roughness of RMS height h and wavelength L: g0 = sqrt(2) h (1 - cos(2 pi y / L))
  in 2-D, h (2 - cos(2 pi y / L) - cos(2 pi z / L)) in 3-D; with the width a whole number of
  half wavelengths the lateral rollers are planes of symmetry (a periodic array of asperities);
- voids, elliptical caps of depth d and radius R: g0 += d sqrt(1 - r^2 / R^2) for r < R.

In a periodic cell (``lateral = "periodic"``) the width must hold a whole number of wavelengths
instead, and a void also has its images one width away (a void may cross the lateral faces).

The interface kinetics of the metal pass current only where the gap is within the contact
distance (``InterfaceContact.closed``); the ion conductor resolves the constriction of the
current toward the contacts as far as the mesh resolves them. With ``model = "law"`` the
interface stays bonded and the contact law derived from that resolved problem weights its
kinetics instead (:mod:`ssefem.physics.mechanics.contact_law`).
"""

from __future__ import annotations

import dataclasses
import math

import ufl

from ssefem.case import Case, Contact
from ssefem.errors import CaseError
from ssefem.materials import Library
from ssefem.model import Model
from ssefem.physics.mechanics.contact import InterfaceContact, add_interface_contact, interface_mean
from ssefem.physics.mechanics.contact_law import contact_law
from ssefem.physics.mechanics.elasticity import Elasticity
from ssefem.state import SUMMARY
from ssefem.terms import FormContext, Observable, Profile

KEY = "mechanics.contact"


def contact_layers(case: Case, library: Library) -> tuple[str, str] | None:
    """(metal layer, other layer) of the case's contact interface, checked; None without one."""
    mech = case.mechanics
    contact = mech.contact if mech is not None else None
    if contact is None:
        return None
    meshed = [layer.name for layer in case.layers if layer.mode == "meshed"]
    pairs = [f"{a}|{b}" for a, b in zip(meshed, meshed[1:], strict=False)]
    if contact.interface not in pairs:
        raise CaseError(f"{KEY}.interface", f"no meshed interface {contact.interface!r}; the "
                        f"stack has {', '.join(pairs)}")
    a, b = contact.interface.split("|")
    metal = [n for n in (a, b) if library.get(case.layer(n).material).kind == "metal"]
    if len(metal) != 1 or metal[0] not in (meshed[0], meshed[-1]):
        raise CaseError(f"{KEY}.interface", "one side must be a metal electrode (the contact "
                        "is that of a metal on its ion conductor)")
    dim = case.geometry.dimension
    if contact.model == "law":
        if contact.rms_height <= 0 or contact.wavelength is None:
            raise CaseError(f"{KEY}.model", "'law' needs the roughness: rms_height > 0 and a "
                            "wavelength")
        if contact.voids:
            raise CaseError(f"{KEY}.voids", "voids are resolved only: use model = 'resolved'")
        return metal[0], b if metal[0] == a else a
    periodic = mech.lateral == "periodic"
    if mech.collectors != "pressure" or (dim > 1 and mech.lateral == "free"):
        raise CaseError(f"{KEY}", "contact needs collectors = 'pressure' and lateral = "
                        "'roller' or 'periodic' (the bodies are then held only by the stack "
                        "pressure)")
    if mech.stack_pressure <= 0:
        raise CaseError("mechanics.stack_pressure", "contact needs a stack pressure > 0 to "
                        "hold the two bodies together")
    if contact.rms_height > 0:
        if dim == 1:
            raise CaseError(f"{KEY}.rms_height", "roughness needs a 2-D or 3-D geometry")
        if contact.wavelength is None:
            raise CaseError(f"{KEY}.wavelength", "roughness (rms_height > 0) needs a wavelength")
        # rollers are planes of symmetry of the cosine at every half wavelength; a period
        # needs whole ones
        per = 1 if periodic else 2
        count = per * case.geometry.width / contact.wavelength
        if abs(count - round(count)) > 1e-9 * count:
            what = "wavelengths" if periodic else "half wavelengths"
            raise CaseError(f"{KEY}.wavelength", f"the width {case.geometry.width} um must hold "
                            f"a whole number of {what} (got {count:g})")
    for i, void in enumerate(contact.voids):
        if dim == 1 or len(void.center) != dim - 1:
            raise CaseError(f"{KEY}.voids[{i}].center",
                            f"needs {dim - 1} lateral coordinate(s) in {dim}-D" if dim > 1
                            else "voids need a 2-D or 3-D geometry")
        if periodic and 2 * void.radius > case.geometry.width:
            raise CaseError(f"{KEY}.voids[{i}].radius", f"a void in a periodic cell must fit "
                            f"in its width {case.geometry.width} um (got radius {void.radius})")
    return metal[0], b if metal[0] == a else a


def bodies(names: tuple[str, ...], metal: str) -> list[tuple[str, ...]]:
    """The elastic layers split at the metal: (the rest, the metal) in stack order."""
    rest = tuple(n for n in names if n != metal)
    return [rest, (metal,)] if names[-1] == metal else [(metal,), rest]


def initial_gap(contact: Contact, dim: int, unit: float, period: float | None = None):
    """``ctx -> g0`` (in units of ``unit`` metres) of the case's roughness and voids; with a
    lateral ``period`` (um) every void has its images one period away along each lateral
    axis."""
    um = 1e-6 / unit
    shifts = [()]
    for _ in range(dim - 1):
        shifts = [s + (k,) for s in shifts for k in ((-1, 0, 1) if period else (0,))]

    def gap(ctx: FormContext):
        x = ufl.SpatialCoordinate(ctx.regions.mesh)
        lateral = [x[k] for k in range(1, dim)]
        g = 0.0 * x[0]
        h = contact.rms_height * um
        if h > 0:
            k = 2 * math.pi / (contact.wavelength * um)
            if dim == 2:
                g = g + math.sqrt(2.0) * h * (1 - ufl.cos(k * lateral[0]))
            else:
                g = g + h * (2 - ufl.cos(k * lateral[0]) - ufl.cos(k * lateral[1]))
        for void in contact.voids:
            for shift in shifts:  # a void fits in a period: its images do not overlap it
                r2 = sum((c - (y0 + k * (period or 0.0)) * um) ** 2
                         for c, y0, k in zip(lateral, void.center, shift, strict=True))
                cap = 1 - r2 / (void.radius * um) ** 2
                g = g + void.depth * um * ufl.sqrt(ufl.max_value(cap, 0.0))
        return g

    return gap


def largest_gap(contact: Contact, dim: int) -> float:
    """An upper bound of g0, um."""
    rough = contact.rms_height * (2 * math.sqrt(2.0) if dim == 2 else 4.0)
    return rough + sum(v.depth for v in contact.voids)


def add_cell_contact(model: Model, case: Case, metal: str, other: str, sigma: Elasticity,
                     modulus: float) -> InterfaceContact:
    """The contact at the case's interface; ``modulus`` is the metal's E over the stress scale.

    The ion conductor's body starts shifted into the metal beyond the largest initial gap, so that
    the first Newton iterate finds every point in contact (an open start would leave that body
    free to move): the iterates then open the gaps.
    """
    contact = case.mechanics.contact
    dim = model.regions.dim
    unit = model.scales.length
    period = case.geometry.width if case.mechanics.lateral == "periodic" else None
    out = add_interface_contact(model, contact.interface, metal, other, sigma,
                                initial_gap(contact, dim, unit, period), modulus,
                                contact.contact_distance * 1e-6 / unit, contact.nitsche)
    field = model.fields[sigma.field[other]]
    toward_metal = 1.0 if case.layers[-1].name == metal else -1.0  # the stack runs along x
    shift = (toward_metal * (1.5 * largest_gap(contact, dim) + contact.contact_distance)
             * 1e-6 / unit)
    model.fields[field.name] = dataclasses.replace(field,
                                                   initial=(shift,) + (0.0,) * (dim - 1))
    return out


def add_contact_law(model: Model, case: Case, metal: str, other: str, sigma: Elasticity,
                    library: Library, kinetics: tuple[float, float, float]) -> InterfaceContact:
    """The interface stays bonded; its kinetics are weighted by the effective contact factor
    of :mod:`ssefem.physics.mechanics.contact_law` at the metal's local compressive normal stress.
    ``kinetics`` = (i0 in A/m^2, alpha_a, alpha_c) of the interface. Adds the observables
    ``contact_pressure:<interface>`` and ``contact_fraction:<interface>`` (the law's f)."""
    contact = case.mechanics.contact
    iface = contact.interface
    T = case.temperature
    law = contact_law(case.layer(metal).material, case.layer(other).material, library, T,
                      contact.model_dump(include={"rms_height", "wavelength", "nitsche",
                                                  "contact_distance"}), *kinetics,
                      comm=model.regions.comm)
    model.state.publish(SUMMARY, {"contact_law": law.rows()})  # the table it interpolates
    side = "+" if iface.split("|")[0] == metal else "-"
    n = ufl.FacetNormal(model.regions.mesh)(side)
    gdim = model.regions.mesh.geometry.dim
    tag = model.regions.facet_tag[iface]
    to_mpa = sigma.stress_scale / 1e6

    def pressure(ctx: FormContext):
        s = sigma(ctx, metal)(side)
        return -sum(n[i] * s[i, j] * n[j] for i in range(gdim) for j in range(gdim))

    def factor(ctx: FormContext):
        return law.interpolate("factor", pressure(ctx) * to_mpa)

    def fraction(ctx: FormContext):
        return law.interpolate("fraction", pressure(ctx) * to_mpa)

    model.add_observable(Observable(f"contact_pressure:{iface}", "Pa",
                                    interface_mean(pressure, tag), sigma.stress_scale))
    model.add_observable(Observable(f"contact_fraction:{iface}", "1",
                                    interface_mean(fraction, tag)))
    return InterfaceContact(iface, pressure, None, factor)


def add_contact_outputs(model: Model, contact: InterfaceContact, current,
                        stress_scale: float) -> None:
    """The contact interface's resolved outputs, given the local current density
    ``current(ctx)`` (dimensionless) that crosses it:

    - observable ``current_peak_to_mean:<interface>``: the largest current density, averaged
      over the interface facets of each cell, over the mean over the nominal area (1 where the
      current is uniform);
    - profile ``interface`` (``profiles/interface.csv``): contact pressure, gap, contact
      indicator and current density along the interface.
    """
    iface = contact.interface
    tag = model.regions.facet_tag[iface]
    sc = model.scales

    def local(q):
        return interface_mean(q, tag)

    model.add_observable(Observable(f"current_peak_to_mean:{iface}", "1",
                                    local(lambda ctx: abs(current(ctx))),
                                    reduce="peak_to_mean"))
    columns = [Observable("contact_pressure", "Pa", local(contact.pressure), stress_scale)]
    if contact.gap is not None:  # resolved
        columns.append(Observable("gap", "m", local(contact.gap), sc.length))
    columns += [Observable("closed" if contact.gap is not None else "contact_factor", "1",
                           local(contact.closed)),
                Observable("current_density", "A/m^2", local(current), sc.current)]
    model.add_profile(Profile("interface", iface, tuple(columns)))
