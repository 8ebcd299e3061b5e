"""The capacitive physics of an impedance spectrum against closed forms (issue 14).

At 320 K, away from the materials' reference temperature 298.15 K (so every Arrhenius law
enters with its exponent); material values from the library's data, F, R, k_B and eps0 the
CODATA values written here.

- The bulk arc: an electrolyte slab between reversible Li electrodes is
  R_b || C_g with R_b = L / sigma, C_g = eps0 eps_r / L (the displacement current), its apex
  at f = sigma / (2 pi eps0 eps_r), where Z - R_s = R_b (1 - i) / 2.
- Randles: with Butler-Volmer interfaces and double-layer capacitances (a different one per
  interface, from the case), Z = R_s + (R_b || C_g) + sum_k (R_ct,k || C_dl,k),
  R_ct = RT / (F i0 (alpha_a + alpha_c)).
- A thin coating (LiNbO3) meshed and as a thin layer give the same spectrum, and its arc is
  R = delta / sigma in parallel with C = eps0 eps_r / delta.
- A 1 mV sine through the transient solver, Fourier analysed, gives the frequency-domain Z.
- None of the storage terms changes a galvanostatic result once its storage is zero (a
  constant current through the cell after the charging transient).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import library_value_at, make_case

from ssefem.runner import run

F = 96485.33212
R = 8.314462618
EPS0 = 8.8541878128e-12
T = 320.0


def _at(material: str, prop: str) -> float:
    return library_value_at(material, prop, T)


def _spectrum(result):
    rows = result.tables["impedance"]
    f = np.array([r["frequency_Hz"] for r in rows])
    z = np.array([complex(r["Z_re_ohm_m2"], r["Z_im_ohm_m2"]) for r in rows])
    return f, z


def _parallel(r, c, omega):
    return r / (1 + 1j * omega * r * c)


def _lithium_cell(electrolyte_um: float, interfaces: list, steps: list, coating=None, **keys):
    layers = [{"name": "left", "material": "Li", "thickness": 2.0, "cells": 2}]
    if coating is not None:
        layers.append(coating)
    layers += [{"name": "electrolyte", "material": "LLZO-Al", "thickness": electrolyte_um,
                "cells": 10},
               {"name": "right", "material": "Li", "thickness": 2.0, "cells": 2}]
    return make_case(temperature=T, layers=layers, interfaces=interfaces,
                     protocol={"steps": steps}, **keys)


def _series_and_bulk(L_um: float):
    L = L_um * 1e-6
    sigma, eps = _at("LLZO-Al", "conductivity"), EPS0 * _at("LLZO-Al", "relative_permittivity")
    r_el = 2 * 2e-6 / _at("Li", "electronic_conductivity")
    return r_el, L / sigma, eps / L, sigma / (2 * math.pi * eps)


def _r_ct(i0: float) -> float:
    return R * T / (F * i0 * (0.5 + 0.5))


def test_electrolyte_between_reversible_electrodes_is_the_bulk_arc():
    L_um = 20.0
    r_el, r_b, c_g, f_apex = _series_and_bulk(L_um)
    i0 = 1e4  # A/m^2: reversible electrodes (R_ct ~ 1 % of R_b, kept exactly)
    ideal = [{"name": n, "exchange_current_density": i0}
             for n in ("left|electrolyte", "electrolyte|right")]
    f, z = _spectrum(run(_lithium_cell(L_um, ideal, [
        {"kind": "impedance", "f_min": 1e-3, "f_max": 1e8, "points_per_decade": 3},
        {"kind": "impedance", "frequencies": [f_apex]}]), write=False))
    r_s = r_el + 2 * _r_ct(i0)
    expected = r_s + _parallel(r_b, c_g, 2 * math.pi * f)
    assert len(f) == 35
    np.testing.assert_allclose(z.real, expected.real, rtol=0, atol=1e-4 * r_b)
    np.testing.assert_allclose(z.imag, expected.imag, rtol=0, atol=1e-4 * r_b)
    # the apex: -Z'' is largest at sigma / (2 pi eps), where Z - R_s = R_b (1 - i) / 2
    assert f[-1] == pytest.approx(f_apex)
    assert abs(z[-1] - r_s - r_b * (1 - 1j) / 2) <= 1e-4 * r_b
    assert f[np.argmax(-z[:-1].imag)] == pytest.approx(f_apex, rel=0.5)


def test_randles_cell_with_a_double_layer_capacitance_per_interface():
    L_um = 20.0
    c_dl = {"left|electrolyte": 0.1, "electrolyte|right": 0.01}  # F/m^2: two separate arcs
    r_el, r_b, c_g, _ = _series_and_bulk(L_um)
    f, z = _spectrum(run(_lithium_cell(
        L_um, [{"name": n, "double_layer_capacitance": c} for n, c in c_dl.items()],
        [{"kind": "impedance", "f_min": 1e-3, "f_max": 1e8, "points_per_decade": 3}]),
        write=False))
    w = 2 * math.pi * f
    r_ct = _r_ct(_at("Li", "exchange_current_density"))
    expected = r_el + _parallel(r_b, c_g, w) + sum(_parallel(r_ct, c, w) for c in c_dl.values())
    err = np.abs(z - expected) / np.abs(expected)
    assert err.max() < 1e-4, (f[err.argmax()], err.max())
    # the two double-layer arcs: -Z'' has its two local maxima near 1 / (2 pi R_ct C_dl)
    peaks = [f[k] for k in range(1, len(f) - 1) if -z[k].imag > max(-z[k - 1].imag,
                                                                   -z[k + 1].imag)]
    for c in c_dl.values():
        assert any(abs(math.log10(p * 2 * math.pi * r_ct * c)) < 0.35 for p in peaks), peaks


def test_meshed_and_thin_coating_give_one_spectrum_with_the_coating_arc():
    delta_um, L_um = 0.02, 20.0
    steps = [{"kind": "impedance", "f_min": 1e-2, "f_max": 1e8, "points_per_decade": 2}]
    c_dl = 0.01
    spectra = {}
    for mode in ("meshed", "thin"):
        coating = {"name": "coating", "material": "LiNbO3", "thickness": delta_um,
                   "cells": 2, "mode": mode}
        case = _lithium_cell(L_um, [{"name": "electrolyte|right",
                                     "double_layer_capacitance": c_dl}], steps, coating)
        spectra[mode] = _spectrum(run(case, write=False))
    f, z_meshed = spectra["meshed"]
    z_thin = spectra["thin"][1]
    np.testing.assert_allclose(np.abs(z_thin - z_meshed) / np.abs(z_meshed), 0.0, atol=1e-6)
    delta = delta_um * 1e-6
    r_c = delta / _at("LiNbO3", "conductivity")
    c_c = EPS0 * _at("LiNbO3", "relative_permittivity") / delta
    r_el, r_b, c_g, _ = _series_and_bulk(L_um)
    w = 2 * math.pi * f
    r_ct = _r_ct(_at("Li", "exchange_current_density"))
    expected = (r_el + r_ct + _parallel(r_c, c_c, w) + _parallel(r_b, c_g, w)
                + _parallel(r_ct, c_dl, w))
    for z in (z_meshed, z_thin):
        err = np.abs(z - expected) / np.abs(expected)
        assert err.max() < 1e-4, (f[err.argmax()], err.max())


def test_time_domain_sine_agrees_with_the_frequency_domain():
    """1 mV sines at the bulk arc, the double-layer arc's apex and below it, five periods of
    64 and 128 backward-Euler steps (Richardson-extrapolated), the last period analysed."""
    L_um = 20.0
    r_ct = _r_ct(_at("Li", "exchange_current_density"))
    c_dl = 0.1
    _, _, _, f_bulk = _series_and_bulk(L_um)
    freqs = [f_bulk, 1 / (2 * math.pi * r_ct * c_dl), 0.1 / (2 * math.pi * r_ct * c_dl)]
    interfaces = [{"name": n, "double_layer_capacitance": c_dl}
                  for n in ("left|electrolyte", "electrolyte|right")]
    spectra = [
        _spectrum(run(_lithium_cell(L_um, interfaces, [
            {"kind": "impedance", "frequencies": freqs, **method}]), write=False))[1]
        for method in ({}, {"method": "time_domain", "amplitude": 1e-3, "periods": 5,
                            "steps_per_period": 64})]
    linear, sine = spectra
    np.testing.assert_allclose(np.abs(sine - linear) / np.abs(linear), 0.0, atol=1e-3)


def test_storage_terms_leave_a_constant_current_alone():
    """A galvanostatic Li | LLZO | Li run with double layers and the bulk's displacement
    current: once the charging transient has decayed (time constants of 1e-8 s and 3e-5 s
    against steps of 0.1 s), the voltage is the resistors' closed form to 1e-12."""
    L_um, i = 20.0, 5.0
    interfaces = [{"name": n, "double_layer_capacitance": 0.1}
                  for n in ("left|electrolyte", "electrolyte|right")]
    case = _lithium_cell(L_um, interfaces, [{"kind": "discharge", "current": i,
                                             "duration": 1.0}],
                         solver={"dt_initial": 0.1, "dt_max": 0.1})
    result = run(case, write=False)
    r_el, r_b, _, _ = _series_and_bulk(L_um)
    i0 = _at("Li", "exchange_current_density")
    eta = 2 * R * T / F * math.asinh(i / (2 * i0))  # both interfaces, alpha = 1/2
    expected = -(i * (r_el + r_b) + 2 * eta)
    v = np.array([r["voltage"] for r in result.series.rows if r["step"] == 0])
    assert len(v) >= 10
    np.testing.assert_allclose(v[-5:], expected, rtol=1e-12, atol=0)
