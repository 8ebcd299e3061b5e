"""Whole-case validation before anything is meshed or written: schema, materials, stack, plugins,
the user mesh file, the mesh size against the memory, and a protocol the cell can follow.

Everything a run needs from a case is checked here, so that ``ssefem validate`` refuses what
the run would trip on: the stack's order (positive collector first), a C-rate without an
insertion electrode's capacity, cut-off and hold voltages outside the cell's open-circuit
window, and a first step whose cut-off the cell already passed at its initial state.
"""

from __future__ import annotations

import numpy as np
from mpi4py import MPI

from ssefem.case import Case
from ssefem.case.messages import shorten
from ssefem.errors import CaseError
from ssefem.materials import Library, Material, get_ocp
from ssefem.materials.ocp import numpy_ns
from ssefem.mesh.budget import available_memory, check_budget
from ssefem.mesh.mesh_file import check_mesh_file
from ssefem.studies.registry import check_study_steps, collect_studies
from ssefem.plugins import (
    Plugin,
    collect_transports,
    declared_sweep_parameters,
    load_components,
    load_plugins,
    validate_plugins,
)

#: how far (V) a charge cut-off or a hold may lie above the highest open-circuit voltage of the
#: cell, or a hold below the lowest: the overpotential a cut-off can still be reached by
VOLTAGE_MARGIN = 0.5


def prepare(case: Case, comm: MPI.Comm | None = None) -> tuple[Library, list[Plugin]]:
    """Check a validated case against the installed materials and plugins (raises CaseError as
    one line). With ``comm`` (every rank of it calls this), the checks of files and memory run
    on its rank 0 and fail on every rank alike; without it, on the calling process alone."""
    try:
        return _prepare(case, comm if comm is not None else MPI.COMM_SELF)
    except CaseError as err:
        raise shorten(err) from None


def _prepare(case: Case, comm: MPI.Comm) -> tuple[Library, list[Plugin]]:
    parts = load_components() + load_plugins(case.plugins)
    library = Library.builtin()
    for p in parts:
        for m in p.materials():
            library.add(m)
    validate_plugins(parts, case, library)  # the components' checks, then the plugins'
    collect_transports(parts, case, library)  # the plugins check their choices here
    check_sweeps(case, parts)
    check_study_steps(case, collect_studies(parts))
    check_protocol(case, library)
    _collective(comm, lambda: _check_files(case, comm))
    return library, parts


def check_sweeps(case: Case, parts: list[Plugin]) -> None:
    """Every steady step sweeps a parameter that a component or plugin of the case's model
    declares (the mechanics component's ``stack_pressure`` with [mechanics], say)."""
    offered = declared_sweep_parameters(parts, case)
    for i, step in enumerate(case.protocol.steps):
        name = step.swept.parameter if step.swept is not None else None
        if name is not None and name not in offered:
            raise CaseError(f"protocol.steps[{i}].sweep.parameter",
                            f"unknown sweep parameter {name!r}; this case offers: "
                            f"{', '.join(map(repr, offered)) or 'none'}")


def _collective(comm: MPI.Comm, check) -> None:
    """Run ``check`` on rank 0 and raise its CaseError on every rank (a filesystem or memory
    check that one rank alone could fail)."""
    error = None
    if comm.rank == 0:
        try:
            check()
        except CaseError as err:
            error = (err.key, err.message)
    error = comm.bcast(error, root=0)
    if error is not None:
        raise CaseError(*error)


def _check_files(case: Case, comm: MPI.Comm) -> None:
    if case.geometry.mesh_file is not None:
        check_mesh_file(case.geometry.mesh_file)
    check_budget(case, available_memory(), ranks=comm.size)


def _theta0(case: Case, mat: Material) -> float:
    """Initial stoichiometry of an insertion electrode, as the physics sets it."""
    s = case.initial.stoichiometry
    return s if s is not None else mat.at("theta_min", case.temperature)


def electrode_ocp(case: Case, mat: Material, theta) -> np.ndarray:
    """Open-circuit potential (V vs the ion's metal) of an electrode material: the library's
    fit, as the physics evaluates it (0 V for a metal)."""
    if mat.kind != "insertion_electrode":
        return np.zeros_like(np.asarray(theta, dtype=float))
    return np.asarray(get_ocp(mat.ocp).func(np.asarray(theta, dtype=float), numpy_ns))


def ocv_window(case: Case, library: Library) -> tuple[float, float, float]:
    """(lowest, highest) open-circuit voltage of the cell over its electrodes' stoichiometry
    windows, and the open-circuit voltage at the initial state, in V."""
    T = case.temperature
    ranges, initial = [], []
    for i in (0, -1):
        mat = library.get(case.layers[i].material)
        if mat.kind == "insertion_electrode":
            theta = np.linspace(mat.at("theta_min", T), mat.at("theta_max", T), 401)
            u = electrode_ocp(case, mat, theta)
            ranges.append((float(np.min(u)), float(np.max(u))))
            initial.append(float(electrode_ocp(case, mat, _theta0(case, mat))))
        else:
            ranges.append((0.0, 0.0))
            initial.append(0.0)
    (p_lo, p_hi), (n_lo, n_hi) = ranges
    return p_lo - n_hi, p_hi - n_lo, initial[0] - initial[1]


def check_protocol(case: Case, library: Library) -> None:
    """What the protocol needs from the cell: a capacity for C-rates, cut-offs and holds the
    cell can reach."""
    positive = library.get(case.layers[0].material)
    lo, hi, v0 = ocv_window(case, library)
    window = f"[{lo:.3g}, {hi:.3g}] V"
    first_move = True
    for i, step in enumerate(case.protocol.steps):
        key = f"protocol.steps[{i}]"
        if getattr(step, "c_rate", None) is not None and positive.kind != "insertion_electrode":
            raise CaseError(f"{key}.c_rate", f"a C-rate needs the capacity of an insertion "
                            f"electrode as the first (positive) layer, not the "
                            f"{positive.kind} {positive.name!r}: give 'current' in A/m^2")
        v = getattr(step, "until_voltage", None)
        if step.kind == "discharge" and v is not None and v >= hi:
            raise CaseError(f"{key}.until_voltage", f"{v:g} V is above the cell's open-circuit "
                            f"window {window}: a discharge only lowers the voltage")
        if step.kind == "charge" and v is not None and v > hi + VOLTAGE_MARGIN:
            raise CaseError(f"{key}.until_voltage", f"{v:g} V is beyond the cell's open-circuit "
                            f"window {window} (+{VOLTAGE_MARGIN:g} V): the charge would empty "
                            "the electrode first")
        if step.kind == "charge" and v is not None and v <= lo:
            raise CaseError(f"{key}.until_voltage", f"{v:g} V is below the cell's open-circuit "
                            f"window {window}: a charge only raises the voltage")
        if step.kind == "hold" and step.voltage is not None and not (
                lo - VOLTAGE_MARGIN <= step.voltage <= hi + VOLTAGE_MARGIN):
            raise CaseError(f"{key}.voltage", f"{step.voltage:g} V is outside the cell's "
                            f"open-circuit window {window} (+-{VOLTAGE_MARGIN:g} V)")
        passed = v is not None and ((v >= v0) if step.kind == "discharge" else (v <= v0))
        if first_move and step.kind in ("discharge", "charge") and passed:
            side = "not below" if step.kind == "discharge" else "not above"
            raise CaseError(f"{key}.until_voltage", f"{v:g} V is {side} the open-circuit "
                            f"voltage at the initial state ({v0:.4g} V): the {step.kind} "
                            "would end at once")
        if step.kind in ("discharge", "charge", "hold", "steady"):
            first_move = False
