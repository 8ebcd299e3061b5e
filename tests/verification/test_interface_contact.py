"""Li | ion conductor interfaces in contact instead of bonded ([mechanics.contact]): the flat
contact is the bonded stack, wavy contact between two elastic bodies follows Westergaard's law
with the composite modulus, current crosses only at the contacts, and the interface resistance
falls with stack pressure to the bonded value as the contact closes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from codata import F, R
from ssefem.materials import Library
from ssefem.runner import run

LIB = Library.builtin()
T = 298.15
SE = "LLZO-Ta"
I_APPLIED = 1.0  # A/m^2


def _case(case_factory, contact, pressures=None, currents=(I_APPLIED,), width=5.0,
          lateral_cells=40, thicknesses=(2.0, 10.0, 5.0), cells=(4, 20, 10), grading=1.0,
          pressure=5.0, solver=None, **extra):
    names = ("pos", "electrolyte", "anode")
    mats = ("Li", SE, "Li")
    step = {"kind": "steady", "currents": list(currents)}
    if pressures is not None:
        step["stack_pressures"] = list(pressures)
    mech = {"stack_pressure": pressure, **extra}
    if contact is not None:
        mech["contact"] = {"interface": "electrolyte|anode", **contact}
    return case_factory(
        temperature=T,
        geometry={"dimension": 2, "width": width, "lateral_cells": lateral_cells},
        layers=[{"name": n, "material": m, "thickness": t, "cells": c,
                 "grading": grading if n != "pos" else 1.0}
                for n, m, t, c in zip(names, mats, thicknesses, cells, strict=True)],
        mechanics=mech, protocol={"steps": [step]}, **({"solver": solver} if solver else {}))


def _bonded_asr(case, i: float = I_APPLIED) -> float:
    """(V(0) - V(i)) / i of the bonded cell: sum L/sigma plus the symmetric Butler-Volmer
    overpotential (2RT/F) asinh(i / 2 i0) of both Li interfaces, Ohm m^2."""
    r = 0.0
    for layer in case.layers:
        mat = LIB.get(layer.material)
        key = "conductivity" if mat.kind == "ion_conductor" else "electronic_conductivity"
        r += layer.thickness * 1e-6 / mat.at(key, T)
    i0 = LIB.get("Li").at("exchange_current_density", T)
    return r + 2 * (2 * R * T / F) * math.asinh(i / (2 * i0)) / i


def test_flat_contact_is_the_bonded_stack(case_factory):
    """A flat contact under pressure closes everywhere: strains, pressure, current and
    resistance equal those of the bonded, laterally constrained stack."""
    p = 20.0
    case = _case(case_factory, {}, pressures=[p], lateral_cells=4)
    res = run(case, write=False, progress=False)
    row = res.series.rows[-1]
    iface = "electrolyte|anode"
    assert row[f"contact_fraction:{iface}"] == pytest.approx(1.0, abs=1e-12)
    assert row[f"contact_pressure:{iface}"] == pytest.approx(p * 1e6, rel=1e-8)
    assert row[f"current_peak_to_mean:{iface}"] == pytest.approx(1.0, rel=1e-8)
    for layer in case.layers:
        E, nu = (LIB.get(layer.material).at(k, T) for k in ("youngs_modulus", "poisson_ratio"))
        expected = -p * 1e6 * (1 + nu) * (1 - 2 * nu) / (E * (1 - nu))
        assert row[f"axial_strain:{layer.name}"] == pytest.approx(expected, rel=1e-8)
    assert row["area_specific_resistance"] == pytest.approx(_bonded_asr(case), rel=1e-6)
    bonded = run(_case(case_factory, None, pressures=[p], lateral_cells=4), write=False,
                 progress=False).series.rows[-1]
    assert row["voltage"] == pytest.approx(bonded["voltage"], rel=1e-9)
    assert row["thickness_change"] == pytest.approx(bonded["thickness_change"], rel=1e-8)


def test_resistance_falls_with_stack_pressure(case_factory):
    """Rough Li on LLZO from 1 to 400 MPa: the contact fraction grows to 1, the interface
    resistance falls monotonically to the bonded value, the current concentrates less."""
    pressures = [1.0, 5.0, 20.0, 80.0, 400.0]
    case = _case(case_factory, {"rms_height": 0.02, "wavelength": 10.0}, pressures=pressures)
    res = run(case, write=False, progress=False)
    rows = res.series.rows
    iface = "electrolyte|anode"
    f = [r[f"contact_fraction:{iface}"] for r in rows]
    asr = [r["area_specific_resistance"] for r in rows]
    peak = [r[f"current_peak_to_mean:{iface}"] for r in rows]
    assert all(b > a for a, b in zip(f, f[1:]))
    assert all(b < a for a, b in zip(asr, asr[1:]))
    assert all(b < a for a, b in zip(peak, peak[1:]))
    assert f[0] < 0.15 and f[-1] == pytest.approx(1.0, abs=1e-12)
    bonded = _bonded_asr(case)
    assert asr[0] > 3 * bonded  # the constriction is large at 1 MPa
    assert asr[-1] == pytest.approx(bonded, rel=1e-6)
    assert peak[-1] == pytest.approx(1.0, rel=1e-8)
    for r, p in zip(rows, pressures, strict=True):  # the load and the current both balance
        assert r[f"contact_pressure:{iface}"] == pytest.approx(p * 1e6, rel=1e-8)
        assert r[f"current_density:{iface}"] == pytest.approx(I_APPLIED, rel=1e-8)


def _westergaard(p_over_pstar: float) -> float:
    return 2 / math.pi * math.asin(math.sqrt(p_over_pstar)) if p_over_pstar < 1 else 1.0


def test_two_body_wavy_contact_follows_westergaard(case_factory):
    """Sinusoidal Li surface (amplitude D, wavelength L) on LLZO, both thick: the contact
    fraction follows f = (2/pi) asin(sqrt(p/p*)), p* = pi E* D / L, with the composite modulus
    1/E* = sum (1 - nu^2)/E of both bodies (Johnson, Contact Mechanics, sec. 13.2)."""
    h, lam = 0.05, 10.0
    D = math.sqrt(2) * h
    inv = sum((1 - LIB.get(m).at("poisson_ratio", T) ** 2) / LIB.get(m).at("youngs_modulus", T)
              for m in ("Li", SE))
    p_star = math.pi * D * 1e-6 / (inv * lam * 1e-6)
    ratios = [0.05, 0.3, 0.7]
    case = _case(case_factory, {"rms_height": h, "wavelength": lam},
                 pressures=[r * p_star / 1e6 for r in ratios], lateral_cells=160,
                 thicknesses=(2.0, 30.0, 30.0), cells=(4, 40, 40), grading=20.0)
    rows = run(case, write=False, progress=False).series.rows
    for r, ratio in zip(rows, ratios, strict=True):
        f = r["contact_fraction:electrolyte|anode"]
        assert f == pytest.approx(_westergaard(ratio), abs=0.01), ratio
    # a rigid ceramic (E* from Li alone) would give a clearly different law
    inv_li = (1 - LIB.get("Li").at("poisson_ratio", T) ** 2) / LIB.get("Li").at(
        "youngs_modulus", T)
    assert abs(_westergaard(ratios[1] * inv_li / inv) - _westergaard(ratios[1])) > 0.01


def test_current_crosses_only_at_contacts(case_factory, tmp_path):
    """A void in the Li surface carries no current; the current it would carry crowds to its
    rim; the interface profile is written."""
    # Newton's relative test counts from the first residual, which the initial penetration of
    # the contact dominates: a tighter rtol lets the current balance to 1e-8 as well
    case = _case(case_factory, {"voids": [{"center": [0.0], "radius": 2.0, "depth": 0.2}]},
                 pressure=5.0, currents=[1.0], solver={"rtol": 1e-15, "atol": 1e-14,
                                                       "stol": 1e-14})
    res = run(case, outdir=tmp_path / "out", progress=False)
    row = res.series.rows[-1]
    iface = "electrolyte|anode"
    assert row[f"contact_fraction:{iface}"] == pytest.approx(0.6, abs=0.02)  # 2 of 5 um open
    assert row[f"current_density:{iface}"] == pytest.approx(1.0, rel=1e-8)
    assert row[f"current_peak_to_mean:{iface}"] > 1 / 0.6
    lines = (tmp_path / "out" / "profiles" / "interface.csv").read_text().splitlines()
    head = lines[0].split(",")
    data = np.array([[float(v) for v in line.split(",")] for line in lines[1:]])
    y = data[:, head.index("y [m]")]
    i = data[:, head.index("current_density [A/m^2]")]
    gap = data[:, head.index("gap [m]")]
    assert np.all(np.diff(y) > 0)
    inside = y < 1.8e-6
    assert np.all(i[inside] == 0.0) and np.all(gap[inside] > 1e-9)
    assert np.all(i[y > 2.2e-6] > 0.5)


def _void_cell(case_factory, center, lateral):
    return _case(case_factory, {"voids": [{"center": [center], "radius": 1.5, "depth": 0.2}]},
                 pressure=5.0, currents=[1.0], lateral=lateral,
                 solver={"rtol": 1e-15, "atol": 1e-14, "stol": 1e-14})


def test_periodic_cell_is_invariant_under_lateral_translation(case_factory):
    """In a periodic cell a void is the same wherever it sits: moved by 1.5 um (12 elements,
    so that the mesh maps onto itself) across the lateral face y = 0, where it then has its
    image, it gives the same contact, current and stresses. Rollers mirror the moved void at
    y = 0 into a wider one: they do not."""
    keys = ("contact_fraction:electrolyte|anode", "current_peak_to_mean:electrolyte|anode",
            "voltage", "contact_pressure:electrolyte|anode", "thickness_change")
    rows = {}
    for lateral in ("periodic", "roller"):
        for center in (2.5, 1.0):
            res = run(_void_cell(case_factory, center, lateral), write=False, progress=False)
            rows[lateral, center] = res.series.rows[-1]
    a, b = rows["periodic", 2.5], rows["periodic", 1.0]
    assert a["contact_fraction:electrolyte|anode"] == pytest.approx(0.4, abs=0.02)
    for k in keys:
        assert b[k] == pytest.approx(a[k], rel=1e-8, abs=1e-12), k
    # rollers: the centred void is a plane of symmetry, the same as the periodic one
    assert rows["roller", 2.5]["voltage"] == pytest.approx(a["voltage"], rel=1e-8)
    # the moved void and its mirror image open 2.5 of 5 um instead of 3
    assert rows["roller", 1.0]["contact_fraction:electrolyte|anode"] == pytest.approx(
        0.5, abs=0.02)
