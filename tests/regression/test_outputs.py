"""Cases through the CLI: results directory contents, field read-back, solver failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from ssefem.case import case_from_dict, load_case

ROOT = Path(__file__).parents[2]


def _cli(*args, cwd, timeout=600):
    return subprocess.run([sys.executable, "-m", "ssefem.cli", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout,
                          env={**os.environ, "PYVISTA_OFF_SCREEN": "true"})


def _write_case(path: Path, case) -> Path:
    from ssefem.case import dump_toml

    path.write_text(dump_toml(case.model_dump(mode="json", exclude_none=True)))
    return path


@pytest.fixture(scope="module")
def results_2d(tmp_path_factory):
    from conftest import make_case

    tmp = tmp_path_factory.mktemp("out2d")
    case = make_case(
        name="out2d",
        geometry={"dimension": 2, "width": 2.0, "lateral_cells": 2},
        initial={"stoichiometry": 0.55},
        protocol={"steps": [{"kind": "discharge", "current": 5.0, "duration": 300.0}]},
        solver={"dt_initial": 30.0, "dt_max": 60.0},
        output={"fields_every": 2, "plots": True},
    )
    path = _write_case(tmp / "case.toml", case)
    out = _cli("run", str(path), "--no-progress", cwd=tmp)
    assert out.returncode == 0, out.stderr
    return tmp / "results" / "out2d", case


def test_results_directory(results_2d):
    d, case = results_2d
    for name in ("summary.json", "timeseries.csv", "resolved_case.toml", "voltage.png",
                 "fields.png", "fields/mesh.xdmf", "fields/cathode.xdmf", "fields/cathode.pvd",
                 "fields/electrolyte.xdmf", "fields/anode.pvd"):
        assert (d / name).is_file(), name
    assert [p.name for p in d.parent.glob(".*")] == [".out2d.lock"]  # no staging left
    s = json.loads((d / "summary.json").read_text())
    assert s["status"] == "completed" and s["ranks"] == 1
    assert s["versions"]["dolfinx"].startswith("0.")
    assert any(t.startswith("butler_volmer:cathode|electrolyte") for t in s["terms"])
    resolved = case_from_dict(tomllib.loads((d / "resolved_case.toml").read_text()))
    assert resolved == case
    header = (d / "timeseries.csv").read_text().splitlines()[0]
    assert "voltage [V]" in header and "current [A/m^2]" in header


def test_fields_read_back_with_pyvista(results_2d):
    import pyvista as pv

    d, case = results_2d
    reader = pv.get_reader(str(d / "fields" / "cathode.pvd"))
    assert len(reader.time_values) >= 3
    reader.set_active_time_point(len(reader.time_values) - 1)
    grid = reader.read()[0]
    c = np.asarray(grid.point_data["c_cathode"])
    phi = np.asarray(grid.point_data["phi_cathode"])
    c_max = 5.1555e4
    assert 0.55 * c_max < c.min() <= c.max() < 0.85 * c_max  # lithiated by the discharge, SI
    assert 3.5 < phi.min() <= phi.max() < 4.3  # volts
    assert np.all(np.asarray(grid.cell_data["region"]) == 1)
    assert grid.bounds[1] == pytest.approx(case.layers[0].thickness)  # um
    el = pv.get_reader(str(d / "fields" / "electrolyte.pvd"))
    el.set_active_time_point(len(el.time_values) - 1)
    phi_e = np.asarray(el.read()[0].point_data["phi_e"])
    assert np.ptp(phi_e) > 0  # ohmic drop under current


@pytest.mark.skipif(shutil.which("pvpython") is None, reason="ParaView's pvpython not installed")
def test_paraview_opens_xdmf(results_2d, tmp_path):
    d, _ = results_2d
    script = tmp_path / "pv.py"
    png = tmp_path / "pv.png"
    script.write_text(
        "from paraview.simple import *\n"
        # the Xdmf3 reader is what ParaView picks for DOLFINx's XDMF (XDMF 3)
        f"r = Xdmf3ReaderT(FileName=[{str(d / 'fields' / 'cathode.xdmf')!r}])\n"
        "r.UpdatePipeline(max(r.TimestepValues))\n"
        "print('ARRAYS', r.PointData.keys(), r.CellData.keys())\n"
        "print('RANGE', *r.PointData['c_cathode'].GetRange())\n"
        "v = Show(r); ColorBy(v, ('POINTS', 'c_cathode')); Render()\n"
        f"SaveScreenshot({str(png)!r})\n")
    cmd = ["pvpython", str(script)]
    if shutil.which("xvfb-run"):
        cmd = ["xvfb-run", "-a"] + cmd
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "c_cathode" in out.stdout and "region" in out.stdout and png.stat().st_size > 1000
    lo, hi = map(float, out.stdout.split("RANGE")[1].split()[:2])
    assert 0.55 * 5.1555e4 < lo <= hi < 0.85 * 5.1555e4


def test_axisymmetric_case_writes_fields(tmp_path):
    """The shipped axisymmetric case, its discharge cut to 60 s: it runs through the CLI and
    writes fields on the meridian plane (x along the stack, y the radius from 0 to 'width')."""
    import pyvista as pv

    data = load_case(ROOT / "cases" / "thin_film_axisymmetric.toml").model_dump(
        mode="json", exclude_none=True)
    assert data["geometry"]["axisymmetric"]
    step = data["protocol"]["steps"][0]
    step.pop("until_voltage")
    step["duration"] = 60.0
    data["output"].update(fields_every=1, plots=False)
    case = case_from_dict(data)
    out = _cli("run", str(_write_case(tmp_path / "case.toml", case)), "--no-progress",
               cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    d = tmp_path / "results" / case.name
    assert json.loads((d / "summary.json").read_text())["status"] == "completed"
    rows = (d / "timeseries.csv").read_text().splitlines()
    assert len(rows) >= 3
    reader = pv.get_reader(str(d / "fields" / "cathode.pvd"))
    assert len(reader.time_values) >= 3
    reader.set_active_time_point(len(reader.time_values) - 1)
    grid = reader.read()[0]
    assert grid.bounds[2] == pytest.approx(0.0) and grid.bounds[3] == pytest.approx(
        case.geometry.width)
    c = np.asarray(grid.point_data["c_cathode"])
    c_max = 5.1555e4  # lithiated by the discharge from 0.52, with a gradient under current
    assert 0.52 * c_max < c.min() < c.max() < 0.6 * c_max


def test_solver_failure_keeps_finished_results(tmp_path):
    """An impossible current: named error, exit 3, the finished rest step kept, status failed."""
    from conftest import make_case

    case = make_case(
        name="fails",
        protocol={"steps": [{"kind": "rest", "duration": 10.0},
                            {"kind": "discharge", "current": 1e9, "duration": 10.0}]},
        solver={"dt_initial": 5.0, "dt_min": 1e-3, "max_iterations": 8},
        output={"plots": False},
    )
    path = _write_case(tmp_path / "case.toml", case)
    out = _cli("run", str(path), "--no-progress", cwd=tmp_path)
    assert out.returncode == 3, out.stderr
    assert "solver error" in out.stderr and "dt_min" in out.stderr
    d = tmp_path / "results" / "fails"
    s = json.loads((d / "summary.json").read_text())
    assert s["status"] == "failed" and "dt_min" in s["error"]
    rows = (d / "timeseries.csv").read_text().splitlines()
    assert len(rows) >= 2 and all(",rest," in r for r in rows[1:])


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "cases").glob("*.toml")))
def test_shipped_cases_validate(name):
    out = _cli("validate", str(ROOT / "cases" / name), cwd=ROOT)
    assert out.returncode == 0, out.stderr
    load_case(ROOT / "cases" / name)


def test_renderer_crash_keeps_the_results(tmp_path, monkeypatch, caplog):
    """A renderer that dies with SIGSEGV (VTK without an EGL/OpenGL library does) costs only
    fields.png: the run completes and publishes every other result."""
    import stat

    from conftest import make_case
    from ssefem.output import plots
    from ssefem.runner import run

    crash = tmp_path / "segv.sh"
    crash.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crash.chmod(crash.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(plots, "RENDERER", [str(crash)])
    case = make_case(name="crash", protocol={"steps": [{"kind": "discharge", "current": 5.0,
                                                        "duration": 60.0}]},
                     solver={"dt_initial": 30.0}, output={"plots": True})
    with caplog.at_level("WARNING"):
        res = run(case, outdir=tmp_path / "r", progress=False)
    d = tmp_path / "r"
    assert res.summary["status"] == "completed"
    assert (d / "summary.json").is_file() and (d / "voltage.png").is_file()
    assert not (d / "fields.png").exists()
    assert "field snapshot not rendered (renderer exit status -11" in caplog.text


@pytest.mark.parametrize("axisymmetric", [False, True], ids=["plane", "axisymmetric"])
def test_mechanics_fields_read_back_with_pyvista(tmp_path, axisymmetric):
    """Displacement and stress fields of a compressed 2-D stack: the von Mises stress of each
    laterally constrained layer is p (1 - 2 nu) / (1 - nu), the hydrostatic -p (1 + nu) / 3 (1 - nu),
    cell by cell; the displacement vanishes on the negative collector. Axisymmetric, the cell
    values are weighted means (2 pi r), so they are right only if the cell volumes carry the
    same weight."""
    import pyvista as pv
    from conftest import make_case

    from ssefem.materials import Library

    p = 20e6
    case = make_case(name="mech2d", geometry={"dimension": 2, "width": 2.0, "lateral_cells": 2,
                                              "axisymmetric": axisymmetric},
                     mechanics={"stack_pressure": p / 1e6},
                     output={"fields_every": 1, "plots": False})
    out = _cli("run", str(_write_case(tmp_path / "case.toml", case)), "--no-progress",
               cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    fields = tmp_path / "results" / "mech2d" / "fields"
    assert (fields / "cathode_electrolyte_anode.xdmf").is_file()
    reader = pv.get_reader(str(fields / "cathode_electrolyte_anode.pvd"))
    reader.set_active_time_point(len(reader.time_values) - 1)
    grid = reader.read()[0]
    u = np.asarray(grid.point_data["u"])
    assert u.shape[1] == 3 and np.abs(u[:, 0]).max() > 1e-10  # m
    anode_cc = np.isclose(grid.points[:, 0], sum(la.thickness for la in case.layers))
    assert np.abs(u[anode_cc]).max() < 1e-20
    region = np.asarray(grid.cell_data["region"])
    vm = np.asarray(grid.cell_data["von_mises_stress"])
    sh = np.asarray(grid.cell_data["hydrostatic_stress"])
    lib = Library.builtin()
    for tag, layer in enumerate(case.layers, start=1):
        nu = lib.get(layer.material).at("poisson_ratio", 298.15)
        cells = region == tag
        assert cells.any()
        np.testing.assert_allclose(vm[cells], p * (1 - 2 * nu) / (1 - nu), rtol=1e-6)
        np.testing.assert_allclose(sh[cells], -p * (1 + nu) / (3 * (1 - nu)), rtol=1e-6)


def test_creep_fields_read_back_with_pyvista(tmp_path):
    """A 2-D stack under pressure whose Li anode creeps during a rest: the creep strain is
    written as a 3x3 cell tensor (its unknown, the independent components, is not written) and
    as the equivalent strain. The laterally constrained Li creeps uniformly with
    eps_cr = diag(e, -e/2, -e/2), e < 0, whose equivalent strain |e| is the time series'
    creep_strain:anode."""
    import csv

    import pyvista as pv
    from conftest import make_case

    case = make_case(name="creep2d", geometry={"dimension": 2, "width": 2.0, "lateral_cells": 2},
                     mechanics={"stack_pressure": 1.0, "creep": ["anode"]},
                     protocol={"steps": [{"kind": "rest", "duration": 60.0}]},
                     solver={"dt_initial": 10.0}, output={"fields_every": 1, "plots": False})
    out = _cli("run", str(_write_case(tmp_path / "case.toml", case)), "--no-progress",
               cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    d = tmp_path / "results" / "creep2d"
    rows = list(csv.DictReader((d / "timeseries.csv").open()))
    e = float(rows[-1]["creep_strain:anode [1]"])
    assert e > 1e-5 and float(rows[-1]["creep_rate:anode [1/s]"]) > 0
    assert (d / "fields" / "anode.xdmf").is_file()
    reader = pv.get_reader(str(d / "fields" / "anode.pvd"))
    reader.set_active_time_point(len(reader.time_values) - 1)
    grid = reader.read()[0]
    assert "eps_cr_anode" not in grid.cell_data and "eps_cr_anode" not in grid.point_data
    tensor = np.asarray(grid.cell_data["creep_strain"]).reshape(-1, 3, 3)
    expected = np.diag([-e, e / 2, e / 2])
    np.testing.assert_allclose(tensor, np.broadcast_to(expected, tensor.shape), rtol=1e-6,
                               atol=1e-9 * e)
    np.testing.assert_allclose(np.asarray(grid.cell_data["equivalent_creep_strain"]), e,
                               rtol=1e-6)


def test_void_stripping_case_closes_its_void(tmp_path):
    """cases/li_lpsc_void_stripping.toml through the CLI (a coarser mesh): at the start the
    current crosses only outside the void and peaks at its rim; through the hour the Li creeps
    into the void (its gap at the centre falls by an order of magnitude), the contact fraction
    grows and the current crowds less."""
    import csv

    data = load_case(ROOT / "cases" / "li_lpsc_void_stripping.toml").model_dump(
        mode="json", exclude_none=True)
    data["geometry"]["lateral_cells"] = 40
    data["output"].update(fields_every=0, plots=False)
    path = _write_case(tmp_path / "case.toml", case_from_dict(data))
    out = _cli("run", str(path), "--no-progress", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    d = tmp_path / "results" / data["name"]
    rows = list(csv.DictReader((d / "timeseries.csv").open()))
    assert float(rows[-1]["time [s]"]) == pytest.approx(3600.0)
    f = [float(r["contact_fraction:electrolyte|anode [1]"]) for r in rows]
    peak = [float(r["current_peak_to_mean:electrolyte|anode [1]"]) for r in rows]
    assert f[0] == pytest.approx(1 - 0.3**2, abs=0.01) and f[-1] > f[0] + 0.02
    assert peak[-1] < peak[0]
    profile = list(csv.DictReader((d / "profiles" / "interface.csv").open()))
    first, last = (
        [r for r in profile if int(r["row"]) == k] for k in (0, len(rows) - 1))
    y = np.array([float(r["y [m]"]) for r in first])
    i0 = np.array([float(r["current_density [A/m^2]"]) for r in first])
    void = y < 5.5e-6
    assert np.all(i0[void] == 0) and np.argmax(i0) == np.argmax(y > 6e-6)  # rim crowding
    gap = [np.array([float(r["gap [m]"]) for r in rows_]) for rows_ in (first, last)]
    assert gap[0][0] > 0.4e-6 and gap[1][0] < 0.1 * gap[0][0]


def test_pressure_sweep_case_writes_its_outputs(tmp_path):
    """cases/li_llzo_pressure_sweep.toml through the CLI (three pressures, a coarser mesh): the
    sweep's columns, the interface profile of every pressure, and the two plots."""
    import csv

    data = load_case(ROOT / "cases" / "li_llzo_pressure_sweep.toml").model_dump(
        mode="json", exclude_none=True)
    data["geometry"]["lateral_cells"] = 20
    data["protocol"]["steps"][0]["stack_pressures"] = [1.0, 20.0, 400.0]
    path = _write_case(tmp_path / "case.toml", case_from_dict(data))
    out = _cli("run", str(path), "--no-progress", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    d = tmp_path / "results" / data["name"]
    for name in ("pressure_sweep.png", "interface.png", "profiles/interface.csv"):
        assert (d / name).is_file(), name
    rows = list(csv.DictReader((d / "timeseries.csv").open()))
    asr = [float(r["area_specific_resistance [Ohm m^2]"]) for r in rows]
    f = [float(r["contact_fraction:electrolyte|anode [1]"]) for r in rows]
    assert [float(r["stack_pressure_set [Pa]"]) for r in rows] == [1e6, 20e6, 400e6]
    assert asr[0] > asr[1] > asr[2] > 0 and f[0] < f[1] < f[2]
    profile = list(csv.DictReader((d / "profiles" / "interface.csv").open()))
    assert sorted({int(r["row"]) for r in profile}) == [0, 1, 2]
    assert len(profile) == 3 * 20
    assert {"y [m]", "contact_pressure [Pa]", "gap [m]", "closed",
            "current_density [A/m^2]"} <= set(profile[0])


@pytest.mark.parametrize("show", [False, True])
def test_cli_run_follows_output_progress(tmp_path, show):
    """``ssefem run`` draws the progress bar exactly when the case's ``output.progress`` says
    so (without ``--no-progress``): tqdm's bar counts steps on stderr."""
    from conftest import make_case

    case = make_case(protocol={"steps": [{"kind": "rest", "duration": 3.0}]},
                     solver={"dt_initial": 1.0, "dt_max": 1.0},
                     output={"progress": show, "plots": False, "fields_every": 0})
    out = _cli("run", str(_write_case(tmp_path / "case.toml", case)), cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert ("step/s" in out.stderr or "s/step" in out.stderr) == show, out.stderr
