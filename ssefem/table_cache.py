"""On-disk caches of tables solved from sub-problems (the cell-scale contact law, the upscaled
double layer).

A table is stored under a key that hashes its inputs together with the source of the code that
builds it (every ``.py`` file and the data files of the packages named), so that a change of
that code, or of the material data, is a cache miss instead of a stale table. The cache lives
in ``$SSEFEM_CACHE_DIR/<kind>`` when that variable is set (tests point it at a temporary
directory), else in ``$XDG_CACHE_HOME/ssefem/<kind>`` (``~/.cache`` by default).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
from pathlib import Path

CACHE_ENV = "SSEFEM_CACHE_DIR"
#: files of a package that take part in its source digest
_SOURCE_SUFFIXES = (".py", ".toml")


def cache_dir(kind: str) -> Path:
    """The directory of the tables of ``kind`` (not created here)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override) / kind
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ssefem" / kind


@functools.lru_cache(maxsize=None)
def source_digest(*packages: str) -> str:
    """SHA-256 over the relative paths and bytes of the source and data files of ``packages``
    (importable package names), in a fixed order."""
    h = hashlib.sha256()
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise ValueError(f"{name!r} is not an importable package")
        for root in sorted(spec.submodule_search_locations):
            base = Path(root)
            files = sorted(p for p in base.rglob("*")
                           if p.suffix in _SOURCE_SUFFIXES and p.is_file()
                           and "__pycache__" not in p.parts)
            for path in files:
                h.update(f"{name}/{path.relative_to(base).as_posix()}\0".encode())
                h.update(path.read_bytes())
                h.update(b"\0")
    return h.hexdigest()


def table_key(inputs: dict, packages: tuple[str, ...]) -> str:
    """Cache key of a table: its inputs (JSON-serialisable) and the digest of ``packages``."""
    payload = json.dumps({"inputs": inputs, "source": source_digest(*packages)},
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]
