"""Helpers of the Nernst-Planck-Poisson verification tests: one ion-conducting layer, meshed with
elements of a given fraction of the Debye length at both faces."""

from __future__ import annotations


import numpy as np
from mpi4py import MPI

from dolfinx import fem

from codata import F, R
from ssefem.mesh import load_regions
from ssefem.mesh.builder import StackSpec
from ssefem.model import Model
from ssefem_space_charge.nernst_planck import NPPRegion, add_nernst_planck_poisson
from ssefem_space_charge.species import Species
from ssefem.scales import Scales

T = 298.15
VT = R * T / F


def eps_for(debye_over_length: float, length_um: float, species: list[Species],
            background_ions: float = 0.0) -> float:
    """Relative permittivity giving the layer the Debye length ``debye_over_length * length``,
    with lambda^-2 = F^2 (sum_s z_s^2 c_s) / (eps R T)."""
    ionic = sum(s.z**2 * s.c_ref for s in species) + background_ions
    lam = debye_over_length * length_um * 1e-6
    from codata import EPS0

    return lam**2 * F**2 * ionic / (EPS0 * R * T)


def layer_model(species: list[Species], *, length: float, debye_over_length: float,
                cells: int, face_fraction: float = 0.05, dimension: int = 1, degree: int = 2,
                background: float | None = None, comm=MPI.COMM_WORLD,
                width: float = 1.0) -> tuple[Model, NPPRegion, float]:
    """A single layer ``sse`` of ``length`` um (faces ``sse_left``/``sse_right``) with
    Nernst-Planck-Poisson transport; returns the model, region and Debye length (um)."""
    eps_r = eps_for(debye_over_length, length, species)
    lam = debye_over_length * length
    spec = StackSpec(("sse",), (length,), (cells,), (1.0,), dimension=dimension, width=width,
                     lateral_cells=2, tensor=True, face_cell=(face_fraction * lam,))
    regions = load_regions(spec, comm)
    model = Model(regions, Scales(T))
    region = add_nernst_planck_poisson(model, ("sse",), species, eps_r=eps_r,
                                       background=background, degree=degree)
    return model, region, lam


def integral(system, expr, measure) -> float:
    form = fem.form(expr * measure, entity_maps=system.entity_maps)
    comm = system.model.regions.comm
    return comm.allreduce(fem.assemble_scalar(form), op=MPI.SUM)


def reset(system) -> None:
    """Back to every field's initial value."""
    system.load({n: np.full_like(a, system.model.fields[n].initial)
                 for n, a in system.snapshot().items()})


# -- closed forms of the dilute Poisson-Boltzmann double layer (SPEC section 8) ----------------
def pb_electrode_charge(u: float, eps_r: float, lam: float) -> float:
    """Electrode charge (C/m^2) facing a diffuse layer whose surface sits u (RT/F) above the
    bulk: sign(u) (eps RT/(F lambda)) sqrt(2 (e^-u + u - 1)); lambda in m."""
    import math

    from codata import EPS0

    return math.copysign(EPS0 * eps_r * VT / lam * math.sqrt(2 * (math.exp(-u) + u - 1)), u)


def stern_split(step: float, cs: float, eps_r: float, lam: float) -> tuple[float, float]:
    """(electrode charge C/m^2, diffuse potential u in RT/F) when a surface sits at -step (V)
    against the bulk behind a Stern layer cs (F/m^2): h(u) = cs (-step/VT - u) VT - sigma_d(u)
    = 0, h decreasing in u, by bisection between 0 and -step/VT."""
    lo, hi = sorted((0.0, -step / VT))
    for _ in range(200):
        u = 0.5 * (lo + hi)
        if cs * (-step / VT - u) * VT - pb_electrode_charge(u, eps_r, lam) > 0:
            lo = u
        else:
            hi = u
    u = 0.5 * (lo + hi)
    return pb_electrode_charge(u, eps_r, lam), u
