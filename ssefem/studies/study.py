"""What a study is: a protocol step kind with its step model and what runs it, and the
result a step leaves (:mod:`ssefem.studies.registry` collects the studies)."""

from __future__ import annotations

import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ssefem.case.steps import StepBase


@dataclass
class StepResult:
    kind: str
    index: int
    cycle: int
    ended_by: str
    time: float


@dataclass(frozen=True)
class StudyReport:
    """What a study makes of its tables once the run is done: files beside ``<table>.csv``
    (name -> text) and entries for ``summary.json``."""

    files: dict[str, str] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Study:
    """A protocol step kind: its step model and what runs it.

    Attributes:
        step: the step's model; its ``kind`` field is ``Literal["<kind>"]``.
        run: ``run(runner, step, index, cycle) -> StepResult``.
        report: ``report(tables, steps) -> StudyReport`` or None: run once on rank 0 after
            the protocol (finished or failed), with the run's tables (name -> rows) and this
            study's steps of the case (index -> validated step).
        origin: ``core`` or the plugin that brings it (set on collection).
    """

    step: type[StepBase]
    run: Callable[..., Any]
    report: Callable[..., StudyReport] | None = None
    origin: str = "core"

    @property
    def kind(self) -> str:
        (kind,) = typing.get_args(self.step.model_fields["kind"].annotation)
        return kind
