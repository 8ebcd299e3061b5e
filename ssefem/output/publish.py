"""Publishing a staging directory over the results in one atomic step.

On Linux ``renameat2(RENAME_EXCHANGE)`` swaps the two directories at once: at every moment
``results/<name>`` is either the old or the new complete results. Where the filesystem cannot
exchange (it answers EINVAL or ENOSYS), the old results are renamed aside to ``.<name>.old-<run>``
first and the staging directory renamed in; a kill between the two leaves the target missing for
a moment, and :func:`ssefem.output.results.recover` puts the old results back.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _renameat2():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_RENAMEAT2 = _renameat2()


def exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system or filesystem cannot."""
    if _RENAMEAT2 is None:
        return False
    if _RENAMEAT2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def publish(staging: Path, target: Path, aside: Path) -> Path | None:
    """Make ``staging`` the ``target``; returns the path now holding the old results (to be
    removed by the caller), or None when there were none."""
    if not target.exists():
        os.rename(staging, target)
        return None
    if exchange(staging, target):
        return staging
    log.debug("%s: no atomic exchange on this filesystem, renaming in two steps", target)
    os.rename(target, aside)
    os.rename(staging, target)
    return aside
