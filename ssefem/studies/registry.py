"""Studies: what a protocol step of a kind other than the built-in ones does.

A study is one module that defines its step model (a :class:`~ssefem.case.steps.StepBase`
subclass whose ``kind`` is a ``Literal``) and a ``run(runner, step, index, cycle)`` that drives
the model's system through the protocol runner's public calls and returns a
:class:`~ssefem.studies.study.StepResult`. ssefem's own studies are listed in
:data:`CORE_STUDIES`; a plugin adds its own with the ``studies()`` hook. ``prepare`` checks
every study step of a case against its study's model before anything is meshed; the protocol
hands each such step to its study.
"""

from __future__ import annotations

import dataclasses
import difflib
import logging
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from ssefem.case import Case
from ssefem.case.messages import from_validation_error
from ssefem.case.steps import BUILTIN, StepBase, StudyStep
from ssefem.errors import CaseError
from ssefem.studies import impedance
from ssefem.studies.study import Study, StudyReport

log = logging.getLogger(__name__)

__all__ = ["CORE_STUDIES", "Study", "check_study_steps", "collect_studies", "reports", "resolve"]


#: ssefem's own studies (each one module under ssefem.studies)
CORE_STUDIES: tuple[Study, ...] = (impedance.STUDY,)


def collect_studies(parts: Sequence[Any]) -> dict[str, Study]:
    """The studies a run knows, by kind: ssefem's and those the components and plugins bring;
    a kind given twice, or a built-in step's kind, is refused."""
    out: dict[str, Study] = {}
    offers = [("core", s) for s in CORE_STUDIES]
    offers += [(p.name, s) for p in parts for s in p.studies()]
    for owner, s in offers:
        kind = s.kind
        if kind in BUILTIN or kind in out:
            raise CaseError(f"plugins.{owner}" if owner != "core" else "protocol",
                            f"the study kind {kind!r} is {'built in' if kind in BUILTIN else 'given twice'}")
        out[kind] = dataclasses.replace(s, origin=owner)
    return out


def check_study_steps(case: Case, studies: dict[str, Study]) -> None:
    """Every study step of the case names a known study and gives only what its model takes."""
    known = [*BUILTIN, *studies]
    for i, step in enumerate(case.protocol.steps):
        if not isinstance(step, StudyStep):
            continue
        key = f"protocol.steps[{i}]"
        study = studies.get(step.kind)
        if study is None:
            close = difflib.get_close_matches(step.kind, known, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise CaseError(f"{key}.kind", f"unknown step kind {step.kind!r}{hint}; known: "
                            f"{', '.join(known)}")
        resolve(study, step, key)


def resolve(study: Study, step: StudyStep, key: str = "protocol.steps") -> StepBase:
    """The study step validated by its study's model (a CaseError naming the key)."""
    try:
        return study.step.model_validate(step.parameters())
    except ValidationError as err:
        e = from_validation_error(study.step, err)
        raise CaseError(f"{key}.{e.key}" if e.key else key, e.message) from None


def reports(case: Case, studies: dict[str, Study], tables: dict[str, list[dict]]
            ) -> list[StudyReport]:
    """Each study's report of a run with steps of its kind (on one rank: see
    :attr:`Study.report`). A report that fails leaves its error in the summary and the run's
    results stand."""
    out = []
    for kind, study in studies.items():
        steps = {i: resolve(study, s, f"protocol.steps[{i}]")
                 for i, s in enumerate(case.protocol.steps)
                 if isinstance(s, StudyStep) and s.kind == kind}
        if not steps or study.report is None:
            continue
        try:
            out.append(study.report(tables, steps))
        except Exception as err:  # noqa: BLE001 (a failed report costs only itself)
            log.error("the %s study's report failed", kind, exc_info=err)
            out.append(StudyReport(summary={
                f"{kind}_report_error": f"{type(err).__name__}: {err}"}))
    return out
