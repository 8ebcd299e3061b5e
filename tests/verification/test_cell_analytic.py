"""Electroneutral cell against closed-form results (series resistance, Tafel, Arrhenius,
charge conservation, capacity)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from codata import F, K_B_EV, R
from ssefem.materials import Library
from ssefem.runner import run

LIB = Library.builtin()


def _at(material: str, prop: str, T: float) -> float:
    """A library property at T through the Arrhenius law written here with CODATA's k_B:
    X(T) = X_ref exp(-(Ea/k_B)(1/T - 1/T_ref)) (only the data comes from the library)."""
    p = LIB.get(material).properties[prop]
    if p.Ea is None:
        return p.value
    return p.value * math.exp(-(p.Ea / K_B_EV) * (1.0 / T - 1.0 / p.T_ref))


def _steady(case):
    res = run(case, write=False, progress=False)
    return res.series.rows


def test_series_resistance_small_current(case_factory):
    """V_ocv - V = I (sum L/sigma + RT/(F i0c) + RT/(F i0a)) at small current, 1e-6 relative."""
    T, i0c, i0a, I = 310.0, 10.0, 20.0, 1e-2
    theta_ref = LIB.get("LiCoO2").theta_ref
    case = case_factory(
        temperature=T,
        initial={"stoichiometry": theta_ref},
        interfaces=[{"name": "cathode|electrolyte", "exchange_current_density": i0c},
                    {"name": "electrolyte|anode", "exchange_current_density": i0a}],
        protocol={"steps": [{"kind": "steady", "currents": [0.0, I, -I]}]},
    )
    rows = _steady(case)
    r_layers = sum(layer.thickness * 1e-6 / _at(
        layer.material, "conductivity" if LIB.get(layer.material).kind == "ion_conductor"
        else "electronic_conductivity", T) for layer in case.layers)
    r_total = r_layers + R * T / (F * i0c) + R * T / (F * i0a)
    for row in rows[1:]:
        drop = rows[0]["voltage"] - row["voltage"]
        assert drop / row["current"] == pytest.approx(r_total, rel=1e-6)
    # the linear law is not trivially met: at 1000x the current kinetics are visibly nonlinear
    rows = _steady(case_factory(
        temperature=T, initial={"stoichiometry": theta_ref},
        interfaces=[{"name": "cathode|electrolyte", "exchange_current_density": i0c},
                    {"name": "electrolyte|anode", "exchange_current_density": i0a}],
        protocol={"steps": [{"kind": "steady", "currents": [0.0, 1000 * I]}]}))
    assert (rows[0]["voltage"] - rows[1]["voltage"]) / (1000 * I) < r_total * (1 - 1e-4)


@pytest.mark.parametrize("alpha_c", [0.5, 0.35])
def test_tafel_slope(case_factory, alpha_c):
    """Cathodic Tafel slope d(eta)/d(log10 i) = 2.303 RT/(alpha_c F) within 1 %."""
    T, i0 = 298.15, 0.01
    case = case_factory(
        temperature=T,
        interfaces=[{"name": "cathode|electrolyte", "exchange_current_density": i0,
                     "alpha_c": alpha_c, "alpha_a": 1 - alpha_c},
                    {"name": "electrolyte|anode", "exchange_current_density": 1e4}],
        protocol={"steps": [{"kind": "steady", "currents": [0.0, 100 * i0, 1000 * i0]}]},
    )
    rows = _steady(case)
    eta = [r["overpotential:cathode|electrolyte"] for r in rows[1:]]
    slope = (eta[0] - eta[1]) / (math.log10(1000) - math.log10(100))
    expected = math.log(10) * R * T / (alpha_c * F)
    assert slope == pytest.approx(expected, rel=1e-2)
    assert slope == pytest.approx(expected, rel=1e-3)  # the measured deviation is far smaller


def test_arrhenius_activation_energy(case_factory):
    """Ea of the electrolyte from simulated cell resistance at 5 temperatures (two thicknesses
    remove the interface and electrode contributions) within 1e-6 of the library's, the fitted
    slope converted with CODATA's k_B; and at each temperature away from T_ref the resistance
    itself is dL / sigma(T) of the Arrhenius law written here (1e-6)."""
    temps = [273.15, 298.15, 323.15, 348.15, 373.15]
    I = 1e-3
    dL = 2.0  # um
    resistances = []
    for T in temps:
        rs = []
        for L in (1.0, 1.0 + dL):
            layers = [dict(layer) for layer in case_factory().model_dump()["layers"]]
            layers[1]["thickness"] = L
            rows = _steady(case_factory(temperature=T, layers=layers, protocol={
                "steps": [{"kind": "steady", "currents": [0.0, I]}]}))
            rs.append((rows[0]["voltage"] - rows[1]["voltage"]) / I)
        resistances.append(rs[1] - rs[0])
    lipon = LIB.get("LiPON").properties["conductivity"]
    assert lipon.T_ref == 298.15 and lipon.Ea > 0.3
    for T, r_e in zip(temps, resistances):
        sigma = lipon.value * math.exp(-(lipon.Ea / K_B_EV) * (1.0 / T - 1.0 / lipon.T_ref))
        assert r_e == pytest.approx(dL * 1e-6 / sigma, rel=1e-6), T
    inv_t = 1.0 / np.array(temps)
    # R_e = dL / sigma(T), sigma = sigma_ref exp(-Ea/kB (1/T - 1/Tref)) -> ln R_e = Ea/kB / T + c
    slope = np.polyfit(inv_t, np.log(resistances), 1)[0]
    ea = slope * K_B_EV
    assert ea == pytest.approx(lipon.Ea, rel=1e-6)


def test_charge_conservation(case_factory):
    """Charge passed equals the charge of the Li inserted into the cathode (1e-8 relative),
    through a galvanostatic discharge, a rest and a constant-voltage hold."""
    case = case_factory(
        initial={"stoichiometry": 0.6},
        protocol={"steps": [
            {"kind": "discharge", "current": 2.0, "duration": 900.0},
            {"kind": "rest", "duration": 300.0},
            {"kind": "hold", "voltage": 3.95, "duration": 600.0},
        ]},
        solver={"rtol": 1e-12, "atol": 1e-15, "stol": 1e-15, "dt_initial": 5.0, "dt_max": 60.0},
    )
    res = run(case, write=False, progress=False)
    mat = LIB.get("LiCoO2")
    L = case.layers[0].thickness * 1e-6
    c_max = mat.at("c_max", case.temperature)
    assert {r["step"] for r in res.series.rows} == {0, 1, 2}
    passed = max(abs(r["charge"]) for r in res.series.rows)  # the largest charge passed
    for row in res.series.rows:
        inserted = F * c_max * L * (row["stoichiometry:cathode"] - 0.6)
        assert abs(inserted - row["charge"]) <= 1e-8 * passed
    hold = [r for r in res.series.rows if r["step"] == 2]
    assert abs(hold[-1]["voltage"] - 3.95) < 1e-9
    assert res.series.rows[-1]["charge"] < max(r["charge"] for r in res.series.rows)


def test_c20_discharge_delivers_theoretical_capacity(case_factory):
    """A C/20 discharge of the thin-film LiCoO2 cathode from theta_min to 3.0 V delivers its
    theoretical capacity F c_max (theta_max - theta_min) L within 2 %."""
    case = case_factory(
        protocol={"steps": [{"kind": "discharge", "c_rate": 0.05, "until_voltage": 3.0}]},
        solver={"dt_initial": 10.0, "dt_max": 1800.0},
    )
    res = run(case, write=False, progress=False)
    mat = LIB.get("LiCoO2")
    T = case.temperature
    theoretical = F * mat.at("c_max", T) * (mat.at("theta_max", T) - mat.at("theta_min", T)) \
        * case.layers[0].thickness * 1e-6
    delivered = res.series.rows[-1]["charge"]
    assert res.summary["steps"][0]["ended_by"] == "cut-off"
    assert abs(res.series.rows[-1]["voltage"] - 3.0) < 1e-3
    assert delivered / theoretical == pytest.approx(1.0, abs=0.02)


def test_symmetric_lithium_cell_series_resistance(case_factory):
    """Li | LLZO | Li (a metal as the positive electrode too): V = -I (L/sigma +
    2 RT/(F i0) + metal resistances) at small current, 1e-6 relative, for both signs and in a
    transient (no storage: each step is the steady state)."""
    T, I = 298.15, 0.1
    layers = [{"name": "stripped", "material": "Li", "thickness": 5.0, "cells": 3},
              {"name": "electrolyte", "material": "LLZO-Ta", "thickness": 20.0, "cells": 10},
              {"name": "plated", "material": "Li", "thickness": 5.0, "cells": 3}]
    case = case_factory(temperature=T, layers=layers, protocol={"steps": [
        {"kind": "steady", "currents": [0.0, I, -I]},
        {"kind": "discharge", "current": I, "duration": 10.0}]},
        solver={"dt_initial": 5.0})
    rows = run(case, write=False, progress=False).series.rows
    r = (20e-6 / _at("LLZO-Ta", "conductivity", T)
         + 2 * 5e-6 / _at("Li", "electronic_conductivity", T)
         + 2 * R * T / (F * _at("Li", "exchange_current_density", T)))
    assert rows[0]["voltage"] == pytest.approx(0.0, abs=1e-12)
    for row in rows[1:]:
        assert row["voltage"] == pytest.approx(-row["current"] * r, rel=1e-6)
    assert len(rows) == 5 and rows[-1]["current"] == I
