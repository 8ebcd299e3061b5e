"""Test plugin (installed only in the tests): a parasitic oxidation current at an interface.

A constant side-reaction current density (electrolyte oxidation) leaves the electrode at the
named interface; at open circuit the electrode's main reaction balances it, which self-discharges
the cathode at a rate i/(zF). It adds one named residual term without touching the core.
"""

from __future__ import annotations

from pydantic import Field

from ssefem.physics.electrochemistry.electrodes import ELECTROLYTE
from ssefem.plugins import Plugin, PluginConfig
from ssefem.terms import Term


class Config(PluginConfig):
    interface: str
    current_density: float = Field(gt=0, description="A/m^2")


class Parasitic(Plugin):
    name = "parasitic"
    version = "0.1"
    description = "constant parasitic oxidation current at an electrode interface"
    Config = Config

    def terms(self, model, case):
        iface = self.config.interface
        if iface not in model.regions.facet_tag:
            raise ValueError(f"plugins.parasitic.interface: no interface {iface!r}")
        electrode = iface.split("|")[0]
        phi_s = f"phi_{electrode}"
        tag = model.regions.facet_tag[iface]
        i_side = self.config.current_density / model.scales.current

        def build(ctx):
            dS = ctx.dS(tag)
            i = ctx.constant("i_parasitic", i_side)
            return {phi_s: i * ctx.v[phi_s]("+") * dS, ELECTROLYTE: -i * ctx.v[ELECTROLYTE]("-") * dS}

        model.add_term(Term(f"parasitic:{iface}", "source", build))
