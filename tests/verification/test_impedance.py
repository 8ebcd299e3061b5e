"""The impedance study (issue 14, first slice: the linearisation) against closed forms.

- Li | LLZO | Li has no storage: its impedance is real and frequency-independent, the bulk and
  two charge-transfer resistances, Z = L/sigma + 2 RT / (F i0 (alpha_a + alpha_c)): this checks
  the scaling of Z (PyBaMM once had an impedance scaling bug) and the right-hand side.
- LiCoO2 | LiPON | Li at theta = 0.7 (away from theta_ref = 0.75, where i0's composition
  factor would be 1): the series resistances, the two charge transfers with i0(theta), and the
  finite-space Warburg of the dense cathode with a blocking back contact,
  Z_d = R_d coth(sqrt(i w tau)) / sqrt(i w tau), tau = L^2 / D_s, R_d = -(dU/dc) L / (F D_s).

Material values are read from the library's data; F and R are CODATA values written here.
"""

from __future__ import annotations

import cmath
import math

import numpy as np
import pytest

from conftest import make_case

from ssefem.errors import CaseError
from ssefem.materials import Library, get_ocp
from ssefem.materials.ocp import numpy_ns
from ssefem.runner import run
from ssefem.validate import prepare

F = 96485.33212
R = 8.314462618
T = 298.15
LIB = Library.builtin()


def _value(material: str, prop: str) -> float:
    return LIB.get(material).properties[prop].value


def _spectrum(result):
    rows = result.tables["impedance"]
    f = np.array([r["frequency_Hz"] for r in rows])
    z = np.array([complex(r["Z_re_ohm_m2"], r["Z_im_ohm_m2"]) for r in rows])
    return f, z


def test_symmetric_lithium_cell_is_a_frequency_independent_resistance():
    L = 20.0
    case = make_case(layers=[
        {"name": "left", "material": "Li", "thickness": 2.0, "cells": 2},
        {"name": "electrolyte", "material": "LLZO-Al", "thickness": L, "cells": 10},
        {"name": "right", "material": "Li", "thickness": 2.0, "cells": 2}],
        protocol={"steps": [{"kind": "impedance", "f_min": 1e-3, "f_max": 1.0,
                             "points_per_decade": 1}]})
    # up to 1 Hz: seven decades below the bulk arc's apex (9 MHz, the geometric capacitance,
    # which test_impedance_capacitive.py checks), whose effect here is below 1e-7 of Z
    f, z = _spectrum(run(case, write=False))
    assert len(f) == 4 and f[0] == pytest.approx(1.0) and f[-1] == pytest.approx(1e-3)
    i0 = _value("Li", "exchange_current_density")
    expected = (L * 1e-6 / _value("LLZO-Al", "conductivity")
                + 2 * R * T / (F * i0 * (0.5 + 0.5)) + 2 * 2e-6 / _value("Li", "electronic_conductivity"))
    np.testing.assert_allclose(z.real, expected, rtol=1e-9)
    # what is left of the bulk arc (R_b || C_g, C_g = eps0 eps_r / L) seven decades below it
    r_b, c_g = L * 1e-6 / _value("LLZO-Al", "conductivity"), (
        8.8541878128e-12 * _value("LLZO-Al", "relative_permittivity") / (L * 1e-6))
    w = 2 * math.pi * f
    np.testing.assert_allclose(z.imag, (r_b / (1 + 1j * w * r_b * c_g)).imag, rtol=0,
                               atol=1e-9 * expected)


def test_thin_film_cathode_gives_the_finite_space_warburg():
    theta, Lc, Le, La = 0.7, 2.0e-6, 1.5e-6, 3.0e-6
    mat = LIB.get("LiCoO2")
    c_max = _value("LiCoO2", "c_max")
    D = _value("LiCoO2", "diffusivity")
    tau = Lc**2 / D
    # frequencies with omega tau from 0.03 to 300 (the diffusion length from 6 L to L / 17)
    freqs = [w / (2 * math.pi * tau) for w in (0.03, 0.3, 3.0, 30.0, 300.0)]
    case = make_case(layers=[
        {"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 400},
        {"name": "electrolyte", "material": "LiPON", "thickness": 1.5, "cells": 8},
        {"name": "anode", "material": "Li", "thickness": 3.0, "cells": 3}],
        initial={"stoichiometry": theta},
        protocol={"steps": [{"kind": "impedance", "frequencies": freqs}]})
    f, z = _spectrum(run(case, write=False))
    ocp = get_ocp(mat.ocp).func
    h = 1e-6
    dU_dtheta = (ocp(theta + h, numpy_ns) - ocp(theta - h, numpy_ns)) / (2 * h)
    R_d = -(dU_dtheta / c_max) * Lc / (F * D)
    th_ref = mat.theta_ref
    i0_c = (_value("LiCoO2", "exchange_current_density") * (theta / th_ref) ** 0.5
            * ((1 - theta) / (1 - th_ref)) ** 0.5)
    i0_a = _value("Li", "exchange_current_density")
    series = (Le / _value("LiPON", "conductivity")
              + Lc / _value("LiCoO2", "electronic_conductivity")
              + La / _value("Li", "electronic_conductivity")
              + R * T / (F * i0_c) + R * T / (F * i0_a))
    for fk, zk in zip(f, z, strict=True):
        s = cmath.sqrt(1j * 2 * math.pi * fk * tau)
        expected = series + R_d / (s * cmath.tanh(s))
        assert abs(zk - expected) <= 1e-3 * abs(expected - series) + 1e-9 * series, (
            fk, zk, expected)
    # the Warburg's signature: -Z'' rises towards low frequency (the blocking capacitance)
    assert np.all(np.diff(-z.imag[::-1]) < 0)


GEOMETRIES = {
    "1d": {"dimension": 1},
    "2d": {"dimension": 2, "width": 4.0, "lateral_cells": 3},
    "3d": {"dimension": 3, "width": 4.0, "lateral_cells": 2},
    "axisymmetric": {"dimension": 2, "width": 4.0, "lateral_cells": 3, "axisymmetric": True},
}


@pytest.mark.parametrize("geometry", list(GEOMETRIES))
def test_zero_frequency_limit_is_the_steady_differential_resistance(geometry):
    """The scaling check in every geometry: Z at 1 uHz of a Li | LiPON | Li cell (nothing
    stores charge, so Z(0) is finite) against dV/dI of the steady study at the same state,
    Richardson-extrapolated from symmetric secants at +-di and +-2 di (their error is
    O(di^2)); both per unit area."""
    di = 0.5
    base = dict(geometry=GEOMETRIES[geometry],
                layers=[{"name": "left", "material": "Li", "thickness": 2.0, "cells": 2},
                        {"name": "electrolyte", "material": "LiPON", "thickness": 1.5,
                         "cells": 4},
                        {"name": "right", "material": "Li", "thickness": 2.0, "cells": 2}])
    steady = run(make_case(**base, protocol={"steps": [
        {"kind": "steady", "currents": [di, -di, 2 * di, -2 * di]}]}), write=False)
    v = steady.series.column("voltage")
    s1, s2 = (v[1] - v[0]) / (2 * di), (v[3] - v[2]) / (4 * di)
    dv_di = (4 * s1 - s2) / 3
    z = run(make_case(**base, protocol={"steps": [
        {"kind": "impedance", "frequencies": [1e-6]}]}),
        write=False).tables["impedance"][0]
    assert z["Z_re_ohm_m2"] == pytest.approx(dv_di, rel=1e-6)
    assert abs(z["Z_im_ohm_m2"]) < 1e-6 * dv_di


@pytest.mark.parametrize(("step", "key", "says"), [
    ({"kind": "impedance"}, "protocol.steps[0]", "needs 'frequencies' or 'f_min' and 'f_max'"),
    ({"kind": "impedance", "f_min": 10.0, "f_max": 1.0}, "protocol.steps[0]", "not below"),
    ({"kind": "impedance", "frequencies": [1.0], "f_min": 1.0, "f_max": 2.0},
     "protocol.steps[0]", "not both"),
    ({"kind": "impedance", "frequencies": [-1.0]}, "protocol.steps[0]", "> 0 Hz"),
    ({"kind": "impedance", "f_min": 1.0, "f_max": 2.0, "point_per_decade": 3},
     "protocol.steps[0].point_per_decade", "unknown key"),
])
def test_bad_impedance_steps_name_the_key(step, key, says):
    with pytest.raises(CaseError) as err:
        prepare(make_case(protocol={"steps": [step]}))
    assert err.value.key == key and says in err.value.message, str(err.value)


def test_cli_writes_impedance_csv(tmp_path):
    import csv
    import json
    import os
    import subprocess
    import sys

    from ssefem.case import dump_toml

    case = make_case(name="eis", initial={"stoichiometry": 0.7}, protocol={"steps": [
        {"kind": "rest", "duration": 10.0},
        {"kind": "impedance", "f_min": 0.1, "f_max": 100.0, "points_per_decade": 2}]})
    (tmp_path / "eis.toml").write_text(dump_toml(case.model_dump(mode="json",
                                                                 exclude_none=True)))
    out = subprocess.run([sys.executable, "-m", "ssefem.cli", "run", "eis.toml"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "PYVISTA_OFF_SCREEN": "true"})
    assert out.returncode == 0, out.stderr
    results = tmp_path / "results" / "eis"
    rows = list(csv.DictReader((results / "impedance.csv").open()))
    assert len(rows) == 7 and float(rows[0]["frequency_Hz"]) == pytest.approx(100.0)
    for r in rows:  # the Ohm cm^2 columns are the Ohm m^2 ones times 1e4
        assert float(r["Z_re_ohm_cm2"]) == pytest.approx(1e4 * float(r["Z_re_ohm_m2"]),
                                                         rel=1e-12)
        assert float(r["phase_deg"]) < 0  # capacitive
    summary = json.loads((results / "summary.json").read_text())
    assert summary["tables"] == ["impedance"]
    assert summary["steps"][-1]["kind"] == "impedance"
