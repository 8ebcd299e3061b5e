"""The marker file that makes a directory a results directory ssefem created.

ssefem replaces or removes a directory only when it holds this marker (a regular file, not a
link, naming ssefem and the run that wrote it); a directory without it is the user's and is never
touched.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MARKER = ".ssefem-results"


def write_marker(directory: Path, case: str, run: str) -> None:
    from ssefem.version import __version__

    (directory / MARKER).write_text(json.dumps(
        {"ssefem": __version__, "case": case, "run": run}) + "\n")


def read_marker(directory: Path) -> dict | None:
    """The marker's record, or None when ``directory`` is not a results directory (no marker,
    a linked marker or directory, or a file that is not ssefem's)."""
    directory = Path(directory)
    path = directory / MARKER
    try:
        if directory.is_symlink() or not directory.is_dir() or path.is_symlink():
            return None
        if not path.is_file() or path.stat().st_size > 4096:
            return None
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "ssefem" in data and "run" in data else None


def is_results_dir(directory: Path) -> bool:
    return read_marker(directory) is not None


def remove_results_dir(directory: Path) -> None:
    """Remove a directory ssefem created (refuses any other)."""
    import shutil

    if not is_results_dir(directory):
        raise ValueError(f"{directory} is not a results directory ssefem created")
    # the marker goes last, so an interrupted removal leaves a directory still known as ours
    for entry in os.scandir(directory):
        if entry.name == MARKER:
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    os.unlink(directory / MARKER)
    os.rmdir(directory)
