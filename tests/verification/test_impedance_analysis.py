"""A computed spectrum through the field's own readers and analyses (issue 14): the files load
in pyimpspec and impedance.py as written, the spectrum passes the Kramers-Kronig test, its DRT
finds both time constants and a circuit fit recovers R and C.

Li | LLZO-Al 20 um | Li at 320 K with a double-layer capacitance on one interface only: two
arcs, the bulk R_b || C_g (R_b = L / sigma, C_g = eps0 eps_r / L) and the interface's
R_ct || C_dl (R_ct = RT / (F i0 (alpha_a + alpha_c))), in series with the electrodes' own
resistance and the other interface's R_ct, all closed forms written here. Z in Ohm for the
cell area A: Z_Ohm = Z_Ohm_m2 / A. The spectrum runs 1.5 decades past the bulk arc's apex
(22 MHz): a DRT is biased for an arc at the edge of its data (at 1e8 Hz it put the bulk tau
40 % high).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from conftest import library_value_at, make_case

from ssefem.runner import run

pyimpspec = pytest.importorskip("pyimpspec")
preprocessing = pytest.importorskip("impedance.preprocessing")

F = 96485.33212
R = 8.314462618
EPS0 = 8.8541878128e-12
T = 320.0
L_UM, C_DL, AREA_CM2 = 20.0, 0.1, 2.0


def _at(material: str, prop: str) -> float:
    return library_value_at(material, prop, T)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    layers = [{"name": "left", "material": "Li", "thickness": 2.0, "cells": 2},
              {"name": "electrolyte", "material": "LLZO-Al", "thickness": L_UM, "cells": 10},
              {"name": "right", "material": "Li", "thickness": 2.0, "cells": 2}]
    case = make_case(
        temperature=T, layers=layers, geometry={"cell_area": AREA_CM2},
        interfaces=[{"name": "left|electrolyte", "double_layer_capacitance": C_DL}],
        protocol={"steps": [{"kind": "impedance", "f_min": 1e-2, "f_max": 1e10,
                             "points_per_decade": 8, "circuit": "R(RC)(RC)"}]})
    out = tmp_path_factory.mktemp("eis") / "run"
    run(case, out)
    return out


def _closed_form():
    """(R_series, (R_b, C_g), (R_ct, C_dl)) in Ohm and F for the cell area."""
    area = AREA_CM2 * 1e-4
    L = L_UM * 1e-6
    sigma, eps = _at("LLZO-Al", "conductivity"), EPS0 * _at("LLZO-Al", "relative_permittivity")
    r_ct = R * T / (F * _at("Li", "exchange_current_density") * (0.5 + 0.5))
    r_el = 2 * 2e-6 / _at("Li", "electronic_conductivity")
    return (r_el + r_ct) / area, (L / sigma / area, eps / L * area), (r_ct / area, C_DL * area)


def test_both_readers_load_the_files_as_written(results):
    table = np.genfromtxt(results / "impedance.csv", delimiter=",", names=True)
    z_table = table["Z_re_ohm"] + 1j * table["Z_im_ohm"]
    (data,) = pyimpspec.parse_data(results / "impedance.csv")
    np.testing.assert_array_equal(data.get_frequencies(), table["frequency_Hz"])
    np.testing.assert_array_equal(data.get_impedances(), z_table)
    f, z = preprocessing.readCSV(str(results / "impedance_step0_cycle0.csv"))
    np.testing.assert_array_equal(f, table["frequency_Hz"])
    np.testing.assert_array_equal(z, z_table)
    # and the Ohm columns are the cell's: the per-area ones over its area
    np.testing.assert_allclose(z_table, (table["Z_re_ohm_m2"] + 1j * table["Z_im_ohm_m2"])
                               / (AREA_CM2 * 1e-4), rtol=1e-14)
    # the spectrum itself is the two arcs' closed form
    r_s, (r_b, c_g), (r_ct, c_dl) = _closed_form()
    w = 2 * math.pi * f
    expected = r_s + r_b / (1 + 1j * w * r_b * c_g) + r_ct / (1 + 1j * w * r_ct * c_dl)
    assert np.max(np.abs(z - expected) / np.abs(expected)) < 1e-4


def test_kramers_kronig_drt_and_fit_in_the_summary(results):
    (entry,) = json.loads((results / "summary.json").read_text())["impedance"]
    kk = entry["kramers_kronig"]
    assert max(kk["max_residual_real"], kk["max_residual_imag"]) < 1e-4, kk
    r_s, (r_b, c_g), (r_ct, c_dl) = _closed_form()
    taus = sorted(r * c for r, c in ((r_b, c_g), (r_ct, c_dl)))
    peaks = sorted(entry["drt"]["peaks"], key=lambda p: -p["gamma_ohm"])[:2]
    found = sorted(p["tau_s"] for p in peaks)
    for t, t_found in zip(taus, found, strict=True):
        assert abs(t_found / t - 1) < 0.05, (taus, found)
    assert (results / "drt_step0_cycle0.csv").is_file()
    p = entry["fit"]["parameters"]
    assert p["R_1"]["R"]["value"] == pytest.approx(r_s, rel=1e-2)
    arcs = sorted(((p[f"R_{k}"]["R"]["value"], p[f"C_{k - 1}"]["C"]["value"]) for k in (2, 3)),
                  key=lambda rc: rc[0] * rc[1])
    for (r, c), (r_fit, c_fit) in zip(sorted(((r_b, c_g), (r_ct, c_dl)),
                                             key=lambda rc: rc[0] * rc[1]), arcs, strict=True):
        assert r_fit == pytest.approx(r, rel=1e-2)
        assert c_fit == pytest.approx(c, rel=1e-2)
