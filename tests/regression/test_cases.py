"""Every case in cases/ is valid (schema, materials, stack, plugins' checks such as the
space_charge plugin's mesh resolution), and the space-charge cases run a first step."""

from __future__ import annotations

from pathlib import Path

import pytest

from ssefem.case import case_from_dict, load_case
from ssefem.validate import prepare

CASES = sorted((Path(__file__).parents[2] / "cases").glob("*.toml"))


def test_there_are_cases():
    names = {p.stem for p in CASES}
    assert {"default", "space_charge_lco_lpsc", "space_charge_lco_lnbo_lpsc",
            "space_charge_li_llzo", "space_charge_na_nvp", "space_charge_mg"} <= names


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_case_is_valid(path):
    case = load_case(path)
    prepare(case)


@pytest.mark.parametrize("path", [p for p in CASES if p.stem.startswith("space_charge")],
                         ids=lambda p: p.stem)
def test_space_charge_case_starts(path):
    """Open-circuit equilibration and the first protocol step, shortened."""
    from ssefem.runner import run

    data = load_case(path).model_dump(mode="json", exclude_none=True)
    step = data["protocol"]["steps"][-1]
    for k in ("duration", "until_voltage", "c_rate", "current"):
        step.pop(k, None)
    if step["kind"] in ("discharge", "charge"):
        step.update(current=1.0, duration=5.0)
    elif step["kind"] == "rest":
        step.update(duration=5.0)
    data["protocol"] = {"steps": [step]}
    res = run(case_from_dict(data), write=False, progress=False)
    assert res.summary["status"] == "completed" and len(res.series.rows) >= 1
