"""PNG plots: the voltage curve (matplotlib) and a field snapshot (pyvista, off screen).

The field snapshot is rendered in a child process running this file as a script (it imports
neither ssefem nor MPI): VTK without a usable OpenGL/EGL library can crash the process with a
segmentation fault, which ``try``/``except`` cannot catch. In a child it costs only the picture,
never the run's results.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

log = logging.getLogger(__name__)

#: environment variables of an MPI launcher that a child process must not inherit
_MPI_ENV = ("PMI_", "PMIX_", "HYDRA_", "MPIR_", "MPICH_", "OMPI_")
#: the child's interpreter (-P: this file's folder stays off sys.path)
RENDERER = [sys.executable, "-P"]


def plot_results(directory: Path, series, summary: dict, profiles=None) -> None:
    plot_voltage(directory / "voltage.png", series, summary["case"])
    if any("area_specific_resistance" in r for r in series.rows):
        plot_pressure_sweep(directory / "pressure_sweep.png", series, summary["case"])
    for name, blocks in (profiles.blocks.items() if profiles is not None else ()):
        if blocks and "z" not in blocks[-1][2] and "y" in blocks[-1][2]:
            plot_profile(directory / f"{name}.png", blocks, series, summary["case"])
    render_fields(directory / "fields", directory / "fields.png")


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_pressure_sweep(path: Path, series, title: str) -> None:
    """Area-specific resistance and contact fraction against the stack pressure (log axes)."""
    plt = _pyplot()
    rows = [r for r in series.rows if "area_specific_resistance" in r and r["current"]]
    p = [r["stack_pressure_set"] / 1e6 for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    ax.loglog(p, [r["area_specific_resistance"] * 1e4 for r in rows], "o-", label="ASR")
    ax.set_xlabel("stack pressure (MPa)")
    ax.set_ylabel("area-specific resistance ($\\Omega$ cm$^2$)")
    fractions = [k for k in rows[0] if k.startswith("contact_fraction:")]
    if fractions:
        ax2 = ax.twinx()
        for k in fractions:
            ax2.semilogx(p, [r[k] for r in rows], "s--", color="C1", label=k)
        ax2.set_ylabel("contact fraction")
        ax2.set_ylim(0, 1.05)
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_profile(path: Path, blocks, series, title: str, most: int = 8) -> None:
    """Interface profiles of a 2-D case, every column against y: the states of a pressure
    sweep (labelled by pressure), else up to ``most`` states spread over the run."""
    plt = _pyplot()
    pick = sorted({round(k * (len(blocks) - 1) / max(most - 1, 1)) for k in range(most)})
    cols = [k for k in blocks[-1][2] if k not in ("x", "y")]
    fig, axes = plt.subplots(len(cols), 1, figsize=(6, 1.8 * len(cols)), dpi=120, sharex=True)
    for j in pick:
        row, t, values = blocks[j]
        r = series.rows[row]
        label = (f"{r['stack_pressure_set'] / 1e6:g} MPa" if "stack_pressure_set" in r
                 else f"t = {t:.4g} s")
        for ax, k in zip(axes, cols, strict=True):
            ax.plot(values["y"] * 1e6, values[k], "-", drawstyle="steps-mid", label=label)
    for ax, k in zip(axes, cols, strict=True):
        ax.set_ylabel(k, fontsize=8)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("y (um)")
    axes[0].legend(fontsize=6, ncol=4)
    axes[0].set_title(f"{title}: interface profiles")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def render_fields(fields_dir: Path, path: Path, timeout: float = 600.0) -> bool:
    """Render :func:`plot_fields` in a child process; warn (and return False) if it fails."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_MPI_ENV)}
    try:
        out = subprocess.run([*RENDERER, __file__, str(fields_dir), str(path)], env=env,
                             capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError) as err:
        log.warning("field snapshot not rendered: %s", err)
        return False
    if out.returncode != 0 or not path.is_file():
        last = (out.stderr.strip().splitlines() or ["no message"])[-1]
        log.warning("field snapshot not rendered (renderer exit status %d: %s); the results are "
                    "complete without it", out.returncode, last)
        path.unlink(missing_ok=True)
        return False
    return True


def plot_voltage(path: Path, series, title: str) -> None:
    plt = _pyplot()
    rows = [r for r in series.rows if r["kind"] != "steady"]
    fig, ax = plt.subplots(figsize=(6, 4), dpi=120)
    if rows:
        q = [r["charge"] / 36000.0 for r in rows]  # C/m^2 -> mAh/cm^2
        ax.plot(q, [r["voltage"] for r in rows], "-", lw=1.5)
        ax.set_xlabel("charge passed (mAh/cm$^2$, discharge positive)")
    else:
        steady = [r for r in series.rows if r["kind"] == "steady"]
        ax.plot([r["current"] for r in steady], [r["voltage"] for r in steady], "o-")
        ax.set_xlabel("current density (A/m$^2$, discharge positive)")
    ax.set_ylabel("cell voltage (V)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_fields(fields_dir: Path, path: Path) -> None:
    """One panel per field at the last time written (composition first, then potentials):
    line plots against x for a 1-D stack, pyvista renderings in 2-D and 3-D."""
    import pyvista as pv

    pv.OFF_SCREEN = True
    panels = []
    for pvd in sorted(fields_dir.glob("*.pvd")):
        reader = pv.get_reader(str(pvd))
        reader.set_active_time_point(len(reader.time_values) - 1)
        grid = reader.read()[0]
        panels += [(grid, n) for n in grid.point_data if n != "region" and not n.startswith("vtk")]
    panels.sort(key=lambda p: (not p[1].startswith("c_"), p[1]))
    if not panels:
        raise ValueError(f"no fields in {fields_dir}")
    b = panels[0][0].bounds
    if b[3] - b[2] == 0 and b[5] - b[4] == 0:
        _plot_lines(panels, path)
        return
    panels = panels[:4]
    plotter = pv.Plotter(off_screen=True, shape=(1, len(panels)),
                         window_size=(480 * len(panels), 480))
    for k, (grid, name) in enumerate(panels):
        plotter.subplot(0, k)
        plotter.add_mesh(grid.copy(), scalars=name,
                         scalar_bar_args={"title": f"{name} ({_unit(name)})", "n_labels": 3,
                                          "fmt": "%.4g", "position_x": 0.2, "width": 0.6})
        plotter.add_text(name, font_size=10)
        if grid.bounds[5] - grid.bounds[4] > 0:
            plotter.view_isometric()
        else:
            plotter.view_xy()
    plotter.screenshot(str(path))
    plotter.close()


def _unit(name: str) -> str:
    return "mol/m^3" if name.startswith("c_") else "V"


def _plot_lines(panels, path: Path) -> None:
    """1-D stacks: each field against x (um), one panel per field, sorted by x."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    n = len(panels)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.2 * rows), dpi=120,
                             squeeze=False)
    for ax, (grid, name) in zip(axes.flat, panels, strict=False):
        x = np.asarray(grid.points[:, 0])
        v = np.asarray(grid.point_data[name])
        order = np.argsort(x, kind="stable")
        ax.plot(x[order], v[order], ".-", ms=3, lw=1)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("x (um)")
        ax.set_ylabel(_unit(name))
        ax.ticklabel_format(axis="y", useOffset=False)
        ax.grid(alpha=0.3)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


if __name__ == "__main__":  # the child process of render_fields
    plot_fields(Path(sys.argv[1]), Path(sys.argv[2]))
