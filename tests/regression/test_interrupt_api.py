"""A signal during a run through the Python API (issue 12, finding 3): the run stops at the next
step with :class:`Interrupted` on every path (results written or not); the handlers are the
caller's again afterwards."""

from __future__ import annotations

import json
import os
import signal

import pytest

from conftest import make_case

import ssefem.studies.protocol as protocol
from ssefem.errors import Interrupted
from ssefem.runner import run

STEPS = [{"kind": "discharge", "c_rate": 2.0, "duration": 600.0}]


def _signal_at(monkeypatch, step: int, sig: int) -> dict:
    accept = protocol.ProtocolRunner._accept
    sent = {}

    def accept_then_signal(self, *args, **kwargs):
        accept(self, *args, **kwargs)
        if self.nsteps == step:
            sent["time"] = self.time
            os.kill(os.getpid(), sig)

    monkeypatch.setattr(protocol.ProtocolRunner, "_accept", accept_then_signal)
    return sent


@pytest.mark.parametrize("write", [False, True])
def test_signal_stops_the_run_at_the_next_step(tmp_path, monkeypatch, write):
    case = make_case(initial={"stoichiometry": 0.52}, protocol={"steps": STEPS},
                     output={"fields_every": 0})
    sent = _signal_at(monkeypatch, 6, signal.SIGTERM)
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(Interrupted) as err:
        run(case, outdir=tmp_path / "out", write=write)
    assert err.value.signum == signal.SIGTERM and err.value.exit_status == 143
    assert err.value.time == sent["time"] > 0  # stopped after the step it came in, no later
    assert signal.getsignal(signal.SIGTERM) is before
    assert not (tmp_path / "out").exists()
    if write:
        kept = err.value.kept
        assert kept.name.startswith(".out.interrupted-")
        assert json.loads((kept / "summary.json").read_text())["status"] == "interrupted"
        assert (kept / "timeseries.csv").read_text().count("\n") == 1 + 6  # header, 6 steps
