"""The case schema and its messages, in-process: strict types, one short line naming the key,
unit hints, duplicated keys, deep nesting, what ``validate`` checks for the run (stack order,
C-rates, the open-circuit window, the mesh size) and the TOML writer's round trip."""

from __future__ import annotations

import copy
import math
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssefem.case import case_from_dict, dump_toml, load_case
from ssefem.errors import CaseError
from ssefem.validate import prepare

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = tomllib.loads((ROOT / "cases" / "default.toml").read_text())
# names pydantic uses for its own classes and error types: never in a message
PYDANTIC_WORDS = ("instance of", "model_type", "union[", "literal[", "Layer", "Geometry", "Step",
                  "Mechanics", "after validation", "Value error")


def edited(edit) -> dict:
    d = copy.deepcopy(DEFAULT)
    edit(d)
    return d


def error_of(data: dict, full: bool = False) -> CaseError:
    with pytest.raises(CaseError) as info:
        case = case_from_dict(data)
        if full:
            prepare(case)
    err = info.value
    line = f"error: {err}"
    assert "\n" not in line and len(line) < 300, line
    assert not any(w in line for w in PYDANTIC_WORDS), line
    return err


# -- strict types -------------------------------------------------------------------------------

@pytest.mark.parametrize("key, value, says", [
    ("thickness", True, "valid number"),
    ("thickness", "2.0", "valid number"),
    ("cells", True, "valid integer"),
    ("cells", 2.0, "valid integer"),
    ("cells", "20", "valid integer"),
    ("grading", False, "valid number"),
])
def test_numbers_are_not_read_from_booleans_or_strings(key, value, says):
    err = error_of(edited(lambda d: d["layers"][0].__setitem__(key, value)))
    assert err.key == f"layers[0].{key}" and says in err.message


@pytest.mark.parametrize("key, value", [("dimension", True), ("dimension", 2.0),
                                        ("lateral_cells", True), ("axisymmetric", 1)])
def test_geometry_is_strict(key, value):
    err = error_of(edited(lambda d: d["geometry"].__setitem__(key, value)))
    assert err.key == f"geometry.{key}"


def test_an_integer_is_a_valid_float():
    case = case_from_dict(edited(lambda d: d["layers"][0].__setitem__("thickness", 2)))
    assert case.layers[0].thickness == 2.0 and isinstance(case.layers[0].thickness, float)


# -- messages -----------------------------------------------------------------------------------

def test_a_huge_string_is_clipped():
    err = error_of(edited(lambda d: d["layers"][1].__setitem__("thickness", "x" * 10**6)))
    assert err.key == "layers[1].thickness" and "..." in err.message
    assert len(err.message) < 200


def test_a_huge_unknown_key_is_clipped():
    err = error_of(edited(lambda d: d.__setitem__("k" * 10**5, 1)))
    assert "unknown key" in err.message and len(err.key) <= 40


def test_too_few_layers_names_layers_and_the_count():
    err = error_of(edited(lambda d: d.__setitem__("layers", d["layers"][:2])))
    assert err.key == "layers" and "at least 3" in err.message and "got 2" in err.message
    assert "cathode" not in err.message  # the layers themselves are not echoed


def test_a_table_where_a_value_belongs():
    err = error_of(edited(lambda d: d["layers"].__setitem__(0, 3)))
    assert err.key == "layers[0]" and "table" in err.message


def test_a_misspelt_key_is_named_with_the_close_match():
    def edit(d):
        d["layers"][0]["thicknes"] = d["layers"][0].pop("thickness")

    err = error_of(edited(edit))
    assert err.key == "layers[0].thicknes"
    assert err.message == "unknown key 'thicknes' (did you mean 'thickness'?)"


def test_a_misspelt_optional_key_is_named_with_the_close_match():
    err = error_of(edited(lambda d: d["solver"].__setitem__("dt_maxx", 1.0)))
    assert err.key == "solver.dt_maxx" and "did you mean 'dt_max'" in err.message


def test_control_characters_are_escaped():
    err = error_of(edited(lambda d: d["layers"][0].__setitem__("material", 5)))
    assert err.key == "layers[0].material"
    err = error_of(edited(lambda d: d.__setitem__("name", "a\nb\x00")))
    assert err.key == "name" and "\\n" in err.message


# -- the TOML file itself -----------------------------------------------------------------------

@pytest.mark.parametrize("text, key", [
    ('name = "a"\nname = "b"\n', "name"),
    ('name = "a"\n[geometry]\ndimension = 1\ndimension = 2\n', "geometry.dimension"),
    ('[[layers]]\nname = "a"\n[[layers]]\nname = "b"\nname = "c"\n', "layers[1].name"),
    ('[geometry]\ndimension = 1\n[geometry]\nwidth = 2.0\n', "geometry"),
    ('x = {a = 1, a = 2}\n', "x.a"),
])
def test_a_duplicated_key_is_named(text, key):
    from ssefem.case import parse_toml

    with pytest.raises(CaseError) as info:
        parse_toml(text)
    assert info.value.key == key and "duplicated key" in info.value.message
    assert "line" in info.value.message


@pytest.mark.parametrize("depth", [40, 5000])
def test_deep_nesting_is_one_line(tmp_path, depth):
    path = tmp_path / "deep.toml"
    path.write_text("name = 'x'\nx = " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(CaseError) as info:
        load_case(path)
    assert "nest" in info.value.message and len(str(info.value)) < 300


def test_deep_tables_in_a_dict_are_refused():
    d = edited(lambda d: None)
    inner = d.setdefault("plugins", {}).setdefault("p", {})
    for _ in range(30):
        inner = inner.setdefault("a", {})
    err = error_of(d)
    assert "nested deeper" in err.message and err.key.startswith("plugins.p.a")


# -- unit hints ---------------------------------------------------------------------------------

def test_a_thickness_in_metres_gets_the_unit_hint():
    err = error_of(edited(lambda d: d["layers"][2].__setitem__("thickness", 5e-6)))
    assert err.key == "layers[2].thickness"
    assert "micrometres" in err.message and "5 pm" in err.message and "did you mean 5?" in \
        err.message


def test_thickness_1e_300_names_the_layer():
    err = error_of(edited(lambda d: d["layers"][1].__setitem__("thickness", 1e-300)))
    assert err.key == "layers[1].thickness"


def test_a_layer_far_thinner_than_the_stack():
    def edit(d):
        d["layers"][3]["thickness"] = 1e4  # 1 cm of Li, the coating 1e-6 of the stack
        d["layers"][1]["thickness"] = 0.005

    err = error_of(edited(edit))
    assert err.key == "layers[1].thickness" and "1e-6 of the stack" in err.message


def test_elements_below_the_smallest_size_name_the_cells():
    err = error_of(edited(lambda d: d["layers"][1].update(thickness=0.01, cells=5000)))
    assert err.key == "layers[1].cells" and "1e-05 um" in err.message


def test_a_temperature_in_celsius_gets_the_unit_hint():
    err = error_of(edited(lambda d: d.__setitem__("temperature", 25.0)))
    assert err.key == "temperature" and "kelvin" in err.message and "298.15 K" in err.message


def test_a_pressure_in_pascal_gets_the_unit_hint():
    err = error_of(edited(lambda d: d.__setitem__("mechanics", {"stack_pressure": 5e6})))
    assert err.key == "mechanics.stack_pressure" and "in MPa" in err.message
    assert "did you mean 5?" in err.message


# -- validate: what the run needs ---------------------------------------------------------------

NMC_LI = {
    "name": "nmc",
    "layers": [{"name": "cathode", "material": "NMC811", "thickness": 20.0, "cells": 4},
               {"name": "electrolyte", "material": "Li6PS5Cl", "thickness": 20.0, "cells": 4},
               {"name": "anode", "material": "Li", "thickness": 5.0, "cells": 2}],
    "initial": {"stoichiometry": 0.5},
    "protocol": {"steps": [{"kind": "discharge", "c_rate": 0.5, "until_voltage": 3.0}]},
}


def nmc(edit=lambda d: None) -> dict:
    d = copy.deepcopy(NMC_LI)
    edit(d)
    return d


def test_layers_in_the_wrong_order():
    err = error_of(nmc(lambda d: d["layers"].reverse()), full=True)
    assert err.key == "layers" and "positive current collector" in err.message
    assert "'NMC811' (layers[2]) comes first" in err.message


def test_a_c_rate_without_an_insertion_positive():
    d = nmc(lambda d: d["layers"].__setitem__(0, {"name": "metal", "material": "Li",
                                                  "thickness": 5.0, "cells": 2}))
    d.pop("initial")
    err = error_of(d, full=True)
    assert err.key == "protocol.steps[0].c_rate" and "insertion electrode" in err.message


@pytest.mark.parametrize("step, key, says", [
    ({"kind": "discharge", "c_rate": 0.5, "until_voltage": 9.9}, "until_voltage",
     "open-circuit window"),
    ({"kind": "charge", "c_rate": 0.5, "until_voltage": 9.5}, "until_voltage",
     "open-circuit window"),
    ({"kind": "discharge", "c_rate": 0.5, "until_voltage": 4.1}, "until_voltage",
     "initial state"),
    ({"kind": "charge", "c_rate": 0.5, "until_voltage": 3.2}, "until_voltage", "initial state"),
    ({"kind": "hold", "voltage": 8.0, "duration": 10.0}, "voltage", "open-circuit window"),
])
def test_cut_offs_the_cell_cannot_reach(step, key, says):
    err = error_of(nmc(lambda d: d["protocol"].__setitem__("steps", [step])), full=True)
    assert err.key == f"protocol.steps[0].{key}" and says in err.message


def test_later_steps_are_checked_against_the_window_only():
    # a charge back to 4.0 V after a discharge starts below the initial OCV: valid
    steps = [{"kind": "discharge", "c_rate": 0.5, "until_voltage": 3.0},
             {"kind": "charge", "c_rate": 0.5, "until_voltage": 3.7}]
    prepare(case_from_dict(nmc(lambda d: d["protocol"].__setitem__("steps", steps))))


def test_shipped_cases_validate():
    for path in sorted((ROOT / "cases").glob("*.toml")):
        prepare(load_case(path))


def test_mesh_budget_counts_elements():
    from ssefem.mesh.budget import estimate

    d = edited(lambda d: d["geometry"].update(dimension=3, lateral_cells=10))
    case = case_from_dict(d)
    assert estimate(case).elements == (40 + 4 + 20 + 5) * 10 * 10 * 6
    case2 = case_from_dict(edited(lambda d: d["geometry"].update(
        dimension=2, lateral_cells=10, cell_type="tensor")))
    assert estimate(case2).elements == 69 * 10


def test_a_mesh_bomb_is_refused_naming_the_keys():
    from ssefem.mesh.budget import check_budget

    d = edited(lambda d: (d["geometry"].update(dimension=3, lateral_cells=10000),
                          d["layers"][0].update(cells=100000, thickness=2000.0, grading=1.0)))
    case = case_from_dict(d)
    with pytest.raises(CaseError) as info:
        check_budget(case, available=64 * 2**30)
    assert info.value.key == "geometry.lateral_cells" and "GiB" in info.value.message
    d = edited(lambda d: d["layers"][0].update(cells=100000, thickness=2000.0, grading=1.0))
    with pytest.raises(CaseError) as info:
        check_budget(case_from_dict(d), available=2**28)
    assert info.value.key == "layers[0].cells"
    check_budget(case_from_dict(DEFAULT), available=2**30)  # the default fits in 1 GiB


def test_validate_refuses_a_mesh_bomb():
    d = edited(lambda d: (d["geometry"].update(dimension=3, lateral_cells=10000)))
    err = error_of(d, full=True)
    assert err.key == "geometry.lateral_cells"


# -- the writer ---------------------------------------------------------------------------------

def test_dump_round_trips_the_default_case():
    case = case_from_dict(DEFAULT)
    data = case.model_dump(mode="json", exclude_none=True)
    assert tomllib.loads(dump_toml(data)) == data
    assert case_from_dict(tomllib.loads(dump_toml(data))) == case


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)


@settings(max_examples=150, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(description=TEXT, key=TEXT, value=st.one_of(TEXT, st.floats(allow_nan=False),
                                                   st.integers(-2**62, 2**62), st.booleans(),
                                                   st.lists(TEXT, max_size=3)))
def test_dump_round_trips_any_strings(tmp_path_factory, description, key, value):
    """Newlines, quotes, backslashes, control characters and unicode, in values and keys."""
    data = copy.deepcopy(DEFAULT)
    data["description"] = description
    data["plugins"] = {key or "k": {key or "k": value, "nested": {"list": [{"a": value}]}}}
    case = case_from_dict(data)
    dumped = case.model_dump(mode="json", exclude_none=True)
    path = tmp_path_factory.mktemp("rt") / "resolved_case.toml"
    path.write_text(dump_toml(dumped), encoding="utf-8")
    again = load_case(path)
    assert again == case
    if isinstance(value, float) and math.isfinite(value):
        assert again.plugins[key or "k"][key or "k"] == value
