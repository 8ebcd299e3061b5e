"""ssefem.constants against CODATA 2018 values written in the tests (tests/codata.py), and the
exact relations between them, to 1e-9 relative: a constant mistyped in the code fails here even
where the physics tests would only see it through a closed form."""

from __future__ import annotations

import pytest

import codata
from ssefem import constants

REL = 1e-9


@pytest.mark.parametrize("name, expected", [
    ("F", codata.F),
    ("R", codata.R),
    ("EPS0", codata.EPS0),
    ("K_B_EV", codata.K_B_EV),
])
def test_constant_matches_codata(name, expected):
    assert getattr(constants, name) == pytest.approx(expected, rel=REL)


def test_codata_values_are_consistent():
    """F = e N_A, R = k_B N_A, k_B/e in eV/K: the test-side table itself has no typo."""
    assert codata.F == pytest.approx(codata.E_CHARGE * codata.N_A, rel=REL)
    assert codata.R == pytest.approx(codata.K_B * codata.N_A, rel=REL)
    assert codata.K_B_EV == pytest.approx(8.617333262e-5, rel=REL)


@pytest.mark.parametrize("T", [250.0, 298.15, 333.15])
def test_thermal_voltage(T):
    assert constants.thermal_voltage(T) == pytest.approx(codata.R * T / codata.F, rel=REL)
    assert constants.thermal_voltage(298.15) == pytest.approx(0.025693, rel=1e-4)  # 25.69 mV
