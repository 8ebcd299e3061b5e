"""Protocol steps: one model per ``kind`` (a union keyed on it), and study steps.

The built-in kinds (``discharge``, ``charge``, ``hold``, ``rest``, ``steady``) are validated
here. Any other kind is a *study step* (:class:`StudyStep`): a study that a module under
``ssefem.studies`` or a plugin registers (:mod:`ssefem.studies.registry`) names its kind and its
own step model, and ``prepare`` validates the step against it once the plugins are loaded
(an unknown kind, or a key the study does not take, is refused there, before meshing).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import ConfigDict, Discriminator, Field, Tag, model_validator

from ssefem.case.base import Strict
from ssefem.case.hints import check_pressure
from ssefem.errors import CaseError

#: location tags pydantic puts in an error's path (dropped from the key a message names)
TAG = "step:"


class Sweep(Strict):
    """A steady step's sweep: every current at each value of a parameter that a component of
    the model offers (the mechanics component: ``stack_pressure`` in MPa; plugins add theirs)."""

    parameter: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_:.\-]*$", max_length=64,
                           description="name of a sweep parameter of the model")
    values: list[float] = Field(min_length=1, description="values in the parameter's unit")


class StepBase(Strict):
    """What every protocol step has: its kind. Current densities in A/m^2, positive =
    discharge."""

    kind: str

    @property
    def swept(self) -> Sweep | None:
        """The sweep of a steady step (None for the others)."""
        return None

    @model_validator(mode="before")
    @classmethod
    def _only_steady_sweeps(cls, data: Any) -> Any:
        kind = data.get("kind") if isinstance(data, dict) else None
        if isinstance(kind, str) and kind in BUILTIN and kind != "steady":
            for key, what in (("stack_pressures", "pressures"), ("sweep", "")):
                if key in data:
                    raise CaseError(key, f"only a 'steady' step sweeps{' ' + what if what else ''}"
                                    f", not {kind!r}")
        return data


class _Galvanostatic(StepBase):
    current: float | None = Field(None, ge=0, description="A/m^2 (magnitude)")
    c_rate: float | None = Field(None, gt=0, description="C-rate of the cathode capacity")
    until_voltage: float | None = Field(None, gt=0, lt=10, description="V cut-off")
    duration: float | None = Field(None, gt=0, description="s, longest time of the step")

    @model_validator(mode="after")
    def _check(self):
        if (self.current is None) == (self.c_rate is None):
            raise ValueError(f"a '{self.kind}' step needs exactly one of 'current' or 'c_rate'")
        if self.until_voltage is None and self.duration is None:
            raise ValueError(f"a '{self.kind}' step needs 'until_voltage' or 'duration'")
        return self


class Discharge(_Galvanostatic):
    kind: Literal["discharge"]


class Charge(_Galvanostatic):
    kind: Literal["charge"]


class Hold(StepBase):
    kind: Literal["hold"]
    voltage: float | None = Field(None, gt=0, lt=10, description="V")
    until_current: float | None = Field(None, gt=0, description="A/m^2, end of the hold")
    duration: float | None = Field(None, gt=0, description="s, longest time of the step")

    @model_validator(mode="after")
    def _check(self):
        if self.voltage is None:
            raise ValueError("a 'hold' step needs 'voltage'")
        if self.duration is None and self.until_current is None:
            raise ValueError("a 'hold' step needs 'duration' or 'until_current'")
        return self


class Rest(StepBase):
    kind: Literal["rest"]
    duration: float | None = Field(None, gt=0, description="s")

    @model_validator(mode="after")
    def _check(self):
        if self.duration is None:
            raise ValueError("a 'rest' step needs 'duration'")
        return self


class Steady(StepBase):
    kind: Literal["steady"]
    currents: list[float] | None = Field(None, description="A/m^2 (signed)")
    stack_pressures: list[float] | None = Field(
        None, description="MPa, with [mechanics]: every current at each pressure (the same as "
        "sweep = {parameter = 'stack_pressure', values = [...]})")
    sweep: Sweep | None = Field(
        None, description="every current at each value of a sweep parameter")

    @property
    def swept(self) -> Sweep | None:
        """The step's sweep, ``stack_pressures`` given as the sweep of ``stack_pressure``."""
        if self.stack_pressures is not None:
            return Sweep(parameter="stack_pressure", values=list(self.stack_pressures))
        return self.sweep

    @model_validator(mode="after")
    def _check(self):
        if not self.currents:
            raise ValueError("a 'steady' step needs a non-empty 'currents' list")
        if self.stack_pressures is not None and (
                not self.stack_pressures or min(self.stack_pressures) <= 0):
            raise CaseError("stack_pressures", "needs a non-empty list of pressures > 0 MPa")
        for j, p in enumerate(self.stack_pressures or ()):
            check_pressure(f"stack_pressures[{j}]", p)
        if self.sweep is not None and self.stack_pressures is not None:
            raise CaseError("sweep", "give 'sweep' or 'stack_pressures', not both")
        return self


class StudyStep(StepBase):
    """A step of a registered study (any kind but the built-in ones): its keys are kept as
    given and checked against the study's own step model by ``prepare``."""

    model_config = ConfigDict(extra="allow")
    kind: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64)

    def parameters(self) -> dict[str, Any]:
        """The step's keys, kind included, for the study's model to validate."""
        return self.model_dump()


BUILTIN: dict[str, type[StepBase]] = {
    "discharge": Discharge, "charge": Charge, "hold": Hold, "rest": Rest, "steady": Steady}


def _tag(value: Any) -> str:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"{TAG}{kind}" if isinstance(kind, str) and kind in BUILTIN else f"{TAG}study"


#: one protocol step, validated by the model of its kind
Step = Annotated[
    Union[tuple(Annotated[m, Tag(f"{TAG}{k}")] for k, m in BUILTIN.items())  # noqa: UP007
          + (Annotated[StudyStep, Tag(f"{TAG}study")],)],
    Discriminator(_tag)]


def step_model(tag: str) -> type[StepBase] | None:
    """The model behind a location tag (``step:hold``), for the messages' key suggestions."""
    kind = tag.removeprefix(TAG)
    return BUILTIN.get(kind, StudyStep if kind == "study" else None)
