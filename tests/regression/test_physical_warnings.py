"""Absurd physics is named: a terminal voltage far outside the electrodes' open-circuit window and
an electrode driven out of its OCP fit's window are warnings in ``summary.json``; an electrode
exhausted without a cut-off fails with that cause named (issue 12, finding 9).

LiCoO2 | LiPON | Li, 1-D (the tests' base case): LiCoO2's window is theta in [0.5, 1.0].
"""

from __future__ import annotations

import pytest

from conftest import make_case

from ssefem.errors import SolverError
from ssefem.runner import run

THETA_MIN, THETA_MAX = 0.5, 1.0


def _warnings(result) -> dict:
    return {w["name"]: w for w in result.summary["warnings"]}


def test_ordinary_run_has_no_warnings():
    r = run(make_case(protocol={"steps": [{"kind": "steady", "currents": [0.0, 10.0]}]}),
            write=False)
    assert r.summary["warnings"] == []


def test_voltage_far_beyond_the_window_is_a_warning():
    r = run(make_case(protocol={"steps": [{"kind": "steady", "currents": [10.0, 1e6]}]}),
            write=False)
    w = _warnings(r)
    assert set(w) == {"terminal_voltage"}, w
    v = r.series.column("voltage")
    assert w["terminal_voltage"]["worst"] == pytest.approx(v[-1])
    assert w["terminal_voltage"]["states"] == 1  # only the 1e6 A/m^2 point
    lo, hi = w["terminal_voltage"]["range"]
    assert lo < v[0] < hi and not lo < v[-1] < hi
    assert "polarisation" in w["terminal_voltage"]["message"]


def test_charge_below_the_ocp_window_is_a_warning():
    # from theta = 0.52 a 1C charge for 200 s removes 200/3600 of the window (0.028 in theta):
    # the cathode's mean stoichiometry ends near 0.492, below theta_min = 0.5
    r = run(make_case(initial={"stoichiometry": 0.52}, protocol={"steps": [
        {"kind": "charge", "c_rate": 1.0, "duration": 200.0}]},
        solver={"dt_initial": 10.0, "dt_max": 20.0}), write=False)
    w = _warnings(r)
    assert set(w) == {"stoichiometry_window:cathode"}, w
    assert w["stoichiometry_window:cathode"]["worst"] < THETA_MIN
    assert w["stoichiometry_window:cathode"]["range"] == [THETA_MIN, THETA_MAX]
    # the warning starts once the lowest theta passes 0.5, not at the first step
    assert 0 < w["stoichiometry_window:cathode"]["first_time_s"] < 200.0


def test_exhausted_electrode_is_named_as_the_cause():
    # a 10C discharge without a cut-off fills the cathode after ~ (1 - 0.52) / 0.5 * 360 s
    case = make_case(initial={"stoichiometry": 0.52}, protocol={"steps": [
        {"kind": "discharge", "c_rate": 10.0, "duration": 600.0}]},
        solver={"dt_initial": 5.0, "dt_max": 20.0, "dt_min": 1e-3})
    with pytest.raises(SolverError) as err:
        run(case, write=False)
    msg = str(err.value)
    assert "likely cause: cathode is filled with Li" in msg, msg
    assert "exhausted" in msg
    # its surface fills first (solid diffusion), so before the whole cathode would be full
    # at 0.48 / 0.5 * 360 s = 345.6 s
    assert 60.0 < err.value.time < 345.6
