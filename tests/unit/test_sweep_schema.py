"""The steady step's ``sweep`` table in the case schema: strict, steady only, one spelling."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from ssefem.case.steps import Sweep
from ssefem.case.steps import Step as StepUnion
from ssefem.errors import CaseError


class Step:
    """The step union, called as the one flat model used to be (kind chooses the model)."""

    _adapter = TypeAdapter(StepUnion)

    def __new__(cls, **data):
        return cls._adapter.validate_python(data)

    @classmethod
    def model_validate(cls, data):
        return cls._adapter.validate_python(data)


def test_sweep_and_stack_pressures_are_one_thing():
    a = Step(kind="steady", currents=[1.0], stack_pressures=[1.0, 2.0])
    b = Step(kind="steady", currents=[1.0],
             sweep=Sweep(parameter="stack_pressure", values=[1.0, 2.0]))
    assert a.swept == b.swept == Sweep(parameter="stack_pressure", values=[1.0, 2.0])
    assert Step(kind="steady", currents=[1.0]).swept is None


def test_sweep_needs_a_steady_step_and_not_both_spellings():
    with pytest.raises((CaseError, ValidationError), match=r"only a 'steady' step sweeps"):
        Step.model_validate({"kind": "rest", "duration": 1.0,
                             "sweep": {"parameter": "x", "values": [1.0]}})
    with pytest.raises((CaseError, ValidationError), match=r"not both"):
        Step.model_validate({"kind": "steady", "currents": [1.0], "stack_pressures": [1.0],
                             "sweep": {"parameter": "stack_pressure", "values": [1.0]}})


@pytest.mark.parametrize("sweep", [
    {"parameter": "x", "values": []},
    {"parameter": "x", "values": ["1"]},
    {"parameter": "x", "values": [1.0], "unit": "MPa"},
    {"parameter": "", "values": [1.0]},
    {"values": [1.0]},
])
def test_sweep_table_is_strict(sweep):
    with pytest.raises(ValidationError):
        Step.model_validate({"kind": "steady", "currents": [1.0], "sweep": sweep})
