"""Mobile species of an ion conductor resolved by Nernst-Planck-Poisson.

A species is carried by its dimensionless electrochemical potential mu (in units of RT), the
unknown of its Nernst-Planck equation. With phi the potential in units of RT/F:

- dilute:             c = c_ref exp(mu - z phi)
- lattice-saturated:  c/c_max = 1 / (1 + (c_max/c_ref - 1) exp(-(mu - z phi)))

so that mu = 0 at c = c_ref, phi = 0. The flux is N = -D c (1 - c/c_max) grad(mu), which is
SPEC's N = -D [grad c + z c (1 - c/c_max) grad(phi)] written in mu; c stays positive (and below
c_max) for any mu, which keeps Newton away from negative concentrations in depletion layers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ufl

from ssefem.constants import EPS0, F, R
from ssefem.materials import Material


@dataclass(frozen=True)
class Species:
    """A mobile species.

    Attributes:
        name: field names are ``mu_<name>`` (and ``c_<name>`` in outputs).
        z: charge number (non-zero).
        D: diffusivity, m^2/s.
        c_ref: reference (bulk) concentration, mol/m^3: the concentration at mu = 0, phi = 0.
        c_max: lattice site density, mol/m^3; ``None`` for the dilute law.
    """

    name: str
    z: int
    D: float
    c_ref: float
    c_max: float | None = None

    def __post_init__(self):
        if not self.name.isidentifier():
            raise ValueError(f"species name {self.name!r} must be an identifier")
        if not isinstance(self.z, int) or self.z == 0:
            raise ValueError(f"species {self.name!r}: z must be a non-zero integer, got {self.z!r}")
        if not self.D > 0 or not self.c_ref > 0:
            raise ValueError(f"species {self.name!r}: D and c_ref must be positive")
        if self.c_max is not None and not self.c_max > self.c_ref:
            raise ValueError(f"species {self.name!r}: c_max must exceed c_ref")

    @property
    def field(self) -> str:
        return f"mu_{self.name}"

    def concentration(self, mu, phi, exp=ufl.exp):
        """c / c_ref as an expression of mu and phi (dimensionless)."""
        s = mu - self.z * phi
        if self.c_max is None:
            return exp(s)
        q = self.c_max / self.c_ref
        return q / (1.0 + (q - 1.0) * exp(-s))

    def mobility(self, c_hat):
        """c (1 - c/c_max) / c_ref: the factor of D grad(mu) in the flux."""
        if self.c_max is None:
            return c_hat
        return c_hat * (1.0 - c_hat * self.c_ref / self.c_max)

    def debye_length(self, eps_r: float, T: float) -> float:
        """Debye length of this species alone at c_ref, m."""
        return math.sqrt(EPS0 * eps_r * R * T / (self.z**2 * F**2 * self.c_ref))

    @classmethod
    def from_material(cls, mat: Material, T: float, c_max: float | None = None,
                      concentration: float | None = None) -> Species:
        """The mobile ion of a single-ion conductor: c_ref its mobile concentration (or
        ``concentration``) and D from the Nernst-Einstein relation sigma = z^2 F^2 D c / (R T),
        so the conductivity stays the library's."""
        c = concentration if concentration is not None else mat.at("mobile_concentration", T)
        D = mat.at("conductivity", T) * R * T / (mat.z**2 * F**2 * c)
        return cls(mat.ion, mat.z, D, c, c_max)
