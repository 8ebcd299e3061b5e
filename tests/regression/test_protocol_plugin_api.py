"""The protocol asks, it does not import: a test plugin (tests/plugins/ssefem_probe, installed
only in the tests, no core edit) adds a step limiter, a sweep parameter and a validate hook.

- (c) step limiters bound and halve the time steps of a protocol step;
- (d) the plugin's sweep parameter, a leak current through the electrolyte, swept by a steady
  step: one row per value and current, the voltage change in closed form;
- (e) bad plugin input refused by ``ssefem validate`` (exit 2, one line naming the key,
  nothing written), as is a sweep of a parameter no component offers.
"""

from __future__ import annotations

import itertools
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import ssefem_probe

from ssefem.errors import CaseError
from ssefem.materials import Library
from ssefem.runner import run
from ssefem.validate import prepare

PLUGINS = Path(__file__).parents[1] / "plugins"


def _dts(rows):
    t = np.array([r["time"] for r in rows])
    return np.diff(np.concatenate([[0.0], t]))


def test_step_limiter_caps_every_step(case_factory):
    """A limiter whose max_step is dt_cap: every accepted step of a discharge is at most
    dt_cap, and there are more of them than without it (where the steps grow past it)."""
    cap = 20.0
    case = case_factory(protocol={"steps": [{"kind": "discharge", "current": 5.0,
                                             "duration": 600.0}]},
                        solver={"dt_initial": 1.0, "dt_max": 600.0})
    plain = run(case, write=False, progress=False).series.rows
    capped = run(case.model_copy(update={"plugins": {"probe": {"dt_cap": cap}}}), write=False,
                 progress=False).series.rows
    assert np.max(_dts(plain)) > 2 * cap  # without it the steps grow past the cap
    assert np.all(_dts(capped) <= cap * (1 + 1e-12))
    assert len(capped) > len(plain) and len(capped) >= 600.0 / cap
    assert capped[-1]["time"] == pytest.approx(600.0, rel=1e-12)


def test_limiter_above_twice_its_limit_halves_the_step(case_factory):
    """A limiter whose change() is 3 (> 2) for trial steps above 30 s: the protocol retries
    each such step at half length, and grows the next by dt_growth (change 0 < 0.5). At rest
    the cell's voltage does not move, so the accepted steps and the number of halvings follow
    the rule exactly."""
    above, t_end, dt0, growth = 30.0, 200.0, 100.0, 1.5
    case = case_factory(plugins={"probe": {"halve_above": above}},
                        protocol={"steps": [{"kind": "rest", "duration": t_end}]},
                        solver={"dt_initial": dt0, "dt_max": 600.0, "dt_growth": growth})
    ssefem_probe.CALLS.clear()
    rows = run(case, write=False, progress=False).series.rows
    calls = list(ssefem_probe.CALLS)
    # the protocol's rule, applied by hand
    t, dt, accepted, halvings = 0.0, dt0, [], 0
    while t < t_end * (1 - 1e-12):
        dt = min(dt, 600.0, t_end - t)
        if dt > above:
            halvings += 1
            dt /= 2.0
            continue
        accepted.append(dt)
        t += dt
        dt *= growth
    assert halvings >= 5
    assert [r["time"] for r in rows] == list(np.cumsum(accepted))
    assert len(rows) == len(accepted)
    assert sum(1 for _, c in calls if c > 2) == halvings
    assert len(calls) == len(accepted) + halvings
    # each rejected trial is followed by one at half its length
    for (dt_a, c), (dt_b, _) in itertools.pairwise(calls):
        if c > 2:
            assert dt_b == pytest.approx(dt_a / 2, rel=1e-12)


def test_plugin_sweep_parameter_leak_current(case_factory):
    """A steady step sweeping the plugin's leak current i_l through the electrolyte: one row per
    value and current with the column leak_current_set. The faradaic currents do not change,
    only the electrolyte's ohmic drop: the voltage rises by i_l L / sigma (the leak flows from
    the positive side to the negative one, against the discharge's ionic current), L and sigma
    the shipped LiPON's thickness and conductivity; the area-specific resistance (against the
    open-circuit voltage at the same leak) does not change."""
    leaks, currents = [0.0, 1.0, 5.0], [0.0, 2.0, -3.0]
    case = case_factory(plugins={"probe": {"leak_layer": "electrolyte"}},
                        protocol={"steps": [{"kind": "steady", "currents": currents,
                                             "sweep": {"parameter": "leak_current",
                                                       "values": leaks}}]})
    rows = run(case, write=False, progress=False).series.rows
    assert len(rows) == len(leaks) * len(currents)
    assert [r["leak_current_set"] for r in rows] == [v for v in leaks for _ in currents]
    assert [r["current"] for r in rows] == currents * len(leaks)
    sigma = Library.builtin().get("LiPON").at("conductivity", case.temperature)
    resistance = case.layer("electrolyte").thickness * 1e-6 / sigma  # Ohm m^2
    v = {(r["leak_current_set"], r["current"]): r["voltage"] for r in rows}
    asr = {(r["leak_current_set"], r["current"]): r["area_specific_resistance"] for r in rows}
    for leak in leaks[1:]:
        for i in currents:
            assert v[leak, i] - v[0.0, i] == pytest.approx(leak * resistance, rel=1e-8), (leak, i)
            if i:
                assert asr[leak, i] == pytest.approx(asr[0.0, i], rel=1e-8)
            else:
                assert math.isnan(asr[leak, i])
    assert leaks[-1] * resistance > 1e-3  # a change well above the solver's tolerance


def test_sweep_table_is_the_stack_pressure_list(case_factory):
    """``sweep = {parameter = "stack_pressure", values}`` is ``stack_pressures = values``: the
    same rows, bit for bit."""
    step = {"kind": "steady", "currents": [0.0, 1.0]}
    old = case_factory(mechanics={"stack_pressure": 1.0},
                       protocol={"steps": [{**step, "stack_pressures": [1.0, 5.0]}]})
    new = case_factory(mechanics={"stack_pressure": 1.0},
                       protocol={"steps": [{**step, "sweep": {"parameter": "stack_pressure",
                                                              "values": [1.0, 5.0]}}]})
    a = run(old, write=False, progress=False).series.rows
    b = run(new, write=False, progress=False).series.rows
    assert [r["stack_pressure_set"] for r in b] == [1e6, 1e6, 5e6, 5e6]
    assert [{k: repr(x) for k, x in r.items()} for r in a] == [
        {k: repr(x) for k, x in r.items()} for r in b]


@pytest.mark.parametrize(("plugins", "steps", "key", "says"), [
    ({"probe": {"leak_layer": "nosuch"}}, None, "plugins.probe.leak_layer",
     "'nosuch' is not a meshed layer between the electrodes (electrolyte)"),
    ({"probe": {"leak_layer": "anode"}}, None, "plugins.probe.leak_layer", "'anode'"),
    ({"probe": {"leak_current": 1.0}}, None, "plugins.probe", "a leak_current needs a leak_layer"),
    ({"probe": {}}, [{"kind": "steady", "currents": [1.0],
                      "sweep": {"parameter": "leak_current", "values": [1.0]}}],
     "protocol.steps[0].sweep.parameter", "unknown sweep parameter 'leak_current'"),
    ({}, [{"kind": "steady", "currents": [1.0],
           "sweep": {"parameter": "stack_pressure", "values": [1.0]}}],
     "protocol.steps[0].sweep.parameter", "needs a [mechanics] table"),
])
def test_prepare_refuses_bad_plugin_input(case_factory, plugins, steps, key, says):
    """The plugin's validate hook and the sweep check run in prepare(), before meshing (and so
    in a run too)."""
    case = case_factory(plugins=plugins, **({"protocol": {"steps": steps}} if steps else {}))
    with pytest.raises(CaseError) as err:
        prepare(case)
    assert err.value.key == key and says in err.value.message, str(err.value)
    with pytest.raises(CaseError) as err:
        run(case, write=False, progress=False)
    assert err.value.key == key


CASE = """name = "probe"
[geometry]
dimension = 1
[[layers]]
name = "cathode"
material = "LiCoO2"
thickness = 2.0
[[layers]]
name = "electrolyte"
material = "LiPON"
thickness = 1.5
[[layers]]
name = "anode"
material = "Li"
thickness = 3.0
[[protocol.steps]]
kind = "steady"
currents = [0.0]
{sweep}
[plugins.probe]
{table}
"""


def _validate(tmp: Path, table: str, sweep: str = "") -> subprocess.CompletedProcess:
    (tmp / "case.toml").write_text(CASE.format(table=table, sweep=sweep))
    env = {**os.environ, "PYTHONPATH": str(PLUGINS)}
    return subprocess.run([sys.executable, "-m", "ssefem.cli", "validate", "case.toml"],
                          cwd=tmp, env=env, capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.mark.parametrize(("table", "sweep", "key"), [
    ('leak_layer = "nosuch"', "", "plugins.probe.leak_layer"),
    ("leak_current = 2.0", "", "plugins.probe"),
    ("", 'sweep = {parameter = "leak", values = [1.0]}', "protocol.steps[0].sweep.parameter"),
])
def test_cli_validate_refuses_bad_plugin_input(tmp_path, table, sweep, key):
    """``ssefem validate`` exits 2 with exactly one line on stderr naming the key, and writes
    nothing."""
    proc = _validate(tmp_path, table, sweep)
    report = f"rc={proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 2, report
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {key}: "), report
    assert proc.stdout == ""
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["case.toml"], report


def test_cli_validate_accepts_good_plugin_input(tmp_path):
    proc = _validate(tmp_path, 'leak_layer = "electrolyte"',
                     'sweep = {parameter = "leak_current", values = [1.0]}')
    assert proc.returncode == 0, proc.stderr
    assert "valid" in proc.stdout
