"""An ion conductor driven beyond its electrochemical stability window where it touches an
electrode is named in the log and in ``summary.json`` (issue 12, finding 9): a note where the
library says its interphase passivates, a warning where the interphase blocks the ion or conducts
electrons. The electrode potential against Li/Li+ that the check reads is tested against closed
forms: the anode's Butler-Volmer overpotential, and the cell voltage plus every ohmic drop.

Windows (V against Li/Li+) and interphases as the library gives them, from Zhu, He & Mo (2015):
LiPON [0.68, 2.63] passivating both ways; Li6PS5Cl [1.71, 2.01] passivating at Li, resistive
when oxidised; LGPS [1.71, 2.14], mixed-conducting at Li.
"""

from __future__ import annotations

import json
import math

import pytest

from conftest import make_case

from ssefem.expectations import Expectation, RunWarning
from ssefem.materials import Material
from ssefem.runner import run

# CODATA 2018, exact
F = 96485.33212
R = 8.314462618
K_B_EV = 8.617333262e-5

T = 320.0  # away from the conductivities' reference temperature (298.15 K)


def _names(entries) -> set[str]:
    return {w["name"] for w in entries}


def _layers(electrolyte: str) -> list[dict]:
    return [{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 16},
            {"name": "electrolyte", "material": electrolyte, "thickness": 1.5, "cells": 8},
            {"name": "anode", "material": "Li", "thickness": 3.0, "cells": 3}]


def test_electrode_potentials_match_the_closed_forms():
    i, i0 = 10.0, 2.0
    r = run(make_case(temperature=T, interfaces=[
        {"name": "electrolyte|anode", "exchange_current_density": i0,
         "alpha_a": 0.5, "alpha_c": 0.5}],
        protocol={"steps": [{"kind": "steady", "currents": [0.0, i]}]}), write=False)
    s = r.series
    e_c = s.column("electrode_potential:cathode|electrolyte")
    e_a = s.column("electrode_potential:electrolyte|anode")
    v = s.column("voltage")
    # at rest: the anode at Li/Li+ and the cathode at the cell's voltage
    assert abs(e_a[0]) < 1e-9
    assert e_c[0] == pytest.approx(v[0], abs=1e-9)
    # stripping Li at i: symmetric Butler-Volmer, eta = (2RT/F) asinh(i / (2 i0))
    assert e_a[1] == pytest.approx(2 * R * T / F * math.asinh(i / (2 * i0)), rel=1e-8)
    # E_c - E_a = V + i sum(L / sigma): LiPON 2e-4 S/m at 298.15 K with Ea = 0.55 eV,
    # LiCoO2 0.1 S/m and Li 1.08e7 S/m electronic (no Arrhenius)
    sigma_e = 2.0e-4 * math.exp(-0.55 / K_B_EV * (1 / T - 1 / 298.15))
    drops = i * (1.5e-6 / sigma_e + 2.0e-6 / 0.1 + 3.0e-6 / 1.08e7)
    assert e_c[1] - e_a[1] == pytest.approx(v[1] + drops, rel=1e-8)


def test_passivating_windows_are_notes_not_warnings():
    r = run(make_case(protocol={"steps": [{"kind": "steady", "currents": [0.0, 10.0]}]}),
            write=False)
    assert r.summary["warnings"] == []
    notes = {w["name"]: w for w in r.summary["notes"]}
    assert set(notes) == {"stability_window:cathode|electrolyte:oxidation",
                          "stability_window:electrolyte|anode:reduction"}
    ox = notes["stability_window:cathode|electrolyte:oxidation"]
    assert ox["range"] == [None, 2.63] and ox["severity"] == "note"
    assert ox["worst"] == pytest.approx(max(r.series.column(
        "electrode_potential:cathode|electrolyte")))
    assert "LiPON is oxidised" in ox["message"] and "above 2.63 V" in ox["message"]
    red = notes["stability_window:electrolyte|anode:reduction"]
    assert red["range"] == [0.68, None] and "below 0.68 V" in red["message"]
    json.dumps(r.summary, allow_nan=False)  # open ends are null, not Infinity


def test_blocking_and_mixed_conducting_interphases_are_warnings():
    r = run(make_case(layers=_layers("Li6PS5Cl")), write=False)
    assert _names(r.summary["warnings"]) == {"stability_window:cathode|electrolyte:oxidation"}
    assert _names(r.summary["notes"]) == {"stability_window:electrolyte|anode:reduction"}
    (w,) = r.summary["warnings"]
    assert "blocks Li" in w["message"] and "above 2.01 V" in w["message"]

    r = run(make_case(layers=_layers("LGPS")), write=False)
    assert _names(r.summary["warnings"]) == {"stability_window:cathode|electrolyte:oxidation",
                                             "stability_window:electrolyte|anode:reduction"}
    red = {w["name"]: w for w in r.summary["warnings"]}[
        "stability_window:electrolyte|anode:reduction"]
    assert "conducts electrons" in red["message"] and "below 1.71 V" in red["message"]


@pytest.mark.parametrize("mode", ["meshed", "thin"])
def test_a_coating_is_what_the_cathode_touches(mode):
    layers = _layers("LiPON")
    layers.insert(1, {"name": "coating", "material": "LiNbO3", "thickness": 0.02, "cells": 2,
                      "mode": mode})
    r = run(make_case(layers=layers), write=False)
    # LiNbO3 has no window in the library: nothing is expected of it, and LiPON no longer
    # touches the cathode
    assert _names(r.summary["notes"]) == {"stability_window:electrolyte|anode:reduction"}
    e_c = r.series.column("electrode_potential:cathode|coating")
    assert e_c[0] == pytest.approx(r.series.column("voltage")[0], abs=1e-9)


def _conductor(**extra) -> dict:
    props = {p: {"value": 1.0, "unit": u, "source": "test"} for p, u in (
        ("conductivity", "S/m"), ("mobile_concentration", "mol/m^3"),
        ("relative_permittivity", "1"))}
    props.update(extra.pop("properties", {}))
    return {"name": "X", "kind": "ion_conductor", "ion": "Li", "z": 1, "properties": props,
            **extra}


def test_material_windows_are_checked():
    lim = {"reduction_limit": {"value": 3.0, "unit": "V", "source": "t"},
           "oxidation_limit": {"value": 2.0, "unit": "V", "source": "t"}}
    with pytest.raises(ValueError, match="not below"):
        Material.model_validate(_conductor(properties=lim))
    with pytest.raises(ValueError, match="oxidation_interphase is given without"):
        Material.model_validate(_conductor(oxidation_interphase="resistive"))
    with pytest.raises(ValueError):
        Material.model_validate(_conductor(reduction_interphase="harmless"))


def test_one_sided_range_keeps_the_worst_value_outside():
    e = Expectation("w", "x", float("-inf"), 2.0, "m", unit="V")
    w = RunWarning(e, first_time=0.0, worst=2.5)
    w.update(2.2)
    w.update(3.1)
    w.update(1.0)  # inside
    assert w.worst == 3.1 and w.count == 4
    assert w.as_dict()["range"] == [None, 2.0]
