"""Studies: steady polarisation and time-dependent protocols (CC, CV, rest, cut-offs, repeats)."""

from ssefem.studies.protocol import ProtocolRunner, StepResult

__all__ = ["ProtocolRunner", "StepResult"]
