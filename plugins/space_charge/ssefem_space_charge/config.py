"""The ``[plugins.space_charge]`` table."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ssefem.plugins import PluginConfig


class InterfaceConfig(PluginConfig):
    """One interface ``a|b`` of the stack."""

    name: str = Field(description="'<layer>|<layer>' as in the case's stack")
    mode: Literal["resolved", "upscaled"] = Field(
        "resolved", description="'resolved': Nernst-Planck-Poisson in the ion-conducting layer(s) "
        "on either side; 'upscaled' (electrode faces): the electroneutral layer with the double "
        "layer's kinetics and charge tabulated by a 1-D sub-problem")
    stern_capacitance: float | None = Field(
        None, gt=0, description="F/m^2, Stern layer at an electrode face; omit for an ideal "
        "contact")
    potential_step: float = Field(
        0.0, ge=-5.0, le=5.0, description="V, electrostatic step into the ion conductor at "
        "equilibrium (from the phases' chemical-potential difference)")


class LayerConfig(PluginConfig):
    """Overrides for one resolved layer."""

    relative_permittivity: float | None = Field(None, gt=0, description="-")
    mobile_concentration: float | None = Field(
        None, gt=0, description="mol/m^3, mobile-ion concentration (conductivity kept)")
    site_density: float | None = Field(
        None, gt=0, description="mol/m^3, lattice sites of the mobile ion (saturation); "
        "omit for the dilute law")


class Config(PluginConfig):
    interfaces: list[InterfaceConfig] = Field(min_length=1)
    layers: dict[str, LayerConfig] = Field(default_factory=dict)
    degree: int = Field(1, ge=1, le=2, description="Lagrange degree in resolved layers")
    upscaled_range: float = Field(
        0.5, gt=0, le=3.0, description="V, the sub-problem tabulates interface drops in "
        "[-range, range] (linear beyond)")
    upscaled_points: int = Field(81, ge=11, le=2001, description="table points")
    profile_depth: float = Field(
        20.0, gt=0, description="profiles extend this many Debye lengths from each interface")
