"""Reference scales: everything is assembled in dimensionless form.

Lengths in units of ``length`` (1 um: Debye lengths are nanometres, cells tens of micrometres),
potentials in units of the thermal voltage RT/F, conductivities in units of ``conductivity``,
current densities in ``current = conductivity * potential / length``, times in ``time`` and each
concentration field in units of its own reference (an electrode's c_max, so it is a stoichiometry).
"""

from __future__ import annotations

from dataclasses import dataclass

from ssefem.constants import F, thermal_voltage


@dataclass(frozen=True)
class Scales:
    temperature: float
    length: float = 1e-6  # m
    conductivity: float = 1.0  # S/m
    time: float = 1.0  # s

    @property
    def potential(self) -> float:
        """V: RT/F."""
        return thermal_voltage(self.temperature)

    @property
    def current(self) -> float:
        """A/m^2."""
        return self.conductivity * self.potential / self.length

    def diffusivity(self, D: float) -> float:
        """Dimensionless diffusivity D t / L^2."""
        return D * self.time / self.length**2

    def permittivity(self, eps: float) -> float:
        """Dimensionless permittivity eps / (conductivity time) (F/m in): the displacement
        current eps grad(dphi/dt) in units of the conduction current's scale."""
        return eps / (self.conductivity * self.time)

    def capacitance(self, C: float) -> float:
        """Dimensionless capacitance per area C potential / (current time) (F/m^2 in)."""
        return C * self.potential / (self.current * self.time)

    def flux_to_rate(self, c_ref: float, z: int) -> float:
        """Factor turning a dimensionless current density into a dimensionless molar flux of an
        ion of charge z, for a concentration field in units of c_ref: i t / (z F L c_ref)."""
        return self.current * self.time / (z * F * self.length * c_ref)
