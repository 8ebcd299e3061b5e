"""PNG plots: the voltage curve (matplotlib) and a field snapshot (pyvista, off screen)."""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def plot_results(directory: Path, series, summary: dict) -> None:
    plot_voltage(directory / "voltage.png", series, summary["case"])
    try:
        plot_fields(directory / "fields", directory / "fields.png")
    except Exception as err:  # a missing render backend must not lose the run's results
        log.warning("field snapshot not rendered: %s", err)


def plot_voltage(path: Path, series, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    """One panel per field at the last time written (composition first, then potentials)."""
    import pyvista as pv

    pv.OFF_SCREEN = True
    panels = []
    for pvd in sorted(fields_dir.glob("*.pvd")):
        reader = pv.get_reader(str(pvd))
        reader.set_active_time_point(len(reader.time_values) - 1)
        grid = reader.read()[0]
        panels += [(grid, n) for n in grid.point_data if n != "region"]
    panels.sort(key=lambda p: (not p[1].startswith("c_"), p[1]))
    panels = panels[:4]
    plotter = pv.Plotter(off_screen=True, shape=(1, len(panels)),
                         window_size=(420 * len(panels), 420))
    for k, (grid, name) in enumerate(panels):
        plotter.subplot(0, k)
        unit = "mol/m^3" if name.startswith("c_") else "V"
        plotter.add_mesh(grid.copy(), scalars=name, line_width=8, render_lines_as_tubes=True,
                         scalar_bar_args={"title": f"{name} ({unit})", "n_labels": 3,
                                          "fmt": "%.4g"})
        plotter.add_text(name, font_size=10)
        if grid.bounds[5] - grid.bounds[4] > 0:
            plotter.view_isometric()
        else:
            plotter.view_xy()
    plotter.screenshot(str(path))
    plotter.close()
