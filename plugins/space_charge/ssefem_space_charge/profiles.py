"""Profiles across resolved interfaces and the space-charge summary (the plugin's outputs)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

from ssefem.constants import EPS0, F
from ssefem.physics.handles import TRANSPORTS
from ssefem_space_charge.resolved import DEBYE_LENGTH
from ssefem.physics.ionics.transport import ELECTROLYTE

from ssefem_space_charge.upscaled import SubProblem, double_layer_table


def _owned(u):
    """(x, values) of the owned dofs of a scalar function, x along the stack (um)."""
    V = u.function_space
    n = V.dofmap.index_map.size_local
    return V.tabulate_dof_coordinates()[:n, 0].copy(), u.x.array[:n].copy()


def _gather(comm, arrays):
    parts = comm.gather(arrays, root=0)
    if comm.rank != 0:
        return None
    return [np.concatenate([p[k] for p in parts]) for k in range(len(arrays))]


def _by_x(x, v, digits=9):
    """Mean value per distinct x (laterally uniform cells in 2-D/3-D)."""
    key = np.round(x, digits)
    xs, inv = np.unique(key, return_inverse=True)
    return xs, np.bincount(inv, weights=v) / np.bincount(inv)


def layer_profile(system, layer: str, transport):
    """(x um, psi V, phi_e V, c mol/m^3, rho C/m^3) at the vertices of a resolved layer, on rank 0."""
    model = system.model
    sc = model.scales
    region = transport.regions[layer]
    sp = region.species[0]
    comm = model.regions.comm
    got = _gather(comm, [*_owned(system.u[region.potential]), *_owned(system.u[ELECTROLYTE])])
    if got is None:
        return None
    xp, psi, xe, phie = got
    xp, psi = _by_x(xp, psi)
    xe, phie = _by_x(xe, phie)
    keep = np.isin(xp, xe)  # vertices (phi_e is P1; a P2 psi has edge midpoints too)
    xp, psi = xp[keep], psi[keep]
    phie = phie[np.searchsorted(xe, xp)]
    c = sp.c_ref * sp.concentration(sp.z * phie, psi, exp=np.exp)
    rho = F * (sp.z * c + region.background * region.c_scale)
    return xp, psi * sc.potential, phie * sc.potential, c, rho


def write_outputs(results, config) -> None:
    system = results.system
    model = system.model
    case = results.case
    comm = model.regions.comm
    out = Path(results.directory) / "space_charge"
    transports = model.state.find(TRANSPORTS, {})
    resolved = {n: t for n, t in transports.items() if t.name == "nernst_planck_poisson"}
    meshed = [layer for layer in case.layers if layer.mode == "meshed"]
    # where each interface lies, from the mesh (collective)
    face_of = {f"{a.name}|{b.name}": model.regions.extent(b.name)[0]
               for a, b in zip(meshed, meshed[1:], strict=False)}
    debye = model.state.get(DEBYE_LENGTH)
    debye_nm = {n: 1e9 * debye[n] for n in resolved}
    profiles = {n: layer_profile(system, n, t) for n, t in resolved.items()}
    # the double layer's capacitance at resolved electrode faces, from the same sub-problem the
    # upscaled mode tabulates (every rank takes part: the table is shared through rank 0)
    capacitance_tables = {}
    for iface in config.interfaces:
        sides = iface.name.split("|")
        if iface.mode == "resolved" and any(s not in transports for s in sides):
            layer = next(s for s in sides if s in resolved)
            capacitance_tables[iface.name] = double_layer_table(
                _subproblem(resolved[layer].regions[layer], model, iface,
                            config.upscaled_range, config.upscaled_points), comm)
    if comm.rank != 0:
        return
    out.mkdir(exist_ok=True)
    last = results.series.rows[-1] if results.series.rows else {}
    summary = {"layers": {}, "interfaces": {}}
    for n in resolved:
        summary["layers"][n] = {"debye_length_nm": debye_nm[n],
                                "space_charge_C_m2": last.get(f"space_charge:{n}")}
    tables = {}
    for t in transports.values():
        tables.update(getattr(t, "tables", {}))
    for iface in config.interfaces:
        name = iface.name
        stem = name.replace("|", "__")
        if iface.mode == "upscaled":
            summary["interfaces"][name] = _write_table(out / f"{stem}_table.csv", iface,
                                                       tables[name], model.scales.potential,
                                                       last.get(f"electrode_charge:{name}"), last)
            continue
        x0 = face_of[name]
        rows = []
        for n in (s for s in name.split("|") if s in resolved):
            x, psi, phie, c, rho = profiles[n]
            near = np.abs(x - x0) <= config.profile_depth * debye_nm[n] * 1e-3
            rows += [(1e3 * (xi - x0), xi, p, e, ci, r) for xi, p, e, ci, r in
                     zip(x[near], psi[near], phie[near], c[near], rho[near], strict=True)]
        rows.sort()
        with open(out / f"{stem}.csv", "w", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["distance [nm]", "x [um]", "psi [V]", "phi_e [V]",
                        "concentration [mol/m^3]", "charge density [C/m^3]"])
            w.writerows(rows)
        _plot(out / f"{stem}.png", name, np.array(rows))
        summary["interfaces"][name] = {
            "mode": iface.mode,
            "electrode_charge_C_m2": last.get(f"electrode_charge:{name}"),
            "space_charge_potential_V": last.get(f"space_charge_potential:{name}"),
            "stern_capacitance_F_m2": iface.stern_capacitance,
            "potential_step_V": iface.potential_step,
            **_resistance(last, name),
        }
        if name in capacitance_tables:
            table = capacitance_tables[name]
            eta = last.get(f"overpotential:{name}", 0.0)
            v = (eta - iface.potential_step) / model.scales.potential
            summary["interfaces"][name]["capacitance_F_m2"] = float(
                np.interp(v, table.v, table.capacitance()))
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")


def _subproblem(region, model, iface, v_max: float, points: int) -> SubProblem:
    sc = model.scales
    sp = region.species[0]
    eps_r = region.kappa * F * region.c_scale * sc.length**2 / (EPS0 * sc.potential)
    return SubProblem(sp.z, sp.c_ref, sp.c_max, eps_r, sc.temperature, iface.stern_capacitance,
                      v_max, points)


def _resistance(last: dict, name: str) -> dict:
    """Overpotential, current and the interface's (chord) resistance eta/i at the end of the run,
    where the interface reacts (an electrode face) and carries current."""
    eta, i = last.get(f"overpotential:{name}"), last.get(f"current_density:{name}")
    if eta is None:
        return {}
    return {"overpotential_V": eta, "current_density_A_m2": i,
            "interface_resistance_ohm_m2": eta / i if i and abs(i) > 1e-12 else None}


def _write_table(path: Path, iface, table, vt: float, charge, last: dict) -> dict:
    """The upscaled interface's table (CSV) and its values at the equilibrium drop -dpsi."""
    cap = table.capacitance()
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["interface drop eta - dpsi [V]", "ln(c/c0) at the reaction plane",
                    "electrode charge [C/m^2]", "capacitance [F/m^2]"])
        w.writerows(zip(table.v * vt, table.ln_c, table.sigma, cap, strict=True))
    v_eq = -iface.potential_step / vt
    return {
        **_resistance(last, iface.name),
        "mode": iface.mode,
        "electrode_charge_C_m2": charge,
        "equilibrium_surface_concentration_ratio": float(np.exp(np.interp(v_eq, table.v,
                                                                            table.ln_c))),
        "equilibrium_capacitance_F_m2": float(np.interp(v_eq, table.v, cap)),
        "stern_capacitance_F_m2": iface.stern_capacitance,
        "potential_step_V": iface.potential_step,
        "table": path.name,
    }


def _plot(path: Path, title: str, rows: np.ndarray) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=120)
    if len(rows):
        d = rows[:, 0]
        a1.plot(d, rows[:, 2], "-", label="psi (electrostatic)")
        a1.plot(d, rows[:, 3], "--", label="phi_e (Li reference)")
        a2.semilogy(d, np.maximum(rows[:, 4], 1e-300), "-")
    a1.set_xlabel("distance from the interface (nm)")
    a1.set_ylabel("potential (V)")
    a1.legend(fontsize=8)
    a2.set_xlabel("distance from the interface (nm)")
    a2.set_ylabel("concentration (mol/m$^3$)")
    fig.suptitle(title)
    for a in (a1, a2):
        a.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
