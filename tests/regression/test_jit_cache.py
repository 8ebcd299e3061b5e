"""An interrupted JIT compile must not poison the form cache (issue 12, finding 13).

A compile killed by SIGKILL leaves ``<module>.c`` (0 bytes when killed before the source was
written, nothing else) and no ``<module>.c.cached``; FFCx then waits for the marker on every later
run and fails with "JIT compilation timed out". The state is planted deterministically here, in
a private cache (``XDG_CACHE_HOME``), exactly as a killed compile leaves it."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from ssefem import jit_cache

CASE = """
name = "jit"
temperature = 298.15
[geometry]
dimension = 1
[[layers]]
name = "cathode"
material = "LiCoO2"
thickness = 2.0
cells = 8
[[layers]]
name = "electrolyte"
material = "LiPON"
thickness = 1.5
cells = 4
[[layers]]
name = "anode"
material = "Li"
thickness = 3.0
cells = 3
[[protocol.steps]]
kind = "steady"
currents = [0.0]
[output]
plots = false
progress = false
"""


def _poison(entry_c, age: float) -> None:
    """Leave ``entry_c`` as a compile killed during code generation leaves it, ``age`` s ago."""
    for p in entry_c.parent.iterdir():
        if p.name.startswith(entry_c.stem + "."):
            p.unlink()
    entry_c.write_bytes(b"")
    then = time.time() - age
    os.utime(entry_c, (then, then))


def _run(tmp_path, out):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "ssefem.cli", "run", str(tmp_path / "case.toml"),
                           "-o", str(tmp_path / out), "--no-progress"], env=env, text=True,
                          capture_output=True, timeout=300, check=False)


def test_run_after_killed_compile_recovers(tmp_path):
    (tmp_path / "case.toml").write_text(CASE)
    first = _run(tmp_path, "first")
    assert first.returncode == 0, first.stderr[-2000:]
    cache = tmp_path / "cache" / "fenics"
    done = sorted(cache.glob("*.c.cached"))
    assert done, list(cache.iterdir())
    poisoned = done[0].with_suffix("")  # <module>.c
    _poison(poisoned, age=60.0)
    second = _run(tmp_path, "second")
    assert second.returncode == 0, second.stderr[-2000:]
    assert "JIT compilation timed out" not in second.stderr
    assert "stale JIT cache entr" in second.stderr
    assert poisoned.with_suffix(".c.cached").is_file()  # compiled afresh
    assert (tmp_path / "second" / "summary.json").is_file()


def _entry(cache, name, age, *, cached=False, so=False):
    c = cache / f"{name}.c"
    c.write_text("/* source */" if cached or so else "")
    files = [c]
    if so:
        files.append(cache / f"{name}.cpython-313-x86_64-linux-gnu.so")
        files[-1].write_bytes(b"\x7fELF")
    if cached:
        files.append(cache / f"{name}.c.cached")
        files[-1].write_text("log")
    then = time.time() - age
    for p in files:
        os.utime(p, (then, then))
    return files


def test_recover_removes_only_stale_entries(tmp_path):
    cache = tmp_path / "fenics"
    cache.mkdir()
    stale = _entry(cache, "libffcx_forms_stale", 100.0)
    stale_so = _entry(cache, "libffcx_forms_half", 100.0, so=True)
    finished = _entry(cache, "libffcx_forms_done", 100.0, cached=True, so=True)
    removed = jit_cache.recover(cache, timeout=10.0, sleep=lambda s: None)
    assert sorted(removed) == ["libffcx_forms_half", "libffcx_forms_stale"]
    assert not any(p.exists() for p in stale + stale_so)
    assert all(p.exists() for p in finished)


def test_recover_leaves_a_live_compile_alone(tmp_path):
    """A young unfinished entry that gets its marker while recovery waits is not removed."""
    cache = tmp_path / "fenics"
    cache.mkdir()
    live = _entry(cache, "libffcx_forms_live", 0.0)
    now = [time.time()]

    def sleep(s):  # the other process finishes its compile during the wait
        now[0] += s
        live[0].with_suffix(".c.cached").write_text("log")

    assert jit_cache.recover(cache, timeout=10.0, clock=lambda: now[0], sleep=sleep) == []
    assert live[0].exists()


def test_recover_waits_out_a_young_abandoned_entry(tmp_path):
    cache = tmp_path / "fenics"
    cache.mkdir()
    young = _entry(cache, "libffcx_forms_young", 2.0)
    now = [time.time()]

    def sleep(s):
        now[0] += s

    assert jit_cache.recover(cache, timeout=5.0, clock=lambda: now[0],
                             sleep=sleep) == ["libffcx_forms_young"]
    assert not young[0].exists()


def test_recover_rejects_negative_timeout(tmp_path):
    with pytest.raises(ValueError, match="timeout"):
        jit_cache.recover(tmp_path, timeout=-1.0)
