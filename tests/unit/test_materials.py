"""Material library and OCP registry (no DOLFINx needed).

Expected numbers are recomputed here from the published formulas and CODATA constants, not
taken from the code under test.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from ssefem.materials import (
    Library,
    Material,
    Property,
    format_table,
    load_builtin,
)
from ssefem.materials.ocp import OCP_FITS, OCPFit, get_ocp, numpy_ns, register_ocp

from codata import E_CHARGE, K_B  # CODATA 2018, independent of ssefem.constants

T_ROOM = 298.15

EXPECTED = {
    "ion_conductor": {
        "LLZO-Ta",
        "LLZO-Al",
        "LATP",
        "LLTO",
        "LiPON",
        "Li6PS5Cl",
        "LGPS",
        "Na3PS4",
        "Li3InCl6",
        "Li3YCl6",
        "NASICON-Na",
        "LiNbO3",
        "MgSc2Se4",
    },
    "binary_salt": {"PEO-LiTFSI"},
    "insertion_electrode": {"LiCoO2", "NMC811", "NVP", "Mo6S8"},
    "metal": {"Li", "Na", "Mg"},
}


@pytest.fixture(scope="module")
def builtin() -> dict[str, Material]:
    return load_builtin()


def _of_kind(materials: dict[str, Material], kind: str) -> list[Material]:
    return [m for m in materials.values() if m.kind == kind]


def _arrhenius_ratio(Ea_eV: float, T: float, T_ref: float) -> float:
    return math.exp(-Ea_eV * E_CHARGE / K_B * (1.0 / T - 1.0 / T_ref))


# ---------------------------------------------------------------------------------------------
# entries


def test_coverage_and_kinds(builtin):
    for kind, names in EXPECTED.items():
        assert {m.name for m in _of_kind(builtin, kind)} == names, kind
    assert set(builtin) == set().union(*EXPECTED.values())


def test_every_entry_has_sources_and_sane_units(builtin):
    for material in builtin.values():
        assert material.properties, material.name
        for prop_name, prop in material.properties.items():
            where = f"{material.name}.{prop_name}"
            assert prop.source.strip(), where
            assert prop.unit.strip(), where
            assert math.isfinite(prop.value), where
            assert prop.T_ref > 0, where


def test_charge_numbers(builtin):
    for material in builtin.values():
        expected = 2 if material.ion == "Mg" else 1
        assert material.z == expected, material.name
    assert builtin["MgSc2Se4"].ion == "Mg"


def test_required_properties_positive(builtin):
    positive = {
        "ion_conductor": ("conductivity", "mobile_concentration", "relative_permittivity"),
        "insertion_electrode": (
            "c_max",
            "diffusivity",
            "electronic_conductivity",
            "exchange_current_density",
        ),
        "metal": ("electronic_conductivity", "exchange_current_density", "molar_volume"),
        "binary_salt": ("conductivity", "salt_diffusivity", "salt_concentration"),
    }
    for material in builtin.values():
        for name in positive[material.kind]:
            assert material.properties[name].value > 0, (material.name, name)
    for material in _of_kind(builtin, "binary_salt"):
        assert 0 < material.properties["transference_number"].value < 1


def test_elastic_constants_in_range(builtin):
    for material in builtin.values():
        props = material.properties
        if "youngs_modulus" in props:
            assert 1e9 <= props["youngs_modulus"].value <= 1e12, material.name
            assert props["youngs_modulus"].unit == "Pa"
        if "poisson_ratio" in props:
            assert 0.0 < props["poisson_ratio"].value < 0.5, material.name


def test_ion_conductor_conductivity_range(builtin):
    for material in _of_kind(builtin, "ion_conductor"):
        sigma = material.at("conductivity", T_ROOM)
        assert 1e-8 <= sigma <= 10.0, (material.name, sigma)
        assert material.properties["conductivity"].unit == "S/m"
        assert material.properties["conductivity"].Ea is not None, material.name


def test_activation_energies_in_range(builtin):
    found = 0
    for material in builtin.values():
        for prop_name, prop in material.properties.items():
            if prop.Ea is not None:
                found += 1
                assert 0.05 <= prop.Ea <= 1.2, (material.name, prop_name, prop.Ea)
    assert found >= 15


def test_property_at_reference_and_arrhenius(builtin):
    for material in builtin.values():
        for prop_name, prop in material.properties.items():
            assert prop.at(prop.T_ref) == pytest.approx(prop.value, rel=1e-14)
            T = 350.0
            expected = prop.value * (
                _arrhenius_ratio(prop.Ea, T, prop.T_ref) if prop.Ea is not None else 1.0
            )
            assert material.at(prop_name, T) == pytest.approx(expected, rel=1e-9), prop_name


def test_arrhenius_hand_value():
    prop = Property(value=2.0, unit="S/m", Ea=0.5, T_ref=300.0, source="test")
    # 0.5 eV / k_B = 5802.26 K; (1/300 - 1/400) = 8.3333e-4 1/K -> factor exp(4.83522)
    assert prop.at(400.0) == pytest.approx(
        2.0 * math.exp(5802.2585 * (1 / 300 - 1 / 400)), rel=1e-6
    )
    assert prop.at(400.0) / prop.at(300.0) == pytest.approx(125.87, rel=1e-3)
    assert Property(value=3.0, unit="1", source="test").at(500.0) == 3.0


def test_lgps_and_llzo_values(builtin):
    # Kamaya et al. 2011: 12 mS/cm at 27 C, 0.25 eV -> 10.1 mS/cm at 25 C (independent numbers).
    assert builtin["LGPS"].at("conductivity", 300.15) == pytest.approx(1.2)
    assert builtin["LGPS"].at("conductivity", T_ROOM) == pytest.approx(
        1.2 * math.exp(-0.25 * E_CHARGE / K_B * (1 / T_ROOM - 1 / 300.15)), rel=1e-9
    )
    # mobile concentration = 6.4 Li / (a^3 N_A / 8), a = 12.94 Angstrom
    vm = (12.94e-10) ** 3 * 6.02214076e23 / 8
    assert builtin["LLZO-Ta"].properties["mobile_concentration"].value == pytest.approx(
        6.4 / vm, rel=1e-3
    )


def test_metal_exchange_current_from_asr(builtin):
    # i0 = RT/(F ASR) with ASR = 2 Ohm cm^2 = 2e-4 Ohm m^2
    rt_f = K_B * T_ROOM / E_CHARGE
    assert builtin["Li"].properties["exchange_current_density"].value == pytest.approx(
        rt_f / 2e-4, rel=5e-3
    )
    li = builtin["Li"].properties
    assert li["molar_volume"].value == pytest.approx(6.941e-3 / 534.0, rel=1e-3)
    for key in ("creep_exponent", "creep_prefactor", "creep_activation_energy"):
        assert key in li


# ---------------------------------------------------------------------------------------------
# library behaviour


def test_library_get_and_suggestions(builtin):
    lib = Library(builtin)
    assert lib.get("LLZO-Ta").name == "LLZO-Ta"
    assert "NMC811" in lib and len(lib) == len(builtin)
    assert lib.names() == sorted(builtin, key=str.lower)
    with pytest.raises(ValueError, match=r"unknown material 'LLZO_Ta'; did you mean 'LLZO-Ta'"):
        lib.get("LLZO_Ta")
    with pytest.raises(ValueError, match=r"did you mean 'Li6PS5Cl'"):
        lib.get("Li6PS5C")
    with pytest.raises(ValueError, match="unknown material 'qqqqqq'"):
        lib.get("qqqqqq")


def test_library_add_and_duplicates(builtin):
    lib = Library(builtin)
    extra = builtin["LLZO-Ta"].model_copy(update={"name": "LLZO-Ga"})
    lib.add(extra)
    assert lib.get("LLZO-Ga").name == "LLZO-Ga"
    with pytest.raises(ValueError, match="already"):
        lib.add(builtin["Li"])
    bad = builtin["NMC811"].model_copy(update={"name": "NMC9", "ocp": "NMC811_Chen2021"})
    with pytest.raises(ValueError, match="NMC811_Chen2020"):
        lib.add(bad)


def test_broken_entry_names_the_file(tmp_path: Path):
    good = (
        'name = "X"\nkind = "metal"\nion = "Li"\nz = 1\n'
        '[properties.electronic_conductivity]\nvalue = 1.0\nunit = "S/m"\nsource = "s"\n'
        '[properties.molar_volume]\nvalue = 1.0\nunit = "m^3/mol"\nsource = "s"\n'
    )
    (tmp_path / "X.toml").write_text(good)  # lacks exchange_current_density
    with pytest.raises(ValueError, match=r"(?s)X\.toml.*exchange_current_density"):
        load_builtin(tmp_path)
    (tmp_path / "X.toml").write_text(
        good + '[properties.exchange_current_density]\nvalue = 1.0\nunit = "A/m^2"\nsource = "s"\n'
    )
    assert set(load_builtin(tmp_path)) == {"X"}
    (tmp_path / "Y.toml").write_text(good.replace('"X"', '"Z"'))
    with pytest.raises(ValueError, match=r"Y\.toml"):
        load_builtin(tmp_path)
    (tmp_path / "Y.toml").write_text("name = [unclosed")
    with pytest.raises(ValueError, match=r"Y\.toml"):
        load_builtin(tmp_path)


def test_format_table(builtin):
    table = format_table(Library(builtin))
    lines = table.splitlines()
    assert len(lines) == len(builtin) + 2
    assert "name" in lines[0] and "Ea" in lines[0] and "source" in lines[0]
    for name in builtin:
        assert any(line.split()[0] == name for line in lines[2:]), name
    assert "Kamaya et al. 2011" in table
    assert "S/m" in table


# ---------------------------------------------------------------------------------------------
# OCP fits


def _nmc811_chen2020(x: float) -> float:
    return (
        -0.8090 * x
        + 4.4875
        - 0.0428 * math.tanh(18.5138 * (x - 0.5542))
        - 17.7326 * math.tanh(15.7890 * (x - 0.3117))
        + 17.5842 * math.tanh(15.9308 * (x - 0.3120))
    )


def _licoo2_ramadass2004(y: float) -> float:
    num = (
        -4.656 + 88.669 * y**2 - 401.119 * y**4 + 342.909 * y**6 - 462.471 * y**8 + 433.434 * y**10
    )
    den = -1 + 18.933 * y**2 - 79.532 * y**4 + 37.311 * y**6 - 73.083 * y**8 + 95.96 * y**10
    return num / den


def test_ocp_fits_finite_and_decreasing():
    assert len(OCP_FITS) >= 4
    for name, fit in OCP_FITS.items():
        assert fit.name == name
        assert fit.source.strip()
        lo, hi = fit.valid
        theta = np.linspace(lo, hi, 801)
        U = fit.func(theta, numpy_ns)
        assert U.shape == theta.shape
        assert np.all(np.isfinite(U)), name
        assert U[0] > U[-1] + 0.1, name
        assert np.all(np.diff(U) < 0), name  # strictly decreasing on the valid range
        assert 0.0 < U.min() and U.max() < 6.0, name


def test_ocp_published_values():
    nmc = get_ocp("NMC811_Chen2020")
    for x in (0.3, 0.5, 0.9):
        assert nmc(x) == pytest.approx(_nmc811_chen2020(x), abs=1e-12)
    assert nmc(0.5) == pytest.approx(3.97196, abs=1e-4)
    lco = get_ocp("LiCoO2_Ramadass2004")
    for y in (0.5, 0.75, 0.99):
        assert lco(y) == pytest.approx(_licoo2_ramadass2004(y), abs=1e-12)
    assert lco(1.0) == pytest.approx(-3.234 / -1.411, rel=1e-12)  # sums of the coefficients
    pyb = get_ocp("LiCoO2_Ramadass2004_PyBaMM")
    assert pyb(0.6) == pytest.approx(_licoo2_ramadass2004(1.13 * 0.6), abs=1e-12)


def test_ocp_constructed_values():
    end = get_ocp("NMC811_Chen2020_with_end")
    for x in (0.5, 0.9084):
        assert end(x) == pytest.approx(
            _nmc811_chen2020(x) - 0.6 * math.exp((x - 0.9084) / 0.015), abs=1e-12
        )
    assert abs(end(0.6) - _nmc811_chen2020(0.6)) < 1e-6  # the end term is local
    nvp = get_ocp("NVP_plateau_ssefem")
    assert nvp(0.5) == pytest.approx(3.37 + math.exp(-25) - math.exp(-25), abs=1e-12)
    assert nvp(0.98) == pytest.approx(3.37 - 0.05 * 0.48 + math.exp(-49) - math.exp(-1), abs=1e-12)
    mo = get_ocp("Mo6S8_two_stage_ssefem")
    assert mo(0.5) == pytest.approx(1.125, abs=1e-9)  # midway between the 1.20 and 1.05 V stages
    assert mo(0.25) == pytest.approx(1.20 + 0.04 * 0.25, abs=1e-3)


def test_get_ocp_suggestions():
    with pytest.raises(ValueError, match="did you mean 'NMC811_Chen2020"):
        get_ocp("NMC811_Chen")
    with pytest.raises(ValueError, match="unknown OCP fit"):
        get_ocp("nothing-like-it")


def test_register_ocp_rejects_duplicates():
    fit = OCP_FITS["NMC811_Chen2020"]
    with pytest.raises(ValueError, match="already"):
        register_ocp(fit)
    with pytest.raises(ValueError, match="empty"):
        register_ocp(OCPFit(name="tmp_empty_range", source="s", valid=(0.5, 0.5), func=fit.func))
    assert "tmp_empty_range" not in OCP_FITS


def test_electrodes_reference_registered_fits(builtin):
    for material in _of_kind(builtin, "insertion_electrode"):
        fit = get_ocp(material.ocp)
        tmin = material.properties["theta_min"].value
        tmax = material.properties["theta_max"].value
        assert material.properties["theta_min"].unit == "1"
        assert material.properties["theta_max"].unit == "1"
        lo, hi = fit.valid
        assert lo - 1e-12 <= tmin < tmax <= hi + 1e-12, material.name
        assert tmin <= material.theta_ref <= tmax, material.name


def test_electrode_ocp_falls_steeply_at_lithiated_end(builtin):
    """A galvanostatic discharge must reach its cut-off near theta_max."""
    for material in _of_kind(builtin, "insertion_electrode"):
        fit = get_ocp(material.ocp)
        tmin = material.properties["theta_min"].value
        tmax = material.properties["theta_max"].value
        window = tmax - tmin
        drop_end = fit(tmax - 0.05 * window) - fit(tmax)
        assert drop_end > 0.15, (material.name, drop_end)
        assert fit(tmin) - fit(tmax) > 0.3, material.name
    # The published Chen et al. fit alone does not have that drop (hence the _with_end variant).
    chen = get_ocp("NMC811_Chen2020")
    assert chen(0.9084 - 0.05 * 0.6423) - chen(0.9084) < 0.05


def test_ocp_with_ufl_namespace():
    ufl = pytest.importorskip("ufl")
    basix_ufl = pytest.importorskip("basix.ufl")
    from ssefem.materials.ocp import ufl_ns

    domain = ufl.Mesh(basix_ufl.element("Lagrange", "interval", 1, shape=(1,)))
    x = ufl.SpatialCoordinate(domain)[0]
    ns = ufl_ns()
    for fit in OCP_FITS.values():
        theta = 0.5 * sum(fit.valid)
        expr = fit.func(x, ns)
        assert float(expr((theta,))) == pytest.approx(fit(theta), rel=1e-12), fit.name
