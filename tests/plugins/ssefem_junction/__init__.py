"""Test plugin (installed only in the tests): a zero-thickness resistive junction.

Two ion-conducting layers pressed together meet at an interface with an area-specific
resistance of its own (a poorly sintered joint, a reaction film too thin to mesh): the ion
potential phi_e steps across it by i r. The plugin lets phi_e jump across the interface with the
Ohmic law of :func:`ssefem.physics.ionics.jumps.resistive_jump_term`, without a core edit.
"""

from __future__ import annotations

from pydantic import Field

from ssefem.physics.ionics.jumps import resistive_jump_term
from ssefem.physics.ionics.transport import ELECTROLYTE
from ssefem.plugins import Plugin, PluginConfig


class Config(PluginConfig):
    interface: str = Field(description="the interface 'a|b' between two ion conductors")
    resistance: float = Field(gt=0, description="area-specific resistance, Ohm m^2")


class Junction(Plugin):
    name = "junction"
    version = "0.1"
    description = "resistive junction between two ion-conducting layers"
    Config = Config

    def terms(self, model, case):
        model.add_term(resistive_jump_term(model, ELECTROLYTE, self.config.interface,
                                           self.config.resistance, label="junction"))
