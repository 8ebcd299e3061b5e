"""Expectations and run warnings: which value is reported, when, and what a failure names."""

from __future__ import annotations

import pytest

from ssefem.expectations import Expectation, RunWarning


def test_excess_names_the_value_outside():
    e = Expectation("w", "voltage", 1.0, 2.0, "m", unit="V")
    assert e.excess(1.0, 2.0) is None
    assert e.excess(0.5, 1.5) == 0.5
    assert e.excess(1.5, 2.5) == 2.5


def test_a_reversed_range_is_refused():
    with pytest.raises(ValueError, match="low 2.0 exceeds high 1.0"):
        Expectation("w", "voltage", 2.0, 1.0, "m")


def test_warning_keeps_the_worst_value_and_counts():
    e = Expectation("terminal_voltage", "voltage", -1.0, 1.0, "too far", unit="V")
    w = RunWarning(e, first_time=3.0, worst=1.5)
    w.update(1.2)
    w.update(-4.0)
    w.update(2.0)
    d = w.as_dict()
    assert (d["worst"], d["states"], d["first_time_s"]) == (-4.0, 4, 3.0)
    assert d["message"].startswith("terminal_voltage: voltage reached -4 V, outside [-1, 1] V")
    assert d["message"].endswith(": too far")
