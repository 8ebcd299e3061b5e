"""Fault tests through the CLI (issue 12, findings 3, 5, 6, 7, 8): SIGINT, SIGTERM and SIGKILL at
random points of a run, serially and under ``mpiexec -n 2``, never lose or change the last
published results and never publish a partial run; ``--restart`` after a kill gives the
uninterrupted curve within 1e-10; a second run of the same case is refused while one writes; a
full disk (a small tmpfs) gives one named error and keeps the earlier results.

The signals land at a random moment (seeded) after the run has streamed its first rows, so
each lands inside the solve, between steps or in the writing at the end.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
BIN = Path(sys.executable).parent
ENV = {**os.environ, "OMP_NUM_THREADS": "1"}
RNG = random.Random(12)

CASE = (ROOT / "cases" / "default.toml").read_text().replace(
    "[output]\nfields_every = 20", "[output]\nfields_every = 40\ncheckpoint_every = 15\n"
    "plots = false\nprogress = false")


def _cmd(*args, ranks=1):
    cli = [sys.executable, "-m", "ssefem.cli", *args]
    return [str(BIN / "mpiexec"), "-n", str(ranks), *cli] if ranks > 1 else cli


def _run(cwd, *args, ranks=1, timeout=300):
    return subprocess.run(_cmd(*args, ranks=ranks), cwd=cwd, capture_output=True, text=True,
                          env=ENV, timeout=timeout)


def _tree_digest(d: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(d.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(d).as_posix().encode() + p.read_bytes())
    return h.hexdigest()


def _rows(path: Path) -> list[dict]:
    with open(path) as fh:
        return list(csv.DictReader(fh))


def _worst(a: list[dict], b: list[dict]) -> float:
    assert len(a) == len(b) and a[0].keys() == b[0].keys()
    worst = 0.0
    for x, y in zip(a, b, strict=True):
        for k in x:
            if k == "kind":
                assert x[k] == y[k]
            elif x[k] or y[k]:
                u, v = float(x[k]), float(y[k])
                worst = max(worst, abs(u - v) / max(abs(u), abs(v), 1e-300))
    return worst


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A directory with the case and its uninterrupted results (published)."""
    d = tmp_path_factory.mktemp("faults")
    (d / "case.toml").write_text(CASE)
    out = _run(d, "run", "case.toml")
    assert out.returncode == 0, out.stderr
    return d


def _signal_during_run(cwd: Path, sig: int, ranks: int = 1, rows: int = 30):
    """Start a run, wait until it has streamed ``rows`` rows, wait a random moment more, send
    ``sig``; returns (exit status, stderr)."""
    proc = subprocess.Popen(_cmd("run", "case.toml", ranks=ranks), cwd=cwd, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        streamed = list((cwd / "results").glob(".default.staging-*/timeseries.csv"))
        if streamed and streamed[0].read_text().count("\n") > rows:
            break
        time.sleep(0.02)
    time.sleep(RNG.uniform(0.0, 0.4))
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=240)
    return proc.returncode, err


@pytest.mark.parametrize("ranks", [1, 2])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_keeps_published_results(work, sig, ranks):
    published = work / "results" / "default"
    before = _tree_digest(published)
    rc, err = _signal_during_run(work, sig, ranks)
    assert _tree_digest(published) == before  # the published results untouched
    if rc == 0:  # the signal came after the last step: complete results were published
        pytest.skip("the run had finished")
    assert rc == 128 + sig, err
    lines = [line for line in err.splitlines() if line.startswith("interrupted by")]
    assert len(lines) == 1 and signal.Signals(sig).name in lines[0], err
    assert "Traceback" not in err
    kept = Path(lines[0].split("what finished is in ")[1].split(" (")[0])
    assert kept.name.startswith(".default.interrupted-")
    summary = json.loads((kept / "summary.json").read_text())
    assert summary["status"] == "interrupted"
    assert len(_rows(kept / "timeseries.csv")) > 30  # streamed as it went
    shutil.rmtree(kept)


def test_sigkill_then_restart_gives_the_uninterrupted_curve(work):
    reference = _rows(work / "results" / "default" / "timeseries.csv")
    before = _tree_digest(work / "results" / "default")
    for _ in range(2):
        rc, _ = _signal_during_run(work, signal.SIGKILL, rows=RNG.randint(30, 300))
        assert rc == -9
        assert _tree_digest(work / "results" / "default") == before
        out = _run(work, "run", "case.toml", "--restart")
        assert out.returncode == 0, out.stderr
        assert "was killed" in out.stderr and "restarting from" in out.stderr
        restarted = _rows(work / "results" / "default" / "timeseries.csv")
        assert _worst(restarted, reference) < 1e-10
        summary = json.loads((work / "results" / "default" / "summary.json").read_text())
        assert summary["status"] == "completed" and ".killed-" in summary["restarted_from"][
            "directory"]
        before = _tree_digest(work / "results" / "default")
    # the killed runs that the restarts finished are gone; nothing else is left beside
    assert sorted(p.name for p in (work / "results").iterdir()) == [".default.lock", "default"]


@pytest.mark.parametrize("ranks", [1, 2])
def test_second_run_refused_while_one_writes(work, ranks):
    from ssefem.output.lock import RunLock

    lock = RunLock(work / "results", "default")  # a run in progress holds it
    lock.acquire()
    try:
        out = _run(work, "run", "case.toml", ranks=ranks, timeout=120)
    finally:
        lock.release()
    assert out.returncode == 4, out.stderr
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and "another run is writing these results" in lines[0], lines


def _tmpfs_runner():
    """A command prefix that runs a shell script with a private small tmpfs mounted, or None."""
    for prefix in (["unshare", "-m"], ["unshare", "-rm"]):
        if shutil.which(prefix[0]) is None:
            continue
        probe = subprocess.run([*prefix, "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o "
                                "size=1m tmpfs $d && umount $d"], capture_output=True)
        if probe.returncode == 0:
            return prefix
    return None


def test_disk_full_gives_one_named_error(tmp_path):
    prefix = _tmpfs_runner()
    if prefix is None:
        pytest.skip("no mount namespace for a tmpfs here")
    disk = tmp_path / "disk"
    disk.mkdir()
    small = CASE.replace("fields_every = 40", "fields_every = 0")
    big = CASE.replace("fields_every = 40", "fields_every = 1")
    script = f"""
        set -u
        mount -t tmpfs -o size=2m tmpfs {disk}
        cd {disk}
        cat > small.toml <<'X'
{small}
X
        cat > big.toml <<'X'
{big}
X
        {' '.join(_cmd('run', 'small.toml'))} > /dev/null 2> small.err; echo "small $?"
        sha=$(cd results/default && find . -type f | sort | xargs sha256sum | sha256sum)
        {' '.join(_cmd('run', 'big.toml'))} > /dev/null 2> big.err; echo "big $?"
        sha2=$(cd results/default && find . -type f | sort | xargs sha256sum | sha256sum)
        [ "$sha" = "$sha2" ] && echo same
        echo "---"; cat big.err
    """
    out = subprocess.run([*prefix, "bash", "-c", script], capture_output=True, text=True,
                         env=ENV, timeout=300)
    report = out.stdout
    assert "small 0" in report, report + out.stderr
    assert "big 4" in report and "same" in report, report
    err = report.split("---\n", 1)[1].strip().splitlines()
    assert len(err) == 1 and err[0].startswith("results error:") and "disk full" in err[0], err
    assert len(err[0]) < 400 and "results/default: disk full" in err[0], err
    assert "HDF5" not in report
