"""A divalent (Mg2+) cell, Mo6S8 | MgSc2Se4 | Mg, against closed forms written with z = 2.

- Charge balance: every 2F of charge passed inserts one mole of Mg into the Chevrel cathode,
  2 F c_max L (theta - theta0) = q to 1e-8 of the charge passed, through a discharge, a rest
  and a charge (z enters the flux-to-rate scaling of the insertion; with z dropped the
  stoichiometry moves twice as fast).
- C-rate: 1C is the cathode's window capacity 2 F c_max (theta_max - theta_min) L per hour.
- Series resistance at small current, at 60 C: V_ocv - V = I (sum L/sigma(T)
  + RT/(2 F i0_c) + RT/(2 F i0_a)), the linearised Butler-Volmer law
  i = i0 [exp(alpha_a z F eta/RT) - exp(-alpha_c z F eta/RT)] ~ i0 z F eta / RT with
  alpha_a + alpha_c = 1, and sigma(T) = sigma_ref exp(-(Ea/k_B)(1/T - 1/T_ref)).
Constants are CODATA values (tests/codata.py); material numbers are read from the library data.
"""

from __future__ import annotations

import math

import pytest

from codata import F, K_B_EV, R
from ssefem.materials import Library
from ssefem.runner import run

LIB = Library.builtin()
Z = 2  # Mg2+
T = 333.15  # K, the shipped mg_mo6s8 case's temperature (away from the data's T_ref = 298.15)
THETA_REF = 0.5  # Mo6S8's reference stoichiometry (ssefem/materials/data/Mo6S8.toml)


def _layers(cells_e: int = 8):
    return [{"name": "cathode", "material": "Mo6S8", "thickness": 2.0, "cells": 12},
            {"name": "electrolyte", "material": "MgSc2Se4", "thickness": 20.0, "cells": cells_e},
            {"name": "anode", "material": "Mg", "thickness": 5.0, "cells": 3}]


def _value(material: str, prop: str) -> float:
    """A library property at T through the Arrhenius law written here (CODATA k_B)."""
    p = LIB.get(material).properties[prop]
    if p.Ea is None:
        return p.value
    return p.value * math.exp(-(p.Ea / K_B_EV) * (1 / T - 1 / p.T_ref))


def test_materials_are_divalent():
    assert {LIB.get(m).z for m in ("Mo6S8", "MgSc2Se4", "Mg")} == {Z}
    assert LIB.get("Mo6S8").theta_ref == THETA_REF


def test_charge_balance_two_faradays_per_mg(case_factory):
    theta0 = 0.3
    case = case_factory(
        temperature=T, layers=_layers(), initial={"stoichiometry": theta0},
        protocol={"steps": [
            {"kind": "discharge", "current": 0.5, "duration": 600.0},
            {"kind": "rest", "duration": 120.0},
            {"kind": "charge", "current": 0.25, "duration": 300.0},
        ]},
        solver={"rtol": 1e-12, "atol": 1e-15, "stol": 1e-15, "dt_initial": 10.0,
                "dt_max": 60.0},
    )
    rows = run(case, write=False, progress=False).series.rows
    c_max = _value("Mo6S8", "c_max")
    L = 2.0e-6
    assert {r["step"] for r in rows} == {0, 1, 2}
    passed = max(abs(r["charge"]) for r in rows)
    assert passed == pytest.approx(0.5 * 600.0, rel=1e-9)
    for row in rows:
        inserted = Z * F * c_max * L * (row["stoichiometry:cathode"] - theta0)
        assert abs(inserted - row["charge"]) <= 1e-8 * passed
    assert rows[-1]["charge"] == pytest.approx(0.5 * 600.0 - 0.25 * 300.0, rel=1e-9)


def test_c_rate_is_divalent_capacity(case_factory):
    case = case_factory(
        temperature=T, layers=_layers(), initial={"stoichiometry": 0.3},
        protocol={"steps": [{"kind": "discharge", "c_rate": 1.0, "duration": 20.0}]},
        solver={"dt_initial": 10.0})
    rows = run(case, write=False, progress=False).series.rows
    capacity = Z * F * _value("Mo6S8", "c_max") * (
        _value("Mo6S8", "theta_max") - _value("Mo6S8", "theta_min")) * 2.0e-6  # C/m^2
    assert rows[-1]["current"] == pytest.approx(capacity / 3600.0, rel=1e-9)


def test_series_resistance_small_current(case_factory):
    I = 1e-3  # A/m^2, 1e-4 of the exchange currents: linear response to 1e-7
    case = case_factory(
        temperature=T, layers=_layers(), initial={"stoichiometry": THETA_REF},
        protocol={"steps": [{"kind": "steady", "currents": [0.0, I, -I]}]})
    rows = run(case, write=False, progress=False).series.rows
    r_ohmic = (2.0e-6 / _value("Mo6S8", "electronic_conductivity")
               + 20.0e-6 / _value("MgSc2Se4", "conductivity")
               + 5.0e-6 / _value("Mg", "electronic_conductivity"))
    r_kinetic = sum(R * T / (Z * F * _value(m, "exchange_current_density"))
                    for m in ("Mo6S8", "Mg"))
    for row in rows[1:]:
        drop = rows[0]["voltage"] - row["voltage"]
        assert drop / row["current"] == pytest.approx(r_ohmic + r_kinetic, rel=1e-6)
    # both parts matter at this tolerance: the kinetic part is > 1e-3 of the total
    assert r_kinetic / (r_ohmic + r_kinetic) > 1e-3
