"""Filesystem steps whose outcome is collective: every rank raises the same named error.

A step that runs on rank 0 only (creating, renaming or removing a directory, writing a text
file) or on each rank for itself (a rank's checkpoint file) can fail on one rank alone; the
others would then wait for ever at the next collective call. These wrappers run the step, share
its outcome and raise the same error on every rank, so that all ranks exit alike with one message.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable

from mpi4py import MPI

from ssefem.errors import CaseError, ResultsError

log = logging.getLogger(__name__)


def _describe(err: BaseException) -> tuple:
    if isinstance(err, CaseError):
        return ("case", err.key, err.message)
    if isinstance(err, ResultsError):
        return ("results", err.path, err.message)
    if isinstance(err, OSError):
        return ("results", err.filename, _os_message(err))
    log.error("rank %d failed", MPI.COMM_WORLD.rank, exc_info=err)  # a bug: keep its traceback
    return ("other", None, f"{type(err).__name__}: {err}")


def _os_message(err: OSError) -> str:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return "disk full (no space left on the device, or the quota is used up)"
    if err.errno == errno.ENAMETOOLONG:
        return "a file name is longer than the filesystem allows"
    return err.strerror or str(err)


def _raise(described: tuple) -> None:
    kind, where, message = described
    if kind == "case":
        raise CaseError(where, message)
    if kind == "results":
        raise ResultsError(message, where)
    raise RuntimeError(message)


def on_rank0[T](comm: MPI.Comm, step: Callable[[], T]) -> T:
    """Run ``step`` on rank 0 and return its value on every rank, or raise its error on every
    rank (collective)."""
    value, failure = None, None
    if comm.rank == 0:
        try:
            value = step()
        except Exception as err:  # noqa: BLE001 (any error: shared, then raised everywhere)
            failure = _describe(err)
    value, failure = comm.bcast((value, failure), root=0)
    if failure is not None:
        _raise(failure)
    return value


def on_each[T](comm: MPI.Comm, step: Callable[[], T]) -> T:
    """Run ``step`` on every rank; if it fails on any, raise the first failing rank's error on
    every rank (collective)."""
    value, failure = None, None
    try:
        value = step()
    except Exception as err:  # noqa: BLE001 (any error: shared, then raised everywhere)
        failure = _describe(err)
    failures = comm.allgather(failure)
    first = next((f for f in failures if f is not None), None)
    if first is not None:
        _raise(first)
    return value
