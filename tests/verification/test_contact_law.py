"""The cell-scale contact law ([mechanics.contact] model = "law"): a 1-D cell whose bonded
Li | LLZO interface carries the law tabulated from the resolved problem reproduces the
interface resistance of a resolved 2-D cell with the same roughness (a thicker electrolyte:
the constriction is local), falls monotonically with pressure to the bonded value, and is read
from the cache once computed. The cache is this module's own temporary directory
(``SSEFEM_CACHE_DIR``): a warm cache from an earlier run or an older code cannot answer here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ssefem.materials import Library
from ssefem import tabulation
from ssefem.physics.mechanics import contact_law as law_module
from ssefem.runner import run

LIB = Library.builtin()
ROUGH = {"interface": "electrolyte|anode", "rms_height": 0.05, "wavelength": 10.0}


@pytest.fixture(scope="module")
def _module_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("table_cache")


@pytest.fixture(autouse=True)
def _private_cache(_module_cache, monkeypatch):
    """Every test of this file reads and writes the module's temporary cache only (shared by
    its tests, so the law is solved once per run of the file, never taken from a user's)."""
    monkeypatch.setenv("SSEFEM_CACHE_DIR", str(_module_cache))


def _case(case_factory, dim, model, pressures):
    geo = ({"dimension": 1} if dim == 1
           else {"dimension": 2, "width": 5.0, "lateral_cells": 80})
    return case_factory(
        geometry=geo,
        layers=[{"name": "pos", "material": "Li", "thickness": 2.0, "cells": 4},
                {"name": "electrolyte", "material": "LLZO-Ta", "thickness": 30.0,
                 "cells": 40, "grading": 10.0},
                {"name": "anode", "material": "Li", "thickness": 10.0, "cells": 30,
                 "grading": 10.0}],
        mechanics={"stack_pressure": 1.0, "contact": {**ROUGH, "model": model}},
        protocol={"steps": [{"kind": "steady", "currents": [0.1],
                             "stack_pressures": pressures}]})


def test_contact_law_reproduces_the_resolved_interface(case_factory):
    p_star = law_module.full_contact_pressure("Li", "LLZO-Ta", LIB, 298.15, 0.05e-6, 10e-6)
    grid = [g * p_star / 1e6 for g in (0.05, 0.2, 0.5, 0.85)]  # on the law's grid
    law = run(_case(case_factory, 1, "law", grid + [600.0]), write=False, progress=False)
    resolved = run(_case(case_factory, 2, "resolved", grid), write=False, progress=False)
    rows = law.series.rows
    for a, b in zip(rows, resolved.series.rows, strict=False):
        assert a["area_specific_resistance"] == pytest.approx(
            b["area_specific_resistance"], rel=1e-3), a["stack_pressure_set"]
        assert a["contact_fraction:electrolyte|anode"] == pytest.approx(
            b["contact_fraction:electrolyte|anode"], rel=1e-6)
    asr = [r["area_specific_resistance"] for r in rows]
    assert all(y < x for x, y in zip(asr, asr[1:]))
    assert rows[-1]["contact_fraction:electrolyte|anode"] == pytest.approx(1.0, rel=1e-12)
    assert asr[-1] == pytest.approx(_bonded_asr(case_factory), rel=1e-6)
    assert law.summary["contact_law"][0]["contact_fraction"] < 0.05


def _bonded_asr(case_factory) -> float:
    """The same 1-D cell with a bonded interface, at 600 MPa."""
    case = _case(case_factory, 1, "law", [600.0])
    data = case.model_dump(mode="json", exclude_none=True)
    del data["mechanics"]["contact"]
    from ssefem.case import case_from_dict

    return run(case_from_dict(data), write=False, progress=False).series.rows[-1][
        "area_specific_resistance"]


def test_contact_law_is_cached(case_factory, monkeypatch):
    """Once tabulated, the law is read back: solving again would fail here."""
    case = _case(case_factory, 1, "law", [5.0])
    first = run(case, write=False, progress=False).summary["contact_law"]

    def no_solve(*args, **kwargs):
        raise AssertionError("the contact law was solved again")

    assert list((Path(os.environ["SSEFEM_CACHE_DIR"]) / "contact_law").glob("*.json"))
    monkeypatch.setattr(law_module, "_solve", no_solve)
    tabulation._memo.clear()  # as in a new process: read from the disk cache
    assert run(case, write=False, progress=False).summary["contact_law"] == first
