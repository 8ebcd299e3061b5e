"""Named errors: bad input (exit status 2) and solver failure."""

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
