"""The CLI's exit statuses and one-line messages per outcome (issue 12, findings 3, 6, 10): bad
input 2, solver failure 3, results not writable 4, out of memory 5 (never reported as bad
input), SIGINT 130, SIGTERM 143."""

from __future__ import annotations

import signal

import pytest

import ssefem.cli as cli
from ssefem.errors import CaseError, Interrupted, ResultsError, SolverError


def _interrupted(sig):
    err = Interrupted(sig, 12.5)
    err.kept = "results/.c.interrupted-1"
    return err


@pytest.mark.parametrize("error, status, starts", [
    (CaseError("layers[1].thickness", "must be > 0"), 2, "error: layers[1].thickness: must be"),
    (SolverError("SNES diverged"), 3, "solver error: SNES diverged"),
    (ResultsError("disk full", "results/c"), 4, "results error: results/c: disk full"),
    (MemoryError(), 5, "out of memory:"),
    (_interrupted(signal.SIGINT), 130, "interrupted by SIGINT at t = 12.5 s"),
    (_interrupted(signal.SIGTERM), 143, "interrupted by SIGTERM at t = 12.5 s"),
])
def test_exit_status_and_one_line(monkeypatch, capsys, error, status, starts):
    def fail(args):
        raise error

    monkeypatch.setitem(cli._COMMANDS, "run", fail)
    assert cli.main(["run", "case.toml"]) == status
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(starts), lines
    if isinstance(error, Interrupted):
        assert "results/.c.interrupted-1" in lines[0] and "--restart" in lines[0]
