"""Table caches (ssefem.table_cache): the directory honours SSEFEM_CACHE_DIR, the key hashes the
source of the code that builds a table, and a change of that code is a cache miss for the
contact law and the upscaled double layer (their solvers stubbed: no finite elements here)."""

from __future__ import annotations

import json

import pytest
from mpi4py import MPI

from ssefem import table_cache, tabulation
from ssefem.materials import Library
from ssefem.runner import tabulate


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SSEFEM_CACHE_DIR", str(tmp_path / "cache"))
    table_cache.source_digest.cache_clear()
    tabulation._memo.clear()


def test_cache_dir_override_and_default(tmp_path, monkeypatch):
    assert table_cache.cache_dir("contact_law") == tmp_path / "cache" / "contact_law"
    monkeypatch.delenv("SSEFEM_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert table_cache.cache_dir("space_charge") == tmp_path / "xdg" / "ssefem" / "space_charge"


def test_source_digest_follows_the_code(tmp_path, monkeypatch):
    pkg = tmp_path / "src" / "fake_table_pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("X = 1\n")
    (pkg / "data.toml").write_text("a = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    first = table_cache.source_digest("fake_table_pkg")
    assert table_cache.source_digest("fake_table_pkg") == first
    for name, text in (("__init__.py", "X = 2\n"), ("data.toml", "a = 2\n")):
        (pkg / name).write_text(text)
        table_cache.source_digest.cache_clear()
        changed = table_cache.source_digest("fake_table_pkg")
        assert changed != first
        first = changed
    key = table_cache.table_key({"a": 1}, ("fake_table_pkg",))
    assert key != table_cache.table_key({"a": 2}, ("fake_table_pkg",))
    with pytest.raises(ValueError, match="not an importable package"):
        table_cache.source_digest("no_such_package_here")


def _count_solves(monkeypatch, module, result):
    calls = []

    def solve(*args, **kwargs):
        calls.append(args)
        return result

    monkeypatch.setattr(module, "_solve", solve)
    return calls


def test_contact_law_cache_misses_when_the_code_changes(monkeypatch, tmp_path):
    from ssefem.physics.mechanics import contact_law as law

    table = {"pressure": [1e6, 2e6], "fraction": [0.1, 0.2], "factor": [0.05, 0.1],
             "resistance": [1.0, 0.5]}
    calls = _count_solves(monkeypatch, law, table)
    args = ("Li", "LLZO-Ta", Library.builtin(), 298.15,
            {"rms_height": 0.05, "wavelength": 10.0}, 10.0, 0.5, 0.5)
    tabulate([law.contact_law_tabulation(*args)], MPI.COMM_SELF)
    tabulation._memo.clear()  # a new process: only the disk cache
    tabulate([law.contact_law_tabulation(*args)], MPI.COMM_SELF)
    assert law.contact_law(*args).pressure.tolist() == table["pressure"]
    assert len(calls) == 1  # the second read the cache
    files = list((tmp_path / "cache" / "contact_law").glob("*.json"))
    assert len(files) == 1 and json.loads(files[0].read_text()) == table
    monkeypatch.setattr(table_cache, "source_digest", lambda *packages: "other code")
    tabulation._memo.clear()
    tabulate([law.contact_law_tabulation(*args)], MPI.COMM_SELF)
    assert len(calls) == 2  # a different code: solved again, in a new entry
    assert len(list((tmp_path / "cache" / "contact_law").glob("*.json"))) == 2


def test_upscaled_cache_misses_when_the_code_changes(monkeypatch, tmp_path):
    from ssefem_space_charge import upscaled

    table = {"v": [-1.0, 1.0], "ln_c": [0.0, 0.0], "sigma": [0.0, 0.0]}
    calls = _count_solves(monkeypatch, upscaled, table)
    sp = upscaled.SubProblem(1, 1.0, None, 30.0, 298.15, 0.5, 0.2, 5)
    upscaled.double_layer_table(sp)
    upscaled.double_layer_table(sp)
    assert len(calls) == 1
    digests = []
    monkeypatch.setattr(table_cache, "source_digest",
                        lambda *packages: digests.append(packages) or "other code")
    upscaled.double_layer_table(sp)
    assert len(calls) == 2
    assert digests == [("ssefem", "ssefem_space_charge")]  # the plugin's code counts too
