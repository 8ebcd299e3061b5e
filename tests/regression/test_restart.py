"""Checkpoints and restart (issue 12, finding 8): a run interrupted anywhere continues from its
last checkpoint and gives the uninterrupted run's curve; a checkpoint of another case, or one
that a kill left half-written, is handled without a wrong answer.

The interruption is a KeyboardInterrupt raised right after an accepted step (an exception out of
the protocol); the run's staging directory is then set aside with its checkpoint.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from conftest import make_case

import ssefem.studies.protocol as protocol
from ssefem.errors import CaseError
from ssefem.runner import run

STEPS = [{"kind": "rest", "duration": 30.0},
         {"kind": "discharge", "c_rate": 2.0, "until_voltage": 3.6},
         {"kind": "charge", "c_rate": 2.0, "duration": 200.0}]


def _case(**changes):
    out = {"checkpoint_every": 7, "plots": False, "progress": False, "fields_every": 0}
    return make_case(initial={"stoichiometry": 0.52}, protocol={"steps": STEPS},
                     output=out, **changes)


def _interrupted(case, outdir: Path, at_step: int, monkeypatch) -> Path:
    accept = protocol.ProtocolRunner._accept

    def accept_then_stop(self, *args, **kwargs):
        accept(self, *args, **kwargs)
        if self.nsteps == at_step:
            raise KeyboardInterrupt

    with monkeypatch.context() as m:
        m.setattr(protocol.ProtocolRunner, "_accept", accept_then_stop)
        with pytest.raises(KeyboardInterrupt):
            run(case, outdir=outdir)
    staging = [p for p in outdir.parent.iterdir()
               if p.name.startswith(f".{outdir.name}.") and p.is_dir()]
    assert len(staging) == 1, staging
    return staging[0]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    return run(_case(), outdir=tmp_path_factory.mktemp("ref") / "ref")


def _worst_difference(a: list[dict], b: list[dict]) -> float:
    assert len(a) == len(b)
    worst = 0.0
    for x, y in zip(a, b, strict=True):
        assert x.keys() == y.keys()
        for k, v in x.items():
            if isinstance(v, float) and math.isfinite(v):
                worst = max(worst, abs(v - y[k]) / max(1.0, abs(v)))
            else:
                assert v == y[k], k
    return worst


# inside the rest, before the first periodic checkpoint; in the middle of the discharge
@pytest.mark.parametrize("at_step", [3, 40])
def test_restart_gives_the_uninterrupted_curve(reference, tmp_path, monkeypatch, at_step):
    staging = _interrupted(_case(), tmp_path / "cut", at_step, monkeypatch)
    progress = json.loads((staging / "checkpoint" / "progress.json").read_text())
    assert progress["counters"]["nsteps"] <= at_step
    resumed = run(_case(), outdir=tmp_path / "resumed", restart=staging)
    assert _worst_difference(reference.series.rows, resumed.series.rows) <= 1e-10
    for key in ("accepted_steps", "newton_iterations", "cutbacks"):
        assert resumed.summary["solver"][key] == reference.summary["solver"][key]
    assert [s["ended_by"] for s in resumed.summary["steps"]] == ["duration", "cut-off",
                                                                 "duration"]
    assert resumed.summary["restarted_from"]["time_s"] == progress["counters"]["time"]


def test_a_half_written_checkpoint_falls_back_to_the_complete_one(reference, tmp_path,
                                                                   monkeypatch):
    staging = _interrupted(_case(), tmp_path / "cut", 40, monkeypatch)
    ck = staging / "checkpoint"
    k = json.loads((ck / "progress.json").read_text())["checkpoint"]
    # what a kill inside the next checkpoint leaves: its state file, rows past the last one
    (ck / f"state.{k + 1}.r0.npz").write_bytes(b"\x00" * 10)
    with open(ck / "rows.jsonl", "a") as fh:
        fh.write('{"time": 1e9, "torn": tru')
    resumed = run(_case(), outdir=tmp_path / "resumed", restart=staging)
    assert _worst_difference(reference.series.rows, resumed.series.rows) <= 1e-10


def test_a_checkpoint_of_another_case_is_refused(tmp_path, monkeypatch):
    staging = _interrupted(_case(), tmp_path / "cut", 10, monkeypatch)
    with pytest.raises(CaseError, match="belongs to another case") as err:
        run(_case(temperature=310.0), outdir=tmp_path / "other", restart=staging)
    assert err.value.key == "restart"
    assert not (tmp_path / "other").exists()


def test_no_checkpoint_is_a_named_error(tmp_path):
    with pytest.raises(CaseError, match="no checkpoint in") as err:
        run(_case(), outdir=tmp_path / "r", restart=tmp_path / "nothing")
    assert err.value.key == "restart"
