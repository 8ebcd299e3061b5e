"""Mode ``upscaled``: the double layer at an electrode face from a cached 1-D sub-problem.

Where the space-charge layer is thin against the ion conductor (lambda_D << L) and quasi-static
(slower than its charging time lambda_D L / D), its state depends only on the potential drop
across the interface, V = eta - dpsi (eta the electrode overpotential against the bulk
electrolyte's phi_e, dpsi the equilibrium potential step): the diffuse layer is in Poisson-
Boltzmann equilibrium behind the Stern layer. A 1-D Nernst-Planck-Poisson sub-problem (P2, the
core's terms: the ion conductor's slab, 60 Debye lengths, against its electroneutral bulk)
tabulates for a grid of V the ion's ln(c/c0) at the reaction plane and the electrode charge
sigma_M(V), for the layer's temperature, carrier concentration, permittivity, lattice sites and
Stern layer (cached on disk by those inputs and the source of the code that solves it: see
:mod:`ssefem.table_cache`). The electroneutral cell then uses

    i = i0 (c/c0)^alpha_a [exp(alpha_a z f eta) - exp(-alpha_c z f eta)]     (Frumkin kinetics)
    i_C = d sigma_M(V) / dt                                                   (double layer)

with (c/c0)(V) and sigma_M(V) piecewise linear in V: the interface's charge-transfer resistance
dV/di and capacitance d(sigma_M)/dV follow from them as functions of current (through eta),
temperature and composition (through i0(theta)). Outside the tabulated range the tables extend
linearly.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

import numpy as np
import ufl
from mpi4py import MPI

from ssefem.constants import F, thermal_voltage
from ssefem.model import Model
from ssefem.physics.electrochemistry.butler_volmer import equilibrium_potential
from ssefem_space_charge.double_layer import potential_step
from ssefem.physics.electrochemistry.electrode import Electrode
from ssefem_space_charge.species import Species
from ssefem.physics.ionics.transport import ELECTROLYTE, Electroneutral
from ssefem.table_cache import cache_dir, table_key
from ssefem.tables import piecewise_linear
from ssefem.terms import FormContext, Observable, Term, interface_mean

_VERSION = 1  # bump when the sub-problem changes: it keys the cache


@dataclass(frozen=True)
class SubProblem:
    """Inputs of one table (all SI)."""

    z: int
    c0: float
    c_max: float | None
    eps_r: float
    temperature: float
    stern_capacitance: float | None
    v_max: float  # V, half-width of the tabulated range of V
    points: int


@dataclass(frozen=True)
class DoubleLayerTable:
    v: np.ndarray  # V grid, units of RT/F
    ln_c: np.ndarray  # ln(c/c0) of the ion at the reaction plane
    sigma: np.ndarray  # electrode charge, C/m^2
    temperature: float

    def capacitance(self) -> np.ndarray:
        """d(sigma)/dV, F/m^2 (V in volts)."""
        return np.gradient(self.sigma, self.v) / thermal_voltage(self.temperature)


def double_layer_table(sp: SubProblem, comm: MPI.Comm = MPI.COMM_WORLD) -> DoubleLayerTable:
    """The table of ``sp``, from the cache or solved (every rank solves the same serial 1-D
    problem, so all ranks agree; rank 0 writes the cache)."""
    key = table_key({**asdict(sp), "version": _VERSION}, ("ssefem", "ssefem_space_charge"))
    path = cache_dir("space_charge") / f"{key}.json"
    data = None
    if path.is_file():
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            data = None
    data = comm.bcast(data if comm.rank == 0 else None, root=0)
    if data is None:
        data = _solve(sp)
        if comm.rank == 0:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(data))
            os.replace(tmp, path)
    return DoubleLayerTable(np.array(data["v"]), np.array(data["ln_c"]),
                            np.array(data["sigma"]), sp.temperature)


def _solve(sp: SubProblem) -> dict:
    """The 1-D sub-problem on this process alone."""
    from ssefem.mesh import load_regions
    from ssefem.mesh.builder import StackSpec
    from ssefem_space_charge.nernst_planck import add_nernst_planck_poisson
    from ssefem.scales import Scales
    from ssefem.studies.continuation import solve_with_continuation
    from ssefem.system import System
    from ssefem.terms import Constraint

    species = Species("ion", sp.z, 1e-12, sp.c0, sp.c_max)
    lam = species.debye_length(sp.eps_r, sp.temperature) * 1e6  # um
    regions = load_regions(StackSpec(("slab",), (60 * lam,), (160,), (1.0,),
                                     face_cell=(0.01 * lam,)), MPI.COMM_SELF)
    model = Model(regions, Scales(sp.temperature))
    region = add_nernst_planck_poisson(model, ("slab",), [species], eps_r=sp.eps_r,
                                       potential="psi", degree=2)
    left = regions.facet_tag["slab_left"]
    model.add_constraint(Constraint("psi", "slab_right", "zero"))
    model.add_constraint(Constraint(species.field, "slab_right", "zero"))
    sc = model.scales
    if sp.stern_capacitance is None:
        model.add_constraint(Constraint("psi", "slab_left", "drop"))
    else:
        cs = sp.stern_capacitance * sc.potential / (F * region.c_scale * sc.length)

        def stern(ctx: FormContext):
            sigma = ctx.constant("stern", cs) * (ctx.constant("drop") - ctx.u["psi"])
            return {"psi": -sigma * ctx.v["psi"] * ctx.ds(left)}

        model.add_term(Term("stern_layer:slab_left", "flux", stern))
    model.add_observable(Observable(
        "ln_c", "1", lambda ctx: (ufl.ln(region.concentration(ctx, species) * region.c_scale
                                         / species.c_ref) * ctx.ds(left), ctx.one * ctx.ds(left))))
    model.add_observable(Observable(
        "sigma", "C/m^2", lambda ctx: (-region.charge(ctx) * region.dx(ctx), None),
        F * region.c_scale * sc.length))
    system = System(model, {"rtol": 1e-12, "atol": 1e-13, "stol": 1e-15, "max_iterations": 50})
    half = sp.v_max / sc.potential
    grid = np.linspace(-half, half, sp.points)
    rows = {}
    start = system.snapshot()
    for branch in (grid[grid >= 0], grid[grid < 0][::-1]):
        system.load(start)
        system.ctx.constant("drop").value = 0.0
        for v in branch:
            solve_with_continuation(system, "equilibrium", False, "drop", float(v))
            obs = system.observe()
            rows[float(v)] = (obs["ln_c"], obs["sigma"])
    v = sorted(rows)
    return {"v": v, "ln_c": [rows[x][0] for x in v], "sigma": [rows[x][1] for x in v]}


class UpscaledSpaceCharge(Electroneutral):
    """Electroneutral layer whose electrode faces carry the tabulated double-layer law."""

    name = "upscaled_space_charge"

    def __init__(self, temperature: float, faces: dict):
        """``faces``: interface name -> (SubProblem, potential step V)."""
        super().__init__(temperature)
        self.faces = faces
        self.tables: dict[str, DoubleLayerTable] = {}

    def add_layer(self, model: Model, layer: str, mat, phi0: float) -> None:
        super().add_layer(model, layer, mat, phi0)
        self.comm = model.regions.comm
        self.vt = model.scales.potential

    def table(self, iface: str) -> DoubleLayerTable:
        if iface not in self.tables:
            self.tables[iface] = double_layer_table(self.faces[iface][0], self.comm)
        return self.tables[iface]

    def ion_activity(self, layer: str, iface: str):
        if iface not in self.faces:
            return None
        table = self.table(iface)
        step = self.faces[iface][1] / self.vt
        return lambda ctx, side, eta: ufl.exp(piecewise_linear(
            eta - potential_step(ctx, iface, step), table.v, table.ln_c))

    def add_electrode_contact(self, model: Model, layer: str, el: Electrode, iface: str,
                              electrode_side: str):
        if iface not in self.faces:
            return None
        table = self.table(iface)
        sc = model.scales
        step = self.faces[iface][1] / sc.potential
        tag = model.regions.facet_tag[iface]
        s, e = electrode_side, ("-" if electrode_side == "+" else "+")

        def drop(ctx: FormContext, previous: bool = False):
            u = ctx.u_n if previous else ctx.u
            eta = (u[el.potential](s) - u[ELECTROLYTE](e)
                   - equilibrium_potential(ctx, el, s, previous))
            return eta - potential_step(ctx, iface, step)

        def sigma(ctx: FormContext, previous: bool = False):  # C/m^2
            return piecewise_linear(drop(ctx, previous), table.v, table.sigma)

        k = 1.0 / (sc.time * sc.current)

        def capacitive(ctx: FormContext):
            return k * (sigma(ctx) - sigma(ctx, previous=True)) / ctx.dt

        def charging(ctx: FormContext):
            i = capacitive(ctx)
            dS = ctx.dS(tag)
            return {el.potential: i * ctx.v[el.potential](s) * dS,
                    ELECTROLYTE: -i * ctx.v[ELECTROLYTE](e) * dS}

        model.add_term(Term(f"double_layer_charging:{iface}", "storage", charging))
        model.add_observable(Observable(
            f"electrode_charge:{iface}", "C/m^2",
            interface_mean(sigma, tag)))
        return capacitive
