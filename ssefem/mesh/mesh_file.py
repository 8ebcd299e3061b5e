"""User meshes: only gmsh ``.msh`` files, checked by content, opened from a private copy.

gmsh reads any file it is handed: a name not ending in ``.msh`` is parsed as a ``.geo``
script, whose ``SystemCall`` runs a shell command, and opening ``x.msh`` also runs the script
``x.msh.opt`` when one lies beside it. So a case's ``geometry.mesh_file`` is accepted only when
its name ends in ``.msh``, it is a regular file (not a directory, FIFO or device; a symlink is
followed and its target checked) and its content starts like a mesh: the line ``$MeshFormat``,
then ``<version> <file-type> <data-size>`` with version 2.x or 4.x and file type 0 (ASCII) or
1 (binary). gmsh then opens a copy of those bytes in a fresh private directory, where no
option file can lie beside it and the checked content cannot be swapped before gmsh reads it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ssefem.errors import CaseError

KEY = "geometry.mesh_file"
_VERSION = re.compile(rb"^(2(\.[0-2])?|4(\.[01])?)\s+([01])\s+(\d+)\s*$")


def _shown(path: str | Path) -> str:
    text = str(path)
    return repr(text if len(text) <= 80 else text[:77] + "...")


def _open_checked(path: str | Path) -> int:
    """A read-only descriptor of the checked mesh file (raises :class:`CaseError`)."""
    p = Path(path)
    if p.suffix.lower() != ".msh":
        raise CaseError(KEY, f"{_shown(path)} is not a gmsh .msh file: only .msh meshes are "
                        "read (a .geo or other file could run commands through gmsh)")
    try:
        st = os.stat(p)  # follows a symlink: its target is what gmsh would read
    except FileNotFoundError:
        raise CaseError(KEY, f"file {_shown(path)} not found") from None
    except OSError as err:
        raise CaseError(KEY, f"{_shown(path)} cannot be read: {err.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        raise CaseError(KEY, f"{_shown(path)} is {what}; a gmsh .msh file is needed")
    try:  # O_NONBLOCK: a FIFO swapped in after the stat must not block the open
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as err:
        raise CaseError(KEY, f"{_shown(path)} cannot be read: {err.strerror}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise CaseError(KEY, f"{_shown(path)} is not a regular file")
        head = os.pread(fd, 256, 0)
        _check_header(path, head)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _check_header(path: str | Path, head: bytes) -> None:
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    if not lines or lines[0].strip() != b"$MeshFormat":
        raise CaseError(KEY, f"{_shown(path)} is not a gmsh mesh: its first line is not "
                        "'$MeshFormat'")
    if len(lines) < 2 or not _VERSION.match(lines[1]):
        raise CaseError(KEY, f"{_shown(path)}: unsupported mesh format line (MSH 2 or 4, "
                        "ASCII or binary, is read)")


def check_mesh_file(path: str | Path) -> None:
    """Raise :class:`CaseError` (key ``geometry.mesh_file``) unless ``path`` is a .msh mesh."""
    os.close(_open_checked(path))


@contextlib.contextmanager
def private_copy(path: str | Path) -> Iterator[str]:
    """The checked mesh, copied into a fresh private directory (removed afterwards): the path
    to hand to ``gmsh.open``."""
    fd = _open_checked(path)
    directory = tempfile.mkdtemp(prefix="ssefem-mesh-")
    try:
        target = os.path.join(directory, "mesh.msh")
        with os.fdopen(fd, "rb") as src, open(target, "xb") as dst:
            fd = -1
            shutil.copyfileobj(src, dst, 1 << 20)
        yield target
    finally:
        if fd >= 0:
            os.close(fd)
        shutil.rmtree(directory, ignore_errors=True)
