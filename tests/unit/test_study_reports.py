"""A study's report runs once after the protocol with its own steps; one that fails leaves its
error in the summary instead of losing the run's results."""

from __future__ import annotations

from typing import Literal

from conftest import make_case

from ssefem.case.steps import StepBase
from ssefem.studies.registry import reports
from ssefem.studies.study import Study, StudyReport


class _Probe(StepBase):
    kind: Literal["probe"]
    size: int = 1


def _case():
    return make_case(protocol={"steps": [{"kind": "rest", "duration": 1.0},
                                         {"kind": "probe", "size": 3}]})


def test_a_report_gets_its_own_steps_and_tables():
    seen = {}

    def report(tables, steps):
        seen.update(steps=steps, tables=tables)
        return StudyReport({"probe.txt": "x"}, {"probe": [steps[1].size]})

    (out,) = reports(_case(), {"probe": Study(_Probe, None, report)}, {"probe": [{"a": 1}]})
    assert list(seen["steps"]) == [1] and seen["steps"][1].size == 3
    assert seen["tables"] == {"probe": [{"a": 1}]}
    assert out.files == {"probe.txt": "x"} and out.summary == {"probe": [3]}


def test_a_failing_report_leaves_its_error_and_nothing_else():
    def report(tables, steps):
        raise ZeroDivisionError("broken analysis")

    (out,) = reports(_case(), {"probe": Study(_Probe, None, report)}, {})
    assert out.files == {}
    assert out.summary == {"probe_report_error": "ZeroDivisionError: broken analysis"}
