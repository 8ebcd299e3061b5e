"""Contact fraction of an elastic Li layer pressed on a rigid wavy surface (plane strain), with
ssefem's Nitsche contact term, against Westergaard's exact solution (K. L. Johnson, Contact
Mechanics, 1985, sec. 13.2): a surface of amplitude Delta and wavelength lam,
g0(y) = Delta (1 - cos(2 pi y / lam)), under mean pressure p is in contact over 2a per period
with p = p* sin^2(pi a / lam), p* = pi E* Delta / lam, so the contact fraction is
f = (2/pi) arcsin(sqrt(p / p*)), and contact is complete (f = 1) from p* on.

Half a period is modelled, with rollers on its two symmetry lines; the layer is one wavelength
thick (its finite thickness changes the half-space answer by about exp(-2 pi), 0.2 %).
"""

from __future__ import annotations

import numpy as np
from mesh_helpers import one_layer_regions
from mpi4py import MPI

import ufl
from dolfinx import mesh

from ssefem.mesh.regions import Regions
from ssefem.model import Model
from ssefem.physics.mechanics.contact import add_rigid_contact
from ssefem.physics.mechanics.elasticity import (
    DISPLACEMENT,
    STACK_PRESSURE,
    ElasticLayer,
    add_elasticity,
    add_pressure,
    add_support,
)
from ssefem.scales import Scales
from ssefem.system import System

LAM, DELTA = 10.0, 0.1  # um
E, NU = 7.82e9, 0.38  # Li (Masias et al. 2019)
E_STAR = E / (1 - NU**2)
P_STAR = np.pi * E_STAR * DELTA / LAM  # Pa, about 270 MPa


def _regions(nx: int, ny: int) -> Regions:
    msh = mesh.create_rectangle(MPI.COMM_WORLD, [[0.0, 0.0], [LAM, LAM / 2]], [nx, ny],
                                ghost_mode=mesh.GhostMode.shared_facet)
    return one_layer_regions(msh, "li", {
        "surface": lambda x: np.isclose(x[0], 0.0), "top": lambda x: np.isclose(x[0], LAM),
        "sides": lambda x: np.isclose(x[1], 0.0) | np.isclose(x[1], LAM / 2)})


def test_contact_fraction_follows_westergaard():
    regions = _regions(100, 200)
    model = Model(regions, Scales(298.15))
    sigma = add_elasticity(model, [ElasticLayer("li", E, NU)], E)
    add_support(model, "sides", "roller")
    add_pressure(model, "top", E, 0.0)

    def gap(ctx):
        y = ufl.SpatialCoordinate(ctx.regions.mesh)[1]
        return DELTA * (1 - ufl.cos(2 * np.pi * y / LAM))

    add_rigid_contact(model, "surface", "li", sigma, gap, 1.0, E)
    system = System(model, {"linear_solver": "mumps", "rtol": 1e-10, "atol": 1e-14,
                            "max_iterations": 60})
    system.u[DISPLACEMENT].x.array.reshape(-1, 2)[:, 0] = -0.01 * DELTA  # touching at the crest
    fractions = []
    for ratio in (0.05, 0.25, 0.5, 0.8, 1.2):
        system.ctx.constant(STACK_PRESSURE).value = ratio * P_STAR / E
        system.solve("current", False)
        obs = system.observe()
        f = obs["contact_fraction:surface"]
        exact = 2 / np.pi * np.arcsin(np.sqrt(min(ratio, 1.0)))
        print(f"p/p* = {ratio}: contact fraction {f:.4f}, Westergaard {exact:.4f}")
        mean = obs["contact_force:surface"] / (LAM / 2 * 1e-6)
        assert abs(mean / (ratio * P_STAR) - 1) < 1e-8  # equilibrium: load carried by contact
        assert abs(f - exact) < 0.01
        fractions.append(f)
    assert np.all(np.diff(fractions) > 0) and fractions[-1] == 1.0
