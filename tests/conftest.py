"""Shared test helpers: build cases as dicts (no files), run them through the Python API."""

from __future__ import annotations

import copy
import gc
import sys
from pathlib import Path

import pytest

import ssefem  # noqa: F401  (orders MPI before DOLFINx)

TESTS = Path(__file__).parent
sys.path.insert(0, str(TESTS / "plugins"))  # the test plugin's distribution (tests only)

BASE = {
    "name": "t",
    "temperature": 298.15,
    "geometry": {"dimension": 1},
    "layers": [
        {"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 16},
        {"name": "electrolyte", "material": "LiPON", "thickness": 1.5, "cells": 8},
        {"name": "anode", "material": "Li", "thickness": 3.0, "cells": 3},
    ],
    "protocol": {"steps": [{"kind": "steady", "currents": [0.0]}]},
    "solver": {"rtol": 1e-12, "atol": 1e-14, "stol": 1e-14},
    "output": {"progress": False, "plots": False},
}


def make_case(**changes):
    """The base 1-D LiCoO2 | LiPON | Li case with top-level keys replaced (deep-copied)."""
    from ssefem.case import case_from_dict

    data = copy.deepcopy(BASE)
    for k, v in changes.items():
        if isinstance(v, dict) and isinstance(data.get(k), dict):
            data[k] = {**data[k], **v}
        else:
            data[k] = v
    return case_from_dict(data)


def library_value_at(material: str, prop: str, T: float) -> float:
    """A library property at T by its Arrhenius law written out here (k_B the CODATA value),
    not by ssefem's evaluation of it."""
    import math

    from ssefem.materials import Library

    p = Library.builtin().get(material).properties[prop]
    if p.Ea is None:
        return p.value
    k_b = 8.617333262e-5  # eV/K
    return p.value * math.exp(-(p.Ea / k_b) * (1.0 / T - 1.0 / p.T_ref))


@pytest.fixture
def case_factory():
    return make_case


@pytest.fixture(autouse=True)
def _collect():
    yield
    gc.collect()
