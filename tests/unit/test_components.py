"""Built-in physics on the plugins' footing (issue 13, item 1): ssefem's components register
as entry points of the group ``ssefem.plugins``, have the plugins' hooks, are assembled by the
same code and tag what they add with their names."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import distribution

import pytest

from conftest import make_case

from ssefem.assembly import assemble
from ssefem.case import case_from_dict
from ssefem.errors import CaseError
from ssefem.model import Model
from ssefem.physics.components import BUILTIN, Electrochemistry
from ssefem.plugins import Plugin, load_components
from ssefem.runner import run
from ssefem.scales import Scales
from ssefem.state import Handle, MissingState, ModelState
from ssefem.terms import Observable, Term
from ssefem.validate import prepare


def test_entry_points_register_the_builtin_components():
    eps = {ep.name: ep.value for ep in distribution("ssefem").entry_points
           if ep.group == "ssefem.plugins"}
    assert eps == {c.name: f"{c.__module__}:{c.__qualname__}" for c in BUILTIN}
    loaded = load_components()
    assert [type(c) for c in loaded] == sorted(BUILTIN, key=lambda c: c.order)
    assert all(isinstance(c, Plugin) for c in loaded)


def test_a_case_cannot_name_a_component_as_a_plugin():
    data = make_case().model_dump(mode="json", exclude_none=True)
    data["plugins"] = {"mechanics": {}}
    with pytest.raises(CaseError, match=r"plugins\.mechanics: 'mechanics' is a built-in "):
        prepare(case_from_dict(data))


def test_prepare_gives_the_components_first_and_their_checks_run():
    library, parts = prepare(make_case())
    assert [p.name for p in parts] == ["electrochemistry", "mechanics"]
    data = make_case().model_dump(mode="json", exclude_none=True)
    data["protocol"] = {"steps": [{"kind": "steady", "currents": [0.0],
                                   "sweep": {"parameter": "stack_pressure", "values": [1.0]}}]}
    with pytest.raises(CaseError, match=r"sweep\.parameter: the stack pressure needs a "
                                        r"\[mechanics\] table"):
        prepare(case_from_dict(data))


def test_what_a_component_adds_carries_its_name():
    r = run(make_case(), write=False)
    model = r.system.model
    terms = {t.name: t.origin for t in model.terms}
    assert terms["butler_volmer:cathode|electrolyte"] == "electrochemistry"
    assert terms["solid_diffusion:cathode"] == "electrochemistry"
    observables = {o.name: o.origin for o in model.observables}
    assert observables["voltage"] == "electrochemistry"
    assert observables["electrode_potential:electrolyte|anode"] == "electrochemistry"
    assert "butler_volmer:cathode|electrolyte (source, electrochemistry)" in r.summary["terms"]


def _model() -> Model:
    return Model(None, Scales(300.0))


def test_inner_origin_is_kept():
    model = _model()
    with model.origin("electrochemistry"):
        model.add_term(Term("a", "flux", lambda ctx: {}))
        with model.origin("space_charge"):  # a transport a plugin brought
            model.add_term(Term("b", "flux", lambda ctx: {}))
            model.add_observable(Observable("q", "C/m^2", lambda ctx: (None, None)))
    assert [t.origin for t in model.terms] == ["electrochemistry", "space_charge"]
    assert model.observables[0].origin == "space_charge"


class _NoScales(Plugin):
    name = "none"


class _Other(Electrochemistry):
    name = "other"


def test_exactly_one_part_sets_the_scales():
    case = make_case()
    with pytest.raises(CaseError, match=r"set by: none"):
        assemble(case, None, None, [_NoScales()])
    library, _ = prepare(case)
    with pytest.raises(CaseError, match=r"set by: electrochemistry, other"):
        assemble(case, library, None, [Electrochemistry(), _Other()])


def test_state_replace_refines_a_published_value():
    h = Handle("x", float, "a value")
    state = ModelState()
    with pytest.raises(MissingState):
        state.replace(h, 1.0)
    state.publish(h, 1.0)
    state.replace(h, 2.0)
    assert state.get(h) == 2.0
    with pytest.raises(TypeError):
        state.replace(h, "two")
    with pytest.raises(ValueError, match="accumulates"):
        state.replace(Handle("y", float, "many", accumulates="list"), 1.0)


def test_cli_lists_components_and_plugins():
    out = subprocess.run([sys.executable, "-m", "ssefem.cli", "plugins"], capture_output=True,
                         text=True, timeout=120)
    lines = out.stdout.splitlines()
    kinds = {line.split()[0]: line.split()[1] for line in lines}
    assert kinds["electrochemistry"] == kinds["mechanics"] == "component"
    assert kinds.get("space_charge") == "plugin"
