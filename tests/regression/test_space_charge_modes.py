"""The space_charge plugin's two modes agree where both apply, and the upscaled table is cached.

LiCoO2 | Li6PS5Cl | Li with a depleting potential step (-0.1 V) and a Stern layer at the cathode.
The double layer is thin (lambda_D / L = 7e-4) and the processes are slow against its charging
time, which is where the upscaled law (a quasi-static double layer tabulated by a 1-D
sub-problem) applies: steady polarisation and a galvanostatic transient must then give the
resolved model's voltages.
"""

from __future__ import annotations

import numpy as np
import pytest

from ssefem.runner import run

STEADY = [{"kind": "steady", "currents": [0.0, 0.1, -0.1, 0.5, 2.0]}]
TRANSIENT = [{"kind": "rest", "duration": 1.0},
             {"kind": "discharge", "current": 2.0, "duration": 300.0}]


def _case(mode: str, steps):
    from conftest import make_case

    return make_case(
        name="modes", initial={"stoichiometry": 0.6},
        layers=[{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 20},
                {"name": "electrolyte", "material": "Li6PS5Cl", "thickness": 10.0,
                 "cells": 120, "face_cell": 0.0005},
                {"name": "anode", "material": "Li", "thickness": 5.0, "cells": 5}],
        protocol={"steps": steps},
        solver={"rtol": 1e-12, "atol": 1e-14, "stol": 1e-15, "dt_initial": 1e-3,
                "dt_max": 30.0},
        plugins={"space_charge": {
            "interfaces": [{"name": "cathode|electrolyte", "mode": mode,
                            "stern_capacitance": 0.5, "potential_step": -0.1}],
            "layers": {"electrolyte": {"mobile_concentration": 1.0}}}})


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_resolved_and_upscaled_agree_in_steady_polarisation():
    res = {m: run(_case(m, STEADY), write=False, progress=False) for m in ("resolved",
                                                                             "upscaled")}
    v = {m: np.array([r["voltage"] for r in res[m].series.rows]) for m in res}
    assert np.ptp(v["resolved"]) > 0.05  # the interface matters: tens of mV across the sweep
    np.testing.assert_allclose(v["upscaled"], v["resolved"], rtol=0, atol=1e-5)
    terms = res["upscaled"].summary["terms"]
    assert "double_layer_charging:cathode|electrolyte (storage, space_charge)" in terms
    assert not any(t.startswith("poisson:") for t in terms)  # the layer stayed electroneutral


def test_resolved_and_upscaled_agree_in_a_transient():
    rows = {m: run(_case(m, TRANSIENT), write=False, progress=False).series.rows
            for m in ("resolved", "upscaled")}
    t = {m: np.array([r["time"] for r in rows[m]]) for m in rows}
    v = {m: np.array([r["voltage"] for r in rows[m]]) for m in rows}
    q = {m: np.array([r["electrode_charge:cathode|electrolyte"] for r in rows[m]])
         for m in rows}
    v_up = np.interp(t["resolved"], t["upscaled"], v["upscaled"])
    late = t["resolved"] > 10.0  # after the double layer's first charging
    np.testing.assert_allclose(v_up[late], v["resolved"][late], rtol=0, atol=1e-5)
    assert q["upscaled"][-1] == pytest.approx(q["resolved"][-1], rel=1e-2)


def test_upscaled_table_is_cached(monkeypatch, tmp_path):
    from ssefem_space_charge import upscaled

    run(_case("upscaled", STEADY[:1]), write=False, progress=False)
    files = list((tmp_path / "cache" / "ssefem" / "space_charge").glob("*.json"))
    assert len(files) == 1

    def fail(sp):
        raise AssertionError("the sub-problem ran again instead of loading the cache")

    monkeypatch.setattr(upscaled, "_solve", fail)
    res = run(_case("upscaled", STEADY[:1]), write=False, progress=False)
    assert res.summary["status"] == "completed"
