"""Recovery of the FFCx/DOLFINx JIT form cache after an interrupted compile.

FFCx claims a form module by creating ``<module>.c`` with exclusive access (``open(..., "x")``),
writes the generated source into it, compiles it next to it, and only then creates
``<module>.c.cached``. Any other process that finds the ``.c`` waits up to the JIT ``timeout``
(10 s by default) for the ``.c.cached`` and then raises "JIT compilation timed out". A compile
killed before the end (SIGKILL, a closed terminal, a batch job out of time) leaves a ``.c`` (often
0 bytes) with no ``.c.cached``, and every later run fails on that form until someone empties the
cache by hand.

:func:`recover` removes exactly those entries: a ``.c`` without its ``.c.cached`` whose files
(``.c``, ``.o``, shared objects) have not changed for longer than the JIT timeout, the time after
which DOLFINx itself gives up waiting for them. An entry younger than that may be another
process's compile in progress: it is waited for (up to the timeout) and removed only if it is
still unfinished and untouched by then. Finished entries are never touched.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)

_READY = ".c.cached"


def jit_settings() -> tuple[Path, float]:
    """The JIT cache directory and timeout DOLFINx uses (its options, the user's config file and
    ``XDG_CACHE_HOME`` included)."""
    from dolfinx import jit

    options = jit.get_options()
    return Path(options["cache_dir"]).expanduser(), float(options["timeout"])


def _unfinished(cache_dir: Path) -> list[Path]:
    """The ``.c`` files of ``cache_dir`` that have no ``.c.cached`` (claimed, never finished)."""
    try:
        sources = [p for p in cache_dir.iterdir() if p.suffix == ".c" and p.is_file()]
    except FileNotFoundError:
        return []
    return [c for c in sources if not c.with_suffix(_READY).exists()]


def _parts(source: Path) -> list[Path]:
    """Every file a compile of ``source``'s module leaves: the ``.c``, its object file and shared
    objects (``<module>.o``, ``<module>.<abi>.so``); never the ``.c.cached`` or ``.c.failed``."""
    stem = source.stem
    out = []
    for p in source.parent.iterdir():
        name = p.name
        if name == source.name or name == stem + ".o" or (
                name.startswith(stem + ".") and name.endswith((".so", ".pyd", ".dylib"))):
            out.append(p)
    return out


def _last_change(files: list[Path]) -> float:
    latest = 0.0
    for p in files:
        try:
            latest = max(latest, p.stat().st_mtime)
        except FileNotFoundError:
            pass
    return latest


def recover(cache_dir: Path | None = None, timeout: float | None = None,
            clock=time.time, sleep=time.sleep) -> list[str]:
    """Remove the stale entries of the JIT cache (see the module docstring); return the names of
    the modules removed. ``cache_dir``/``timeout`` default to DOLFINx's JIT options."""
    if cache_dir is None or timeout is None:
        default_dir, default_timeout = jit_settings()
        cache_dir = default_dir if cache_dir is None else Path(cache_dir)
        timeout = default_timeout if timeout is None else float(timeout)
    if timeout < 0:
        raise ValueError(f"JIT timeout must be >= 0, got {timeout}")
    cache_dir = Path(cache_dir)
    removed: list[str] = []
    pending = _unfinished(cache_dir)
    deadline = clock() + timeout
    while pending:
        young = []
        for source in pending:
            if source.with_suffix(_READY).exists():
                continue  # finished meanwhile: a live compile, left alone
            parts = _parts(source)
            if not parts:
                continue  # removed meanwhile (by another process's recovery)
            if clock() - _last_change(parts) > timeout:
                for p in parts:
                    try:
                        p.unlink()
                    except FileNotFoundError:
                        pass
                removed.append(source.stem)
            else:
                young.append(source)
        pending = young
        if pending:
            if clock() >= deadline + timeout:  # still being written to: a live compile
                break
            sleep(min(1.0, max(timeout / 10.0, 0.05)))
    if removed:
        log.warning("removed %d stale JIT cache entr%s left by an interrupted compile in %s: %s",
                    len(removed), "y" if len(removed) == 1 else "ies", cache_dir,
                    ", ".join(sorted(removed)))
    return removed


def recover_collective(comm) -> list[str]:
    """:func:`recover` on rank 0 of ``comm`` (the ranks share one cache directory), the others
    waiting for it so that no rank compiles against a cache being cleaned."""
    removed: list[str] = []
    if comm.rank == 0:
        try:
            removed = recover()
        except OSError as err:  # an unreadable cache is DOLFINx's to report, not ours
            log.warning("JIT cache not checked for stale entries: %s", err)
    return comm.bcast(removed, root=0)
