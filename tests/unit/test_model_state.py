"""Typed model state (ssefem.state): handles, publishing, asking, and the errors of each."""

from __future__ import annotations

import pytest

from ssefem.cell_state import CAPACITY, OCV
from ssefem.controls import StepLimiter, SweepParameter
from ssefem.state import SUMMARY, Handle, MissingState, ModelState

LAYERS = Handle("creeping", str, "names of the layers that creep", accumulates="list")
PER_LAYER = Handle("debye", float, "m, Debye length by layer", accumulates="dict")


def test_missing_handle_names_it_and_says_what_it_is():
    state = ModelState()
    with pytest.raises(MissingState) as err:
        state.get(CAPACITY)
    assert str(err.value) == ("no component published 'capacity' (C/m^2, areal capacity of the "
                              "positive insertion electrode; a C-rate needs one)")
    assert isinstance(err.value, LookupError) and err.value.handle is CAPACITY
    assert state.find(CAPACITY) is None and state.find(CAPACITY, 1.0) == 1.0
    assert CAPACITY not in state


def test_publish_then_get():
    state = ModelState()
    state.publish(OCV, 3.9)
    assert state.get(OCV) == 3.9 and state.find(OCV) == 3.9 and OCV in state


def test_wrong_type_is_refused_naming_the_handle():
    state = ModelState()
    with pytest.raises(TypeError, match=r"state 'ocv' takes float, got str"):
        state.publish(OCV, "3.9")
    with pytest.raises(TypeError, match=r"state 'debye' takes float, got str"):
        state.publish(PER_LAYER, {"a": "1e-9"})
    with pytest.raises(TypeError, match=r"accumulates a dict"):
        state.publish(PER_LAYER, 1e-9)
    with pytest.raises(TypeError, match=r"state 'creeping' takes str, got int"):
        state.publish(LAYERS, 3)
    assert OCV not in state and PER_LAYER not in state and LAYERS not in state


def test_single_valued_handle_published_twice_is_refused():
    state = ModelState()
    state.publish(OCV, 3.9)
    with pytest.raises(ValueError, match=r"state 'ocv' published twice"):
        state.publish(OCV, 4.0)
    assert state.get(OCV) == 3.9


def test_accumulating_handles_collect_and_refuse_a_key_twice():
    state = ModelState()
    state.publish(LAYERS, "anode")
    state.publish(LAYERS, "pos")
    assert state.get(LAYERS) == ["anode", "pos"]
    state.publish(PER_LAYER, {"a": 1e-9})
    state.publish(PER_LAYER, {"b": 2e-9})
    assert state.get(PER_LAYER) == {"a": 1e-9, "b": 2e-9}
    with pytest.raises(ValueError, match=r"'a' published twice"):
        state.publish(PER_LAYER, {"a": 3e-9})
    got = state.get(PER_LAYER)
    got["c"] = 1.0  # a copy: the state is not changed behind its back
    assert "c" not in state.get(PER_LAYER)
    state.publish(SUMMARY, {"table": [1, 2]})
    assert state.get(SUMMARY) == {"table": [1, 2]}


def test_two_handles_of_one_name_are_refused():
    state = ModelState()
    state.publish(OCV, 3.9)
    with pytest.raises(ValueError, match=r"two different handles are named 'ocv'"):
        state.publish(Handle("ocv", float, "another"), 1.0)


def test_bad_accumulation_kind():
    with pytest.raises(ValueError, match=r"accumulates must be"):
        Handle("x", float, "x", accumulates="set")


def test_model_registers_limiters_and_sweep_parameters():
    from ssefem.model import Model

    model = Model(None, None)
    model.add_step_limiter(StepLimiter())
    with pytest.raises(ValueError, match=r"step limiter 'limiter' defined twice"):
        model.add_step_limiter(StepLimiter())
    with pytest.raises(TypeError):
        model.add_step_limiter(object())
    p = SweepParameter("x", "1", "c", lambda v: v, "x_set", "1")
    model.add_sweep_parameter(p)
    with pytest.raises(ValueError, match=r"sweep parameter 'x' defined twice"):
        model.add_sweep_parameter(p)
    assert model.sweep_parameters == {"x": p} and not hasattr(model, "info")
    base = StepLimiter()
    assert base.max_step({}) == float("inf") and base.change(None, {}, {}) == 0.0
