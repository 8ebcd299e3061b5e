"""SIGINT and SIGTERM stop a run cleanly, between steps, on every rank alike.

While a run is in progress the signals only set a flag: nothing is raised inside PETSc's
callbacks (a ``KeyboardInterrupt`` in a residual evaluation left vectors locked and made the solve
"fail", and the partial run was then published as if the solver had failed). The protocol asks
:meth:`Interrupts.check` after every accepted step; the flag is reduced over the ranks there, so
a signal that reaches one rank stops them all at the same step, and :class:`Interrupted` is
raised on every rank. A second SIGINT while the first waits for the step to finish restores the
default action and stops the process at once (what it was writing stays in its hidden staging
directory, which the next run of the case sets aside as killed); SIGTERM, which mpiexec and batch
systems may send more than once, only ever asks for the clean stop.
"""

from __future__ import annotations

import logging
import signal
import threading

from mpi4py import MPI

from ssefem.errors import Interrupted

log = logging.getLogger(__name__)

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupts:
    """Context manager installing the handlers (main thread only; elsewhere a no-op)."""

    def __init__(self, comm: MPI.Comm):
        self.comm = comm
        self.received: int | None = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> Interrupts:
        # PETSc installs its own SIGTERM handler (it aborts the job) when it is initialised,
        # which happens at its first import: initialise it first, then take the signals over
        from petsc4py import PETSc  # noqa: F401

        if threading.current_thread() is threading.main_thread():
            for s in SIGNALS:
                self._previous[s] = signal.signal(s, self._handle)
        return self

    def claim(self) -> None:
        """Install the handlers again: gmsh's initialisation replaces the process's SIGTERM
        handler at the C level (Python still reports its own), so meshing takes them away."""
        if self._previous:
            for s in SIGNALS:
                signal.signal(s, self._handle)

    def __exit__(self, *exc) -> None:
        for s, handler in self._previous.items():
            signal.signal(s, handler)
        self._previous.clear()

    def _handle(self, signum, frame) -> None:
        if self.received is not None:
            if signum == signal.SIGINT == self.received:  # Ctrl-C twice: stop now
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)
            return  # a repeated SIGTERM (mpiexec forwards one and sends its own) changes nothing
        self.received = signum
        again = " (Ctrl-C again stops at once)" if signum == signal.SIGINT else ""
        log.warning("%s received: stopping after the current step%s",
                    signal.Signals(signum).name, again)

    def check(self, time: float | None = None) -> None:
        """Raise :class:`Interrupted` on every rank if any rank received a signal
        (collective)."""
        mine = self.received or 0
        signum = self.comm.allreduce(mine, op=MPI.MAX)
        if signum:
            raise Interrupted(signum, time)
