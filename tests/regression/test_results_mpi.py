"""Results under ``mpiexec -n 2`` through the CLI (issue 12, findings 4, 5): a filesystem error
that rank 0 alone meets ends every rank alike with one message (no hang, no traceback); a kill
of the whole job never changes the published results, and ``--restart`` on 2 ranks gives the
2-rank uninterrupted curve within 1e-10."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from test_faults import CASE, ENV, _cmd, _rows, _run, _tree_digest, _worst


def _case(d, directory=None, name="case.toml"):
    text = CASE if directory is None else CASE.replace(
        "[output]\n", f"[output]\ndirectory = {directory!r}\n".replace("'", '"'))
    (d / name).write_text(text)
    return name


@pytest.mark.parametrize("directory, status, words", [
    (".", 2, "output.directory: '.' is the working directory"),
    ("x" * 300, 2, "longer than 200 bytes"),
    ("afile/results", 4, "a file is in the way"),  # rank 0's mkdir fails
    ("user", 2, "did not create"),
])
def test_rank0_errors_end_every_rank_alike(tmp_path, directory, status, words):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "user").mkdir()
    (tmp_path / "user" / "notes.txt").write_text("mine")
    name = _case(tmp_path, directory)
    out = _run(tmp_path, "run", name, ranks=2, timeout=120)  # a hang fails by the timeout
    assert out.returncode == status, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and words in lines[0], lines
    assert (tmp_path / "user" / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", name, "user"]
    # validate says so too, where the case alone shows it (not a file met when creating it)
    out = _run(tmp_path, "validate", name, timeout=120)
    assert out.returncode == (status if status == 2 else 0), out.stderr
    if status == 2:
        assert out.stderr.strip().splitlines() == [lines[0]], out.stderr


def test_killed_job_then_restart_on_two_ranks(tmp_path):
    ref, work = tmp_path / "ref", tmp_path / "work"
    for d in (ref, work):
        d.mkdir()
        _case(d)
        out = _run(d, "run", "case.toml", ranks=2)
        assert out.returncode == 0, out.stderr
    published = work / "results" / "default"
    before = _tree_digest(published)
    proc = subprocess.Popen(_cmd("run", "case.toml", ranks=2), cwd=work, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        streamed = list((work / "results").glob(".default.staging-*/timeseries.csv"))
        if streamed and streamed[0].read_text().count("\n") > 100:
            break
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # mpiexec and both ranks at once
    proc.wait(timeout=60)
    assert _tree_digest(published) == before
    out = _run(work, "run", "case.toml", "--restart", ranks=2)
    assert out.returncode == 0, out.stderr
    assert "was killed" in out.stderr
    reference = _rows(ref / "results" / "default" / "timeseries.csv")
    assert _worst(_rows(published / "timeseries.csv"), reference) < 1e-10
