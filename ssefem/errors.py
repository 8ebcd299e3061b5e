"""Named errors: bad input (exit status 2), solver failure (3), results that cannot be written
(4) and interrupts (128 + the signal)."""

from __future__ import annotations


class CaseError(ValueError):
    """Bad input: names the key path in the case and what is wrong with it."""

    def __init__(self, key: str, message: str):
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}" if key else message)


class SolverError(RuntimeError):
    """A nonlinear solve failed even after time-step cut-back."""

    def __init__(self, message: str, reason: int | None = None, time: float | None = None):
        self.reason = reason
        self.time = time
        super().__init__(message)


class ConvergenceFailure(RuntimeError):
    """One Newton solve did not converge; the stepper may cut the step back and retry."""

    def __init__(self, reason: int, iterations: int, detail: str | None = None):
        self.reason = reason
        self.iterations = iterations
        super().__init__(detail or f"SNES diverged (reason {reason}) after {iterations} iterations")


class ResultsError(RuntimeError):
    """The results cannot be written: disk full, the directory busy with another run, a
    filesystem error (exit status 4). Results published earlier are untouched."""

    def __init__(self, message: str, path=None):
        self.path = None if path is None else str(path)
        self.message = message
        self.kept = None  # where what finished was set aside
        super().__init__(f"{self.path}: {message}" if self.path else message)


class Interrupted(Exception):
    """The run was stopped by a signal (SIGINT, SIGTERM) at a clean point between steps."""

    def __init__(self, signum: int, time: float | None = None):
        import signal

        self.signum = signum
        self.time = time
        self.kept = None  # where what finished was set aside
        self.name = signal.Signals(signum).name
        super().__init__(f"interrupted by {self.name}")

    @property
    def exit_status(self) -> int:
        return 128 + self.signum
