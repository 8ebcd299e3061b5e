"""The results directory (issue 12, findings 2, 4, 5, 7): what a case may name, the marker that
alone lets ssefem replace a directory, the lock, the atomic publish and the recovery of what a
kill leaves, with a SIGKILL injected at every filesystem step of publishing and recovering."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mpi4py import MPI

from ssefem.errors import CaseError, ResultsError
from ssefem.output.lock import RunLock
from ssefem.output.marker import MARKER, is_results_dir, remove_results_dir
from ssefem.output.results import ResultsDir, recover
from ssefem.output.target import resolve_target


def _target(tmp_path: Path, directory=None, given=None):
    return resolve_target("c", directory, given, cwd=tmp_path)


@pytest.mark.parametrize("directory, words", [
    ("../up", "climbs out"), ("a/../../up", "climbs out"), ("/tmp/abs", "absolute"),
    (".", "working directory"), ("x" * 250, "longer than"),
])
def test_case_directory_refused(tmp_path, directory, words):
    with pytest.raises(CaseError, match=words) as err:
        _target(tmp_path, directory)
    assert err.value.key == "output.directory"


def test_symlinks_refused(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(CaseError, match="symbolic link"):
        _target(tmp_path, "link/results")
    with pytest.raises(CaseError, match="symbolic link"):
        _target(tmp_path, "link")
    with pytest.raises(CaseError, match="symbolic link"):  # the CLI's -o too, at the target
        _target(tmp_path, given="link")


def test_existing_user_directory_and_file_refused(tmp_path):
    user = tmp_path / "results" / "c"
    user.mkdir(parents=True)
    (user / "thesis.tex").write_text("years of work")
    with pytest.raises(CaseError, match="did not create") as err:
        _target(tmp_path)
    assert err.value.key == "output.directory"
    with pytest.raises(CaseError, match="did not create") as err:
        _target(tmp_path, given=user)
    assert err.value.key == "--output"
    (tmp_path / "f").write_text("x")
    with pytest.raises(CaseError, match="a file"):
        _target(tmp_path, "f")
    assert (user / "thesis.tex").read_text() == "years of work"


def test_marker_is_what_makes_a_results_directory(tmp_path):
    d = tmp_path / "d"
    d.mkdir()
    assert not is_results_dir(d)
    (d / MARKER).write_text("{}")  # not ssefem's record
    assert not is_results_dir(d)
    with pytest.raises(ValueError):
        remove_results_dir(d)
    (d / MARKER).unlink()
    (d / MARKER).symlink_to(tmp_path / "elsewhere")
    assert not is_results_dir(d)
    assert d.exists()


def _publish_once(tmp_path: Path, content: str) -> Path:
    target = _target(tmp_path, given=tmp_path / "results" / "c")
    with ResultsDir(target, MPI.COMM_SELF, "c") as res:
        res.write_text("data.txt", content)
        res.publish()
    return target.path


def test_publish_replaces_only_results(tmp_path):
    target = _publish_once(tmp_path, "one")
    assert (target / "data.txt").read_text() == "one" and is_results_dir(target)
    _publish_once(tmp_path, "two")
    assert (target / "data.txt").read_text() == "two"
    names = sorted(p.name for p in target.parent.iterdir())
    assert names == [".c.lock", "c"]  # the old results removed, no staging left


def test_a_directory_that_appears_during_the_run_is_left_alone(tmp_path):
    target = _target(tmp_path, given=tmp_path / "results" / "c")  # checked: absent
    with pytest.raises(ResultsError, match="appeared during the run") as err:
        with ResultsDir(target, MPI.COMM_SELF, "c") as res:
            res.write_text("data.txt", "new")
            target.path.mkdir()
            (target.path / "mine.txt").write_text("the user's")
            res.publish()
    assert (target.path / "mine.txt").read_text() == "the user's"
    assert sorted(p.name for p in target.path.iterdir()) == ["mine.txt"]
    assert (err.value.kept / "data.txt").read_text() == "new"


def test_failure_and_interrupt_set_aside(tmp_path):
    from ssefem.errors import Interrupted

    target = _publish_once(tmp_path, "good")
    for exc, kind in ((RuntimeError("boom"), "failed"), (Interrupted(2, 1.0), "interrupted")):
        with pytest.raises(type(exc)):
            with ResultsDir(_target(tmp_path, given=target), MPI.COMM_SELF, "c") as res:
                res.write_text("data.txt", "half")
                raise exc
        assert exc.kept is not None and Path(exc.kept).name.startswith(f".c.{kind}-")
        assert (Path(exc.kept) / "data.txt").read_text() == "half"
    assert (target / "data.txt").read_text() == "good"


def test_second_run_refused_while_the_first_holds_the_lock(tmp_path):
    first = RunLock(tmp_path, "c")
    first.acquire()
    try:
        with pytest.raises(ResultsError, match=f"another run is writing.*pid {os.getpid()}"):
            with ResultsDir(_target(tmp_path, given=tmp_path / "c"), MPI.COMM_SELF, "c"):
                pass
    finally:
        first.release()
    assert not (tmp_path / "c").exists()
    assert not [p for p in tmp_path.iterdir() if "staging" in p.name]


def test_recover_keeps_the_newest_three_of_each_kind(tmp_path):
    target = _publish_once(tmp_path, "good")
    for i in range(5):
        d = tmp_path / "results" / f".c.killed-{i}"
        d.mkdir()
        (d / MARKER).write_text(json.dumps({"ssefem": "x", "run": str(i)}))
        os.utime(d, (1000 + i, 1000 + i))
    recover(target)
    left = sorted(p.name for p in target.parent.glob(".c.killed-*"))
    assert left == [".c.killed-2", ".c.killed-3", ".c.killed-4"]


# every filesystem step of a publish over existing results, and of the next run's recovery,
# is a point where a SIGKILL can land: the child kills itself at step k
_CHILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    import ssefem.output.publish as publish
    import ssefem.output.marker as marker
    import ssefem.output.results as results
    from mpi4py import MPI
    k, root, atomic = int(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "1"
    calls = [0]
    def killing(fn):
        def wrapped(*a, **kw):
            calls[0] += 1
            if calls[0] == k:
                os.kill(os.getpid(), signal.SIGKILL)
            return fn(*a, **kw)
        return wrapped
    for mod in (publish, results, marker):
        mod.os = type(os)("os_proxy")
        mod.os.__dict__.update(os.__dict__)
        for name in ("rename", "replace", "unlink", "rmdir", "mkdir"):
            setattr(mod.os, name, killing(getattr(os, name)))
    if not atomic:
        publish.exchange = lambda a, b: False
    if sys.argv[4] == "publish":
        with results.ResultsDir(root / "c", MPI.COMM_SELF, "c") as res:
            res.write_text("data.txt", "new")
            res.publish()
    else:
        results.recover(root / "c")
    print("steps", calls[0])
""")


def _state(root: Path) -> str:
    data = root / "c" / "data.txt"
    return data.read_text() if data.is_file() else "missing"


@pytest.mark.parametrize("atomic", [True, False], ids=["exchange", "two-renames"])
def test_sigkill_at_every_step_of_publish_loses_nothing(tmp_path, atomic):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    k, steps = 1, None
    while steps is None or k <= steps:
        root = tmp_path / f"k{k}"
        root.mkdir()
        _publish_once(root, "old")
        os.rename(root / "results" / "c", root / "c")  # the target at root/c
        os.rename(root / "results" / ".c.lock", root / ".c.lock")
        out = subprocess.run([sys.executable, "-c", _CHILD, str(k), str(root), str(int(atomic)),
                              "publish"], env=env, capture_output=True, text=True, timeout=120)
        if out.returncode == 0:
            steps = int(out.stdout.split()[-1])
            assert _state(root) == "new", k
        else:
            assert out.returncode == -9, out.stderr
            # right after the kill the results are the old or the new (atomic), or, only in
            # the two-rename fallback, missing until the next run recovers them
            seen = _state(root)
            assert seen in (("old", "new") if atomic else ("old", "new", "missing")), (k, seen)
            recover(root / "c")  # what the next run does first
            after = _state(root)
            assert after in ("old", "new") and (seen == "missing" or after == seen), (k, after)
            assert is_results_dir(root / "c")
            leftovers = {p.name.split("-")[0] for p in root.iterdir() if p.name.startswith(".c.")}
            assert leftovers <= {".c.lock", ".c.killed"}, (k, leftovers)
        k += 1
    assert steps >= 3


def test_sigkill_at_every_step_of_recovery(tmp_path):
    """A kill while recovering leaves what the next recovery finishes."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    for k in range(1, 6):
        root = tmp_path / f"k{k}"
        root.mkdir()
        target = _publish_once(root, "old")
        # leftovers of a killed run: its staging and the old results exchanged out
        for name, run in ((".c.staging-1", "1"), (".c.staging-2", "x")):
            d = target.parent / name
            d.mkdir()
            (d / MARKER).write_text(json.dumps({"ssefem": "x", "run": run}))
            (d / "data.txt").write_text("half")
        out = subprocess.run([sys.executable, "-c", _CHILD, str(k), str(target.parent), "1",
                              "recover"], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode in (0, -9), out.stderr
        recover(target)
        assert (target / "data.txt").read_text() == "old"
        names = sorted(p.name for p in target.parent.iterdir())
        assert names == [".c.killed-1", ".c.lock", "c"], (k, names)
