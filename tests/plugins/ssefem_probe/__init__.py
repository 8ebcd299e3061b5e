"""Test plugin (installed only in the tests): the plugin API's protocol hooks, no core edit.

- ``dt_cap`` (s): a step limiter whose ``max_step`` is that length, so no accepted step of a
  transient protocol step is longer;
- ``halve_above`` (s): a step limiter whose ``change`` is 3 (above the protocol's retry
  threshold 2) for a trial step longer than that, and 0 otherwise: the protocol halves such
  steps; every call is logged in :data:`CALLS` as (trial step s, change);
- ``leak_layer``: an ion-conducting layer that carries a leak current density (A/m^2, the
  constant ``probe:leak_current``, initially ``leak_current``) through it, injected into its
  ion potential at the face towards the positive electrode and taken out at the other face;
  the steady sweep parameter ``leak_current`` (A/m^2) sets it, with the column
  ``leak_current_set``. The faradaic currents do not change, the layer's ohmic drop does, by
  leak * thickness / conductivity;
- the study ``probe_points``: a protocol step of the plugin's own kind, the steady state at each
  of its ``currents`` (A/m^2) recorded as a row, through the protocol runner's public calls;
- ``validate``: ``leak_layer`` must be a meshed ion-conducting layer of the case (checked with
  the material library, before meshing; :meth:`Plugin.invalid`), and a ``leak_current`` needs
  one (a plain ``ValueError``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ssefem.case.steps import StepBase
from ssefem.controls import StepLimiter, SweepParameter
from ssefem.physics.ionics.transport import ELECTROLYTE
from ssefem.plugins import Plugin, PluginConfig
from ssefem.studies.study import StepResult, Study
from ssefem.terms import Term

#: (trial step s, change) of every call of the halving limiter, in order
CALLS: list[tuple[float, float]] = []

LEAK = "probe:leak_current"
SWEEP = "leak_current"


class Config(PluginConfig):
    dt_cap: float | None = Field(None, gt=0, description="s, longest step")
    halve_above: float | None = Field(None, gt=0, description="s, trial steps halved above it")
    leak_layer: str | None = None
    leak_current: float = Field(0.0, description="A/m^2, initial leak current density")


class CapLimiter(StepLimiter):
    name = "probe_dt_cap"

    def __init__(self, cap: float):
        self.cap = cap

    def max_step(self, obs: dict) -> float:
        return self.cap


class HalvingLimiter(StepLimiter):
    name = "probe_halving"

    def __init__(self, above: float):
        self.above = above

    def change(self, system, obs: dict, prev: dict) -> float:
        dt = float(system.dt.value) * system.model.scales.time
        out = 3.0 if dt > self.above else 0.0
        CALLS.append((dt, out))
        return out


class PointsStep(StepBase):
    kind: Literal["probe_points"]
    currents: list[float] = Field(min_length=1, description="A/m^2, discharge positive")


def run_points(runner, step: PointsStep, index: int, cycle: int) -> StepResult:
    for i in step.currents:
        runner.record_state(runner.steady_state(i), step, index, cycle, i)
    return StepResult(step.kind, index, cycle, "done", runner.time)


class Probe(Plugin):
    name = "probe"
    version = "0.1"
    description = "test plugin: step limiters, a leak-current sweep parameter, a validate hook"
    Config = Config

    def validate(self, case, library):
        name = self.config.leak_layer
        if name is None:
            if self.config.leak_current:
                raise ValueError("a leak_current needs a leak_layer")
            return
        meshed = [layer for layer in case.layers if layer.mode == "meshed"]
        names = [layer.name for layer in meshed]
        if name not in names[1:-1]:
            self.invalid("leak_layer", f"{name!r} is not a meshed layer between the electrodes "
                         f"({', '.join(names[1:-1])})")
        kind = library.get(case.layer(name).material).kind
        if kind != "ion_conductor":
            self.invalid("leak_layer", f"{name!r} is a {kind}, not an ion conductor")

    def studies(self):
        return [Study(PointsStep, run_points)]

    def sweep_parameters(self, case):
        return [SWEEP] if self.config.leak_layer is not None else []

    def terms(self, model, case):
        c = self.config
        if c.dt_cap is not None:
            model.add_step_limiter(CapLimiter(c.dt_cap))
        if c.halve_above is not None:
            model.add_step_limiter(HalvingLimiter(c.halve_above))
        if c.leak_layer is not None:
            self._leak(model, case)

    def _leak(self, model, case):
        layer = self.config.leak_layer
        names = [x.name for x in case.layers if x.mode == "meshed"]
        k = names.index(layer)
        # the faces 'a|b' are named from the positive side: this layer is '-' on the first
        inlet = model.regions.facet_tag[f"{names[k - 1]}|{layer}"]
        outlet = model.regions.facet_tag[f"{layer}|{names[k + 1]}"]
        scale = model.scales.current

        def build(ctx):
            i = ctx.constant(LEAK, self.config.leak_current / scale)
            v = ctx.v[ELECTROLYTE]
            return {ELECTROLYTE: -i * v("-") * ctx.dS(inlet) + i * v("+") * ctx.dS(outlet)}

        model.add_term(Term(f"probe_leak:{layer}", "source", build))
        model.add_sweep_parameter(SweepParameter(
            SWEEP, "A/m^2", LEAK, lambda v: v / scale, "leak_current_set", "A/m^2",
            doc="leak current density through the layer"))
