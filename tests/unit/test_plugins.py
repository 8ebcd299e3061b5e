"""The plugin mechanism, with the test plugin under tests/plugins (on sys.path only in tests)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codata import F
from ssefem.errors import CaseError
from ssefem.materials import Library
from ssefem.plugins import Plugin, installed, load_plugins
from ssefem.runner import run

PLUGINS = Path(__file__).parents[1] / "plugins"


def test_entry_point_found_and_loaded():
    assert "parasitic" in installed()
    (p,) = load_plugins({"parasitic": {"interface": "cathode|electrolyte",
                                      "current_density": 0.1}})
    assert isinstance(p, Plugin) and p.name == "parasitic"


def test_base_hooks_are_noops():
    p = Plugin(Plugin.Config())
    assert p.materials() == []
    assert p.terms(None, None) is None


def test_unknown_plugin_suggests():
    with pytest.raises(CaseError, match=r"did you mean 'parasitic'") as err:
        load_plugins({"parasitc": {}})
    assert err.value.key == "plugins.parasitc"


def test_bad_plugin_table():
    with pytest.raises(CaseError) as err:
        load_plugins({"parasitic": {"interface": "a|b", "current_density": -1.0}})
    assert err.value.key == "plugins.parasitic.current_density"
    with pytest.raises(CaseError) as err:
        load_plugins({"parasitic": {"interface": "a|b", "current_density": 1.0, "x": 1}})
    assert err.value.key == "plugins.parasitic.x"


def test_plugin_term_self_discharges_cathode(case_factory):
    """At open circuit the parasitic current inserts Li at i/(zF): exact charge balance."""
    i_side, t = 0.05, 600.0
    case = case_factory(
        initial={"stoichiometry": 0.6},
        plugins={"parasitic": {"interface": "cathode|electrolyte", "current_density": i_side}},
        protocol={"steps": [{"kind": "rest", "duration": t}]},
        solver={"dt_initial": 60.0, "dt_max": 60.0},
    )
    res = run(case, write=False, progress=False)
    assert "parasitic:cathode|electrolyte (source, parasitic)" in res.summary["terms"]
    mat = Library.builtin().get("LiCoO2")
    gained = (res.series.rows[-1]["stoichiometry:cathode"] - 0.6) * F * mat.at(
        "c_max", case.temperature) * case.layers[0].thickness * 1e-6
    assert gained == pytest.approx(i_side * t, rel=1e-8)
    assert res.series.rows[-1]["charge"] == 0.0
    # without the plugin the cell does not self-discharge
    plain = run(case.model_copy(update={"plugins": {}}), write=False, progress=False)
    assert plain.series.rows[-1]["stoichiometry:cathode"] == pytest.approx(0.6, abs=1e-12)


def test_cli_lists_plugins():
    env = {**os.environ, "PYTHONPATH": str(PLUGINS)}
    out = subprocess.run([sys.executable, "-m", "ssefem.cli", "plugins"], capture_output=True,
                         text=True, env=env, timeout=120)
    assert out.returncode == 0
    assert "parasitic" in out.stdout and "ssefem_parasitic:Parasitic" in out.stdout
