"""The space_charge plugin through the CLI and the Python API.

1. A resolved LiCoO2|Li6PS5Cl interface at open circuit: the electrode charge written to
   space_charge/summary.json is the Stern + Poisson-Boltzmann split of the potential step
   (independent closed form), the profile CSV shows the depletion layer, Gauss holds.
2. A galvanostatic transient with double-layer charging: the charge passed equals the Li inserted
   into the cathode plus the change of the cathode's surface charge, to 1e-8.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from codata import EPS0, F, R
from ssefem.materials import Library

from npp_helpers import stern_split

T = 298.15
VT = R * T / F
LIB = Library.builtin()
EPS = LIB.get("Li6PS5Cl").at("relative_permittivity", T)
C0 = 1.0  # mol/m^3 mobile carriers
LAM = math.sqrt(EPS0 * EPS * R * T / (F**2 * C0))  # m


def _case(protocol, stern=0.5, step=-0.2, **solver):
    from conftest import make_case

    return make_case(
        name="sc", temperature=T, initial={"stoichiometry": 0.6},
        layers=[{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 20},
                {"name": "electrolyte", "material": "Li6PS5Cl", "thickness": 10.0,
                 "cells": 120, "face_cell": 0.0005},
                {"name": "anode", "material": "Li", "thickness": 5.0, "cells": 5}],
        protocol=protocol, solver={"rtol": 1e-12, "atol": 1e-14, "stol": 1e-15, **solver},
        output={"plots": False, "progress": False},
        plugins={"space_charge": {
            "interfaces": [{"name": "cathode|electrolyte", "stern_capacitance": stern,
                            "potential_step": step},
                           {"name": "electrolyte|anode", "stern_capacitance": stern}],
            "layers": {"electrolyte": {"mobile_concentration": C0}},
            "upscaled_points": 401}})


def test_equilibrium_interface_through_the_cli(tmp_path: Path):
    from ssefem.case import dump_toml

    case = _case({"steps": [{"kind": "rest", "duration": 10.0}]})
    path = tmp_path / "case.toml"
    path.write_text(dump_toml(case.model_dump(mode="json", exclude_none=True)))
    out = subprocess.run([sys.executable, "-m", "ssefem.cli", "run", str(path), "--no-progress"],
                         capture_output=True, text=True, cwd=tmp_path, timeout=600,
                         env={**os.environ, "PYVISTA_OFF_SCREEN": "true"})
    assert out.returncode == 0, out.stderr
    d = tmp_path / "results" / "sc"
    summary = json.loads((d / "summary.json").read_text())
    assert summary["status"] == "completed"
    assert any(t.startswith("stern_layer:cathode|electrolyte (flux, space_charge)")
               for t in summary["terms"])
    sc = json.loads((d / "space_charge" / "summary.json").read_text())
    assert sc["layers"]["electrolyte"]["debye_length_nm"] == pytest.approx(LAM * 1e9, rel=1e-12)
    sigma, u_d = stern_split(-0.2, 0.5, EPS, LAM)
    got = sc["interfaces"]["cathode|electrolyte"]
    assert got["electrode_charge_C_m2"] == pytest.approx(sigma, rel=5e-3)
    assert got["space_charge_potential_V"] == pytest.approx(u_d * VT, rel=5e-3)
    gauss = -got["electrode_charge_C_m2"]  # the two electrodes hold minus the layer's charge
    assert sc["layers"]["electrolyte"]["space_charge_C_m2"] == pytest.approx(gauss, rel=1e-6)
    assert abs(sc["interfaces"]["electrolyte|anode"]["electrode_charge_C_m2"]) < 1e-12
    with open(d / "space_charge" / "cathode__electrolyte.csv") as fh:
        rows = list(csv.DictReader(fh))
    dist = [float(r["distance [nm]"]) for r in rows]
    c = [float(r["concentration [mol/m^3]"]) for r in rows]
    assert dist[0] >= 0 and dist[-1] > 10 * LAM * 1e9  # the electrolyte side, 30 lambda deep
    assert c[0] == pytest.approx(C0 * math.exp(-u_d), rel=1e-2)  # Boltzmann at the surface
    assert c[-1] == pytest.approx(C0, rel=1e-6)
    assert (d / "space_charge" / "cathode__electrolyte.png").stat().st_size > 1000
    # capacitance: Stern in series with the diffuse layer's PB capacitance at u_d
    f = math.exp(-u_d) + u_d - 1
    c_d = EPS0 * EPS / LAM * abs(1 - math.exp(-u_d)) / math.sqrt(2 * f)
    assert got["capacitance_F_m2"] == pytest.approx(1 / (1 / 0.5 + 1 / c_d), rel=1e-2)
    assert got["interface_resistance_ohm_m2"] is None  # open circuit: no current


def test_charge_balance_with_double_layer_charging():
    """Discharge: I = -(i_faradaic + d(sigma_M)/dt) at the cathode, so the charge passed is the
    Li inserted minus the rise of the cathode's surface charge."""
    from ssefem.runner import run

    case = _case({"steps": [{"kind": "rest", "duration": 1.0},
                            {"kind": "discharge", "current": 2.0, "duration": 300.0},
                            {"kind": "rest", "duration": 60.0}]},
                 dt_initial=1e-3, dt_max=30.0)
    res = run(case, write=False, progress=False)
    fcl = F * LIB.get("LiCoO2").at("c_max", T) * 2.0e-6
    rows = res.series.rows
    base = [r for r in rows if r["step"] == 0][-1]  # open-circuit equilibrium, nothing passed
    assert base["charge"] == 0.0
    sigma0 = base["electrode_charge:cathode|electrolyte"]
    assert sigma0 == pytest.approx(stern_split(-0.2, 0.5, EPS, LAM)[0], rel=5e-3)
    passed = max(abs(r["charge"]) for r in rows)
    assert passed > 500  # C/m^2
    moved = 0.0
    for r in rows:
        inserted = fcl * (r["stoichiometry:cathode"] - 0.6)
        dsigma = r["electrode_charge:cathode|electrolyte"] - sigma0
        assert r["charge"] == pytest.approx(inserted - dsigma, abs=1e-8 * passed)
        moved = max(moved, abs(dsigma))
    assert moved > 1e-5  # the double layer did charge (a non-faradaic current flowed)
