"""A study is a plugin point (issue 13, item 3): the test plugin tests/plugins/ssefem_probe adds
the protocol step kind ``probe_points`` (its own step model, run through the protocol runner's
public calls, no core edit). Its rows equal the built-in steady step's at the same currents;
its steps are checked by ``prepare`` like the built-in ones (exit 2, the key named, nothing
written); a step of a kind nobody registers is refused with the kinds known."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from ssefem.case import dump_toml
from ssefem.case.steps import Discharge, Hold, Steady, Step, StudyStep
from ssefem.errors import CaseError
from ssefem.runner import run
from ssefem.validate import prepare

PLUGINS = Path(__file__).parents[1] / "plugins"
CURRENTS = [0.0, 2.0, -3.0]
DISCHARGE = {"kind": "discharge", "current": 5.0, "duration": 30.0}


def test_study_step_rows_equal_the_steady_steps(case_factory):
    """After a discharge (a state away from the initial one), the plugin's study and the
    built-in steady step record the same steady states."""
    solver = {"dt_initial": 10.0, "dt_max": 10.0}
    study = run(case_factory(plugins={"probe": {}}, solver=solver, protocol={"steps": [
        DISCHARGE, {"kind": "probe_points", "currents": CURRENTS}]}), write=False)
    steady = run(case_factory(solver=solver, protocol={"steps": [
        DISCHARGE, {"kind": "steady", "currents": CURRENTS}]}), write=False)
    a = [r for r in study.series.rows if r["kind"] == "probe_points"]
    b = [r for r in steady.series.rows if r["kind"] == "steady"]
    assert [r["current"] for r in a] == CURRENTS
    for ra, rb in zip(a, b, strict=True):
        assert ra["voltage"] == pytest.approx(rb["voltage"], rel=1e-12, abs=1e-12)
    # the voltage moves with the current: the study solved, it did not copy a state
    assert len({round(r["voltage"], 9) for r in a}) == len(CURRENTS)
    assert study.summary["steps"][-1]["kind"] == "probe_points"


@pytest.mark.parametrize(("plugins", "step", "key", "says"), [
    ({"probe": {}}, {"kind": "probe_points"}, "protocol.steps[0].currents",
     "missing required key"),
    ({"probe": {}}, {"kind": "probe_points", "currents": [1.0], "bogus": 1},
     "protocol.steps[0].bogus", "unknown key"),
    ({"probe": {}}, {"kind": "probe_points", "currents": []}, "protocol.steps[0].currents",
     "at least 1"),
    ({}, {"kind": "probe_points", "currents": [1.0]}, "protocol.steps[0].kind",
     "unknown step kind 'probe_points'; known: discharge, charge, hold, rest, steady"),
    ({"probe": {}}, {"kind": "dischrage", "current": 1.0}, "protocol.steps[0].kind",
     "known: discharge, charge, hold, rest, steady, impedance, probe_points"),
])
def test_prepare_checks_study_steps(case_factory, plugins, step, key, says):
    case = case_factory(plugins=plugins, protocol={"steps": [step]})
    with pytest.raises(CaseError) as err:
        prepare(case)
    assert err.value.key == key and says in err.value.message, str(err.value)


def test_steps_are_a_union_keyed_on_kind():
    steps = TypeAdapter(list[Step])
    parsed = steps.validate_python([
        {"kind": "discharge", "current": 1.0, "duration": 1.0},
        {"kind": "hold", "voltage": 4.0, "duration": 1.0},
        {"kind": "steady", "currents": [1.0]},
        {"kind": "probe_points", "currents": [1.0]}])
    assert [type(s) for s in parsed] == [Discharge, Hold, Steady, StudyStep]
    # a key of another kind is unknown to this one
    with pytest.raises(Exception, match="voltage"):
        steps.validate_python([{"kind": "discharge", "current": 1.0, "duration": 1.0,
                                "voltage": 4.0}])


@pytest.mark.parametrize(("step", "key"), [
    ({"kind": "probe_points", "currents": [1.0], "bogus": 2}, "protocol.steps[0].bogus"),
    ({"kind": "probe_points", "currents": ["1"]}, "protocol.steps[0].currents[0]"),
    ({"kind": "probe_pionts", "currents": [1.0]}, "protocol.steps[0].kind"),
])
def test_cli_validate_refuses_bad_study_steps(case_factory, tmp_path, step, key):
    case = case_factory(plugins={"probe": {}}, protocol={"steps": [step]})
    (tmp_path / "case.toml").write_text(dump_toml(case.model_dump(mode="json",
                                                                  exclude_none=True)))
    env = {**os.environ, "PYTHONPATH": str(PLUGINS)}
    proc = subprocess.run([sys.executable, "-m", "ssefem.cli", "validate", "case.toml"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    report = f"rc={proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 2, report
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {key}: "), report
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["case.toml"], report
