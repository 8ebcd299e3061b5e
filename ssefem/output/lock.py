"""One run at a time per results directory: an exclusive ``flock`` on ``.<name>.lock``.

The lock is held by rank 0 from before the leftovers of earlier runs are looked at until the run
has published or set its staging directory aside; a second run of the same target refuses at
once with a message naming the run that holds it. The kernel drops the lock when its holder dies
(even by SIGKILL), so a killed run never leaves the target locked.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from pathlib import Path

from ssefem.errors import ResultsError


class RunLock:
    def __init__(self, parent: Path, name: str):
        self.path = Path(parent) / f".{name}.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise ResultsError(f"another run is writing these results ({holder}); wait for it "
                               "to finish or choose another output directory",
                               self.path.parent / self.path.name[1:-5]) from None
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                 "since": time.strftime("%Y-%m-%d %H:%M:%S")}).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # drops the lock; the file stays (removing it would race)
            self._fd = None


def _read_holder(fd: int) -> str:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        return f"pid {data['pid']} on {data['host']} since {data['since']}"
    except (OSError, ValueError, KeyError):
        return "a run that has just started"
