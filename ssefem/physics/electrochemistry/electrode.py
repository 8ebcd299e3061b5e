"""What an electrode layer exposes to interface laws and terminals."""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable


@dataclass(frozen=True)
class Electrode:
    """An electrode layer as seen by its interface kinetics.

    Attributes:
        layer: layer name.
        potential: name of its electronic-potential field.
        stoichiometry: name of its composition field (None for a metal).
        ocp: ``(theta, math namespace) -> U`` in volts vs the ion's metal (None: 0 V).
        theta0: initial stoichiometry (None for a metal).
        i0: exchange current density at the reference composition and the case temperature, A/m^2.
        theta_ref: composition at which ``i0`` is given.
        alpha_a, alpha_c: transfer coefficients.
        z: charge number of the ion it exchanges.
        c_max: site concentration of the composition field, mol/m^3.
        capacity: areal capacity of its stoichiometry window, C/m^2 (None for a metal).
        potential_shift: ``(ctx, side, previous) -> UFL scalar`` added to U in units of RT/F
            (the stress-potential coupling), or None.
        window: the stoichiometry window ``(theta_min, theta_max)`` that its capacity and its
            open-circuit potential fit cover (None for a metal).
    """

    layer: str
    potential: str
    stoichiometry: str | None
    ocp: Callable | None
    theta0: float | None
    i0: float
    theta_ref: float
    alpha_a: float
    alpha_c: float
    z: int
    c_max: float = 1.0
    capacity: float | None = None
    potential_shift: Callable | None = None
    window: tuple[float, float] | None = None

    def ocv(self) -> float:
        """Open-circuit potential at the initial composition, V."""
        from ssefem.materials.ocp import numpy_ns

        if self.ocp is None:
            return 0.0
        return float(self.ocp(self.theta0, numpy_ns))

    def ocv_range(self) -> tuple[float, float]:
        """The lowest and highest open-circuit potential over its stoichiometry window, V."""
        import numpy as np

        from ssefem.materials.ocp import numpy_ns

        if self.ocp is None or self.window is None:
            u = self.ocv()
            return u, u
        u = np.asarray(self.ocp(np.linspace(*self.window, 201), numpy_ns), dtype=float)
        return float(u.min()), float(u.max())
