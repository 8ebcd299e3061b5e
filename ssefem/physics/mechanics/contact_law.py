"""The cell-scale contact law of a rough metal | ion-conductor interface, derived from the
resolved contact problem (``[mechanics.contact] model = "law"``).

The resolved problem is one period of the roughness: a cell half a wavelength wide (the lateral
rollers are its symmetry planes), one wavelength of ion conductor and of metal, a bonded counter
electrode of the same metal, the rough interface in Nitsche contact (:mod:`ssefem.physics.
cell_contact`), polarised at a current small enough for linear kinetics (1e-3 i0) over a grid
of stack pressures. From it, at each pressure p:

- the contact fraction f(p);
- the interface resistance R(p) = R_ct + ASR(p) - ASR_bonded, with ASR_bonded that of the same
  cell with a bonded interface (bulk and counter electrode cancel) and R_ct = RT / (F i0
  (alpha_a + alpha_c)) the kinetic resistance of a bonded interface: kinetics on the touching
  area and the constriction of the current toward it;
- the effective contact factor f_eff(p) = R_ct / R(p), which multiplies the interface's
  Butler-Volmer current at the cell scale, so that the cell's small-signal interface resistance
  is the resolved one (f_eff < f: the constriction adds to the kinetics).

At the cell scale the pressure is the local compressive normal stress of the metal at the
interface, so the law follows the cell's own mechanics (stack pressure, cathode breathing).
The law is interpolated in (ln p, ln f), constant beyond the grid (f_eff of the smallest
pressure below it, 1 above full contact). The resolved f(p) is a staircase at the resolution of
its mesh (80 cells over half a wavelength): between grid points the smooth interpolant differs
from a resolved cell with the same mesh by up to ~2 % in resistance (measured at 2 and 10 MPa).
The table depends only on the materials, the temperature, the kinetics and the roughness: it is
a :class:`~ssefem.tabulation.Tabulation` that the runner computes before it builds the model,
cached (``contact_law/``), keyed by the sub-problem and a digest of ssefem's source and
material data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import ufl
from mpi4py import MPI

from ssefem.constants import F, R
from ssefem.materials import Library
from ssefem.tables import piecewise_linear_clamped
from ssefem.tabulation import RunCase, Tabulation, table

_VERSION = 1
#: pressures of the table, as multiples of Westergaard's full-contact pressure of two
#: half-spaces (the layers of one wavelength are stiffer: full contact comes later)
_GRID = (0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 1.0, 1.3, 1.7, 2.5,
         4.0, 6.0)


@dataclass(frozen=True)
class ContactLaw:
    pressure: np.ndarray  # Pa
    fraction: np.ndarray  # geometric contact fraction
    factor: np.ndarray  # f_eff = R_ct / R
    resistance: np.ndarray  # interface resistance R(p), Ohm m^2

    def rows(self) -> list[dict]:
        return [{"pressure_Pa": float(p), "contact_fraction": float(f),
                 "effective_factor": float(g), "interface_resistance_Ohm_m2": float(r)}
                for p, f, g, r in zip(self.pressure, self.fraction, self.factor,
                                      self.resistance, strict=True)]

    def interpolate(self, which: str, p_mpa):
        """UFL interpolant of ``fraction`` or ``factor`` at a pressure in MPa (a UFL scalar):
        piecewise linear in (ln p, ln f), exact for the power laws f ~ p^k of sparse contact
        (Westergaard: f ~ (2/pi) (p/p*)^(1/2))."""
        x = np.log(self.pressure / 1e6)
        lnp = ufl.ln(ufl.max_value(p_mpa, float(self.pressure[0] / 1e6)))
        return ufl.exp(piecewise_linear_clamped(lnp, x, np.log(getattr(self, which))))


def full_contact_pressure(metal: str, other: str, library: Library, T: float,
                          rms_height: float, wavelength: float) -> float:
    """Westergaard's p* = pi E* sqrt(2) h / L of two elastic half-spaces, Pa."""
    inv = sum((1 - library.get(m).at("poisson_ratio", T) ** 2)
              / library.get(m).at("youngs_modulus", T) for m in (metal, other))
    return math.pi * math.sqrt(2.0) * rms_height / (wavelength * inv)


def unit_cell(metal: str, other: str, T: float, contact: dict, i0: float, alpha_a: float,
              alpha_c: float, pressures: list[float] | None) -> dict:
    """The resolved sub-problem as a case (dict): contact when ``pressures`` is given, else
    bonded (at the first grid pressure)."""
    lam = contact["wavelength"]
    kin = {"exchange_current_density": i0, "alpha_a": alpha_a, "alpha_c": alpha_c}
    mech: dict = {"stack_pressure": 1.0}
    step = {"kind": "steady", "currents": [1e-3 * i0], "stack_pressures": [1.0]}
    if pressures is not None:
        mech["contact"] = {"interface": "conductor|metal", **contact}
        step["stack_pressures"] = [p / 1e6 for p in pressures]
    return {
        "name": "contact_law", "temperature": T,
        "geometry": {"dimension": 2, "width": lam / 2, "lateral_cells": 80},
        "layers": [{"name": "counter", "material": metal, "thickness": lam / 4, "cells": 2},
                   {"name": "conductor", "material": other, "thickness": lam, "cells": 30,
                    "grading": 10.0},
                   {"name": "metal", "material": metal, "thickness": lam, "cells": 30,
                    "grading": 10.0}],
        "interfaces": [{"name": "counter|conductor", **kin}, {"name": "conductor|metal", **kin}],
        "mechanics": mech,
        "protocol": {"steps": [step]},
        "solver": {"rtol": 1e-12, "atol": 1e-14, "stol": 1e-14},
        "output": {"progress": False, "plots": False},
    }


def contact_law_tabulation(metal: str, other: str, library: Library, T: float, contact: dict,
                           i0: float, alpha_a: float, alpha_c: float) -> Tabulation:
    """What the law of a rough interface is computed from: the rough and the bonded unit cell
    (run by the runner before the model is built, :mod:`ssefem.tabulation`)."""
    p_star = full_contact_pressure(metal, other, library, T, contact["rms_height"] * 1e-6,
                                   contact["wavelength"] * 1e-6)
    pressures = [float(g * p_star) for g in _GRID]
    rough = unit_cell(metal, other, T, contact, i0, alpha_a, alpha_c, pressures)
    bonded = unit_cell(metal, other, T, contact, i0, alpha_a, alpha_c, None)
    r_ct = R * T / (F * i0 * (alpha_a + alpha_c))
    return Tabulation("contact_law", {"case": rough, "version": _VERSION},
                      lambda run_case: _solve(rough, bonded, r_ct, run_case))


def contact_law(metal: str, other: str, library: Library, T: float, contact: dict, i0: float,
                alpha_a: float, alpha_c: float, comm: MPI.Comm | None = None) -> ContactLaw:
    """The law of a rough interface, as the runner tabulated it (``comm`` is not used: every
    rank holds the table)."""
    data = table(contact_law_tabulation(metal, other, library, T, contact, i0, alpha_a,
                                        alpha_c))
    return ContactLaw(*(np.array(data[k]) for k in ("pressure", "fraction", "factor",
                                                    "resistance")))


def _solve(rough: dict, bonded: dict, r_ct: float, asr: RunCase) -> dict:
    r_bonded = asr(bonded)[0]["area_specific_resistance"]
    rows = asr(rough)
    resistance = [r_ct + r["area_specific_resistance"] - r_bonded for r in rows]
    return {"pressure": [r["stack_pressure_set"] for r in rows],
            "fraction": [r["contact_fraction:conductor|metal"] for r in rows],
            "factor": [min(r_ct / x, 1.0) for x in resistance],
            "resistance": resistance}
