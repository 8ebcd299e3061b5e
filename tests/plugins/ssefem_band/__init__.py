"""Test plugin (installed only in the tests): a resistive band across an electrolyte layer.

A slab of the layer, ``start`` um from its first face and ``width`` um thick, conducts with
``conductivity`` instead of the layer material's (a densified or degraded zone). The plugin reads
the layer's position from the mesh and its conductivity from the material library through the
documented API (``model.regions.extent``, ``model.library``) and adds one conduction term over
the band's cells, without a core edit; ``validate`` refuses a band that is not inside the layer.
"""

from __future__ import annotations

import ufl
from dolfinx import fem
from dolfinx import mesh as dmesh
from pydantic import Field

from ssefem.physics.ionics.transport import ELECTROLYTE
from ssefem.plugins import Plugin, PluginConfig
from ssefem.terms import Term


class Config(PluginConfig):
    layer: str
    start: float = Field(ge=0, description="um from the layer's first face")
    width: float = Field(gt=0, description="um")
    conductivity: float = Field(gt=0, description="S/m")


class Band(Plugin):
    name = "band"
    version = "0.1"
    description = "a slab of an electrolyte with a conductivity of its own"
    Config = Config

    def validate(self, case, library):
        c = self.config
        names = [layer.name for layer in case.layers]
        if c.layer not in names:
            self.invalid("layer", f"no layer {c.layer!r} (the stack has {', '.join(names)})")
        layer = case.layer(c.layer)
        if library.get(layer.material).kind == "insertion_electrode" or layer.mode != "meshed":
            self.invalid("layer", f"{c.layer!r} is not a meshed ion conductor")
        if c.start + c.width > layer.thickness:
            self.invalid("width", f"the band ends {c.start + c.width} um into {c.layer!r}, "
                         f"which is {layer.thickness} um thick")

    def terms(self, model, case):
        c = self.config
        regions = model.regions
        x0, _ = regions.extent(c.layer)
        lo, hi = x0 + c.start, x0 + c.start + c.width
        T = case.temperature
        sigma = model.library.get(case.layer(c.layer).material).at("conductivity", T)
        extra = (c.conductivity - sigma) / model.scales.conductivity
        cells = regions.cells(c.layer)
        mid = dmesh.compute_midpoints(regions.mesh, regions.dim, cells)[:, 0]
        band = cells[(mid > lo) & (mid < hi)]

        def build(ctx):
            Q = fem.functionspace(ctx.regions.mesh, ("DG", 0))
            chi = fem.Function(Q)
            chi.x.array[Q.dofmap.list[band, 0]] = 1.0
            phi, v = ctx.u[ELECTROLYTE], ctx.v[ELECTROLYTE]
            dx = ctx.dx(ctx.layer(c.layer), degree=ctx.degree(ELECTROLYTE))
            return {ELECTROLYTE: extra * chi * ufl.inner(ufl.grad(phi), ufl.grad(v)) * dx}

        model.add_term(Term(f"band:{c.layer}", "flux", build))
