"""Where a run's results go, and whether ssefem may write there.

``output.directory`` comes from the case file, which is untrusted: it must be a relative path
that stays below the working directory (no ``..``, no absolute path, no symbolic link on the
way). A directory given on the command line (``-o``) or to :func:`ssefem.runner.run` is the
user's own choice and may be anywhere. Either way, an existing target is replaced only when it is
a results directory ssefem created (:mod:`ssefem.output.marker`); anything else is refused.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ssefem.errors import CaseError
from ssefem.output.marker import is_results_dir

#: longest name of the target directory: its hidden siblings add a suffix of ~40 characters
#: and most filesystems allow 255 bytes a name
LONGEST_NAME = 200


@dataclass(frozen=True)
class Target:
    path: Path  # absolute
    key: str  # the key or option that chose it, for messages

    @property
    def parent(self) -> Path:
        return self.path.parent

    @property
    def name(self) -> str:
        return self.path.name


def resolve_target(case_name: str, case_directory: str | None, given: str | Path | None,
                   cwd: Path | None = None) -> Target:
    """The checked results directory of a run (raises :class:`CaseError` naming the key)."""
    cwd = Path(cwd or os.getcwd()).resolve()
    key = "--output" if given is not None else "output.directory"
    for part in Path(given if given is not None else case_directory or "").parts:
        if len(os.fsencode(part)) > LONGEST_NAME:
            raise CaseError(key, f"a name in {str(part)[:40]!r}... is longer than "
                            f"{LONGEST_NAME} bytes")
    if given is not None:
        key, raw = "--output", Path(given)
        path = Path(os.path.abspath(cwd / raw))
    else:
        key = "output.directory"
        raw = Path(case_directory) if case_directory else Path("results") / case_name
        if raw.is_absolute():
            raise CaseError(key, f"{str(raw)!r} is absolute: a case file may only name a "
                            "directory below the working directory (give -o on the command "
                            "line for another place)")
        if ".." in raw.parts:
            raise CaseError(key, f"{str(raw)!r} climbs out with '..': a case file may only name "
                            "a directory below the working directory")
        path = cwd / raw
        _no_links(path, cwd, key)
    if path == cwd or path in cwd.parents or path.parent == path:
        raise CaseError(key, f"{str(raw)!r} is the working directory or above it: name a "
                        "directory for the results")
    if path.is_symlink():
        raise CaseError(key, f"{str(raw)!r} is a symbolic link: ssefem replaces only "
                        "directories it created")
    if path.exists() and not is_results_dir(path):
        what = "a directory" if path.is_dir() else "a file"
        raise CaseError(key, f"{str(raw)!r} is {what} that ssefem did not create (no "
                        f".ssefem-results marker): it is never replaced; name another "
                        f"directory or remove it yourself")
    return Target(path, key)


def _no_links(path: Path, cwd: Path, key: str) -> None:
    """Refuse a symbolic link on the way from ``cwd`` to ``path`` (it could lead anywhere)."""
    here = cwd
    for part in path.relative_to(cwd).parts:
        here = here / part
        if here.is_symlink():
            raise CaseError(key, f"{str(here.relative_to(cwd))!r} is a symbolic link: a case "
                            "file may only write below the working directory")
        if not here.exists():
            return
