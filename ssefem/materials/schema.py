"""Schema of a material-library entry.

Every numerical property is a :class:`Property`: value in SI units (the unit string says which),
an optional Arrhenius activation energy in eV with its reference temperature, and a source
(authors, journal, year). Entries are TOML files in ``ssefem/materials/data`` validated by
:class:`Material`; plugins may add more through their ``materials()`` hook.
"""

from __future__ import annotations

import math
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ssefem.constants import K_B_EV, T_REF

Kind = Literal["ion_conductor", "insertion_electrode", "metal", "binary_salt"]
#: what an ion conductor turns into beyond a limit of its stability window: a thin interphase
#: that conducts the ion and stops growing (``passivating``), one that blocks the ion and grows
#: into an interfacial resistance (``resistive``), or one that conducts electrons too and keeps
#: growing (``mixed_conducting``)
Interphase = Literal["passivating", "resistive", "mixed_conducting"]


class Property(BaseModel):
    """One material property: SI value, unit, optional Arrhenius law, source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float
    unit: str
    Ea: float | None = Field(None, description="Arrhenius activation energy, eV")
    T_ref: float = Field(T_REF, gt=0, description="reference temperature of `value`, K")
    source: str

    def at(self, T: float) -> float:
        """Value at temperature T (K): X_ref exp[-(Ea/k_B)(1/T - 1/T_ref)]."""
        if self.Ea is None:
            return self.value
        return self.value * math.exp(-(self.Ea / K_B_EV) * (1.0 / T - 1.0 / self.T_ref))


class Material(BaseModel):
    """A material-library entry.

    Required properties per kind (others are optional and used by later physics):

    - ``ion_conductor`` (solid electrolytes, coatings): ``conductivity`` [S/m] (Arrhenius),
      ``mobile_concentration`` [mol/m^3], ``relative_permittivity`` [-].
    - ``insertion_electrode``: ``c_max`` [mol/m^3], ``diffusivity`` [m^2/s],
      ``electronic_conductivity`` [S/m], ``exchange_current_density`` [A/m^2] (at the reference
      stoichiometry ``theta_ref``), ``theta_min``/``theta_max`` [-] window used for capacity,
      ``ocp`` (name of a registered open-circuit-potential fit).
    - ``metal``: ``electronic_conductivity`` [S/m], ``exchange_current_density`` [A/m^2],
      ``molar_volume`` [m^3/mol].
    - ``binary_salt``: ``conductivity``, ``transference_number``, ``salt_diffusivity``,
      ``salt_concentration``.

    Mechanics (``[mechanics]`` in a case) needs ``youngs_modulus`` [Pa] and ``poisson_ratio``
    [-] of every meshed layer, ``partial_molar_volume`` [m^3/mol] of an insertion electrode
    (chemical strain) and ``thermal_expansion`` [1/K] when a stress-free temperature is set.

    An electrode may give its ``double_layer_capacitance`` [F/m^2] against the ion conductors
    (a case's ``[[interfaces]]`` value overrides it).

    An ion conductor may give its electrochemical stability window: ``reduction_limit`` and
    ``oxidation_limit`` [V against the ion's metal], beyond which it decomposes where it touches
    an electrode, and ``reduction_interphase``/``oxidation_interphase`` (:data:`Interphase`),
    what the decomposition forms. A run reports each window it leaves (``stability_window``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    kind: Kind
    ion: str = Field(description="mobile or inserted ion, e.g. 'Li', 'Na', 'Mg'")
    z: int = Field(description="charge number of that ion")
    description: str = ""
    ocp: str | None = None
    theta_ref: float | None = None
    alpha_a: float = 0.5
    alpha_c: float = 0.5
    reduction_interphase: Interphase | None = None
    oxidation_interphase: Interphase | None = None
    properties: dict[str, Property]

    _required = {
        "ion_conductor": ("conductivity", "mobile_concentration", "relative_permittivity"),
        "insertion_electrode": (
            "c_max", "diffusivity", "electronic_conductivity", "exchange_current_density",
            "theta_min", "theta_max",
        ),
        "metal": ("electronic_conductivity", "exchange_current_density", "molar_volume"),
        "binary_salt": (
            "conductivity", "transference_number", "salt_diffusivity", "salt_concentration",
        ),
    }

    @model_validator(mode="after")
    def _check(self) -> Material:
        missing = [p for p in self._required[self.kind] if p not in self.properties]
        if missing:
            raise ValueError(f"material {self.name!r} ({self.kind}) lacks {', '.join(missing)}")
        if self.kind == "insertion_electrode" and not self.ocp:
            raise ValueError(f"material {self.name!r} needs an 'ocp' fit name")
        if self.z == 0:
            raise ValueError(f"material {self.name!r}: charge number z must be non-zero")
        for end in ("reduction", "oxidation"):
            if getattr(self, f"{end}_interphase") and f"{end}_limit" not in self.properties:
                raise ValueError(f"material {self.name!r}: {end}_interphase is given without "
                                 f"the {end}_limit it belongs to")
        lo, hi = self.properties.get("reduction_limit"), self.properties.get("oxidation_limit")
        if lo is not None and hi is not None and not lo.value < hi.value:
            raise ValueError(f"material {self.name!r}: reduction_limit {lo.value} V is not below "
                             f"oxidation_limit {hi.value} V")
        return self

    def at(self, prop: str, T: float) -> float:
        """Property `prop` at temperature T (K), in SI units."""
        try:
            return self.properties[prop].at(T)
        except KeyError:
            raise KeyError(f"material {self.name!r} has no property {prop!r}") from None
