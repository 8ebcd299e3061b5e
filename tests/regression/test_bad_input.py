"""Bad input: each malformed case (a small edit of cases/default.toml) must make ``ssefem run``
and ``ssefem validate`` exit with status 2 and print exactly one line ``error: <key path>: ...``
on stderr, print no results line, and leave nothing behind (no results directory, no staging
directory). The CLI is run as a subprocess, as a user would run it; a few cases also under
``mpiexec -n 2``, where the line must be printed once (rank 0 only).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "cases" / "default.toml"
DEFAULT_TEXT = DEFAULT.read_text()
TIMEOUT = 120
# what a successful run prints on stdout: "<name>: completed in ... s, N steps; results in <dir>"
RESULTS_LINE = re.compile(r"results in |: (completed|failed) in ")


# --------------------------------------------------------------------------------------------
# writing the cases


def _toml_key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k)


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)  # a JSON string is a valid TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def to_toml(data: dict) -> str:
    """A dict as TOML: one ``key = <inline value>`` line per top-level key (independent of the
    writer in ssefem, which is under test elsewhere)."""
    return "".join(f"{_toml_key(k)} = {_toml_value(v)}\n" for k, v in data.items())


def default_dict() -> dict:
    return tomllib.loads(DEFAULT_TEXT)


def test_writer_round_trips_the_default_case():
    data = default_dict()
    assert tomllib.loads(to_toml(data)) == data


@dataclass
class Bad:
    """A malformed case: ``edit`` changes the default case's dict in place (or ``text`` gives the
    whole file); ``key`` is the expected key path ('' for errors about the file itself);
    ``says`` are fragments the message must contain."""

    id: str
    edit: Callable[[dict], None] | None = None
    key: str = ""
    says: tuple[str, ...] = ()
    text: Callable[[str], str] | None = None  # edit of the default file's text
    setup: Callable[[Path], None] | None = None  # writes auxiliary files into tmp_path
    case_name: str = "case.toml"  # file passed on the command line
    write: bool = True  # False: no case file at all
    marks: tuple = ()


def _set(path: str, value):
    """An edit setting ``a.b[2].c`` = value."""

    def edit(d: dict) -> None:
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        for p in parts[:-1]:
            d = d[int(p[1:-1])] if p.startswith("[") else d.setdefault(p, {})
        last = parts[-1]
        if last.startswith("["):
            d[int(last[1:-1])] = value
        else:
            d[last] = value

    return edit


def _del(path: str):
    def edit(d: dict) -> None:
        parts = re.findall(r"[^.\[\]]+|\[\d+\]", path)
        for p in parts[:-1]:
            d = d[int(p[1:-1])] if p.startswith("[") else d[p]
        last = parts[-1]
        del d[int(last[1:-1]) if last.startswith("[") else last]

    return edit


def _seq(*edits):
    def edit(d: dict) -> None:
        for e in edits:
            e(d)

    return edit


def _contact(contact: dict, dimension: int = 1, stack_pressure: float = 5.0, **mech):
    """The default case with a thin coating and its Li anode in contact with the electrolyte."""
    return _seq(_set("layers[1].mode", "thin"), _set("geometry.dimension", dimension),
                _set("mechanics", {"stack_pressure": stack_pressure, **mech,
                                   "contact": {"interface": "electrolyte|anode", **contact}}))


def _creep(creep, **mech):
    """The default case with a thin coating under a stack pressure, with ``mechanics.creep``."""
    return _seq(_set("layers[1].mode", "thin"),
                _set("mechanics", {"stack_pressure": 5.0, "creep": creep, **mech}))


def _electrolyte_first(d: dict) -> None:
    layers = d["layers"]  # cathode, coating, electrolyte, anode -> electrolyte, coating, ..., anode
    layers[0], layers[2] = layers[2], layers[0]


def _electrode_in_the_middle(d: dict) -> None:
    d["layers"][1]["material"] = "Li"


def _mesh_without_anode(tmp: Path) -> None:
    """A user .msh of the default stack whose last region is called 'lithium', not 'anode'."""
    _write_mesh(tmp / "stack.msh", ("cathode", "coating", "electrolyte", "lithium"))


def _mesh_2d(tmp: Path) -> None:
    """A 2-D user .msh of the default stack (the case stays 1-D)."""
    _write_mesh(tmp / "stack.msh", ("cathode", "coating", "electrolyte", "anode"), dimension=2)


def _write_mesh(path: Path, names: tuple[str, ...], dimension: int = 1) -> None:
    code = textwrap.dedent(f"""
        import gmsh
        from ssefem.mesh import StackSpec, build_stack_model
        spec = StackSpec(names={names!r}, thicknesses=(2.0, 0.01, 1.5, 5.0), cells=(4, 2, 4, 2),
                         grading=(1.0, 1.0, 1.0, 1.0), dimension={dimension}, width=10.0,
                         lateral_cells=1, tensor=False)
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        build_stack_model(gmsh, spec)
        gmsh.write({str(path)!r})
        gmsh.finalize()
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=TIMEOUT, cwd=path.parent)


def _garbage_mesh(tmp: Path) -> None:
    (tmp / "stack.msh").write_text("this is not a gmsh file\n")


def _empty_mesh(tmp: Path) -> None:
    (tmp / "stack.msh").write_text("")


# Bugs found by this suite (ssefem/ is not changed here); strict, so a fix turns them into failures
# that ask for the mark to be removed.

def _not_utf8(tmp: Path) -> None:
    (tmp / "case.toml").write_bytes(DEFAULT_TEXT.encode().replace(b"Thin-film", b"Thin-\xff\xfe"))


BAD = [
    # ---- unknown keys
    Bad("unknown_top_level_key", _set("colour", "red"), "colour", ("unknown key",)),
    Bad("unknown_nested_key", _set("layers[1].colour", "blue"), "layers[1].colour",
        ("unknown key",)),
    Bad("unknown_key_in_table", _set("solver.tolerance", 1e-8), "solver.tolerance",
        ("unknown key",)),
    Bad("unknown_key_in_step", _set("protocol.steps[1].until", 3.0), "protocol.steps[1].until",
        ("unknown key",)),
    # ---- materials
    Bad("unknown_material_close", _set("layers[2].material", "LiPONN"), "layers[2].material",
        ("unknown material 'LiPONN'", "did you mean", "'LiPON'")),
    Bad("unknown_material_wrong_case", _set("layers[0].material", "licoo2"), "layers[0].material",
        ("did you mean", "'LiCoO2'")),
    Bad("unknown_material_far", _set("layers[2].material", "Unobtainium"), "layers[2].material",
        ("unknown material 'Unobtainium'", "known materials:", "LiPON")),
    Bad("material_of_unhandled_kind", _set("layers[2].material", "PEO-LiTFSI"),
        "layers[2].material", ("binary_salt",)),
    Bad("mixed_ions", _set("layers[3].material", "Na"), "layers", ("different ions",)),
    # ---- thickness and other numbers
    Bad("negative_thickness", _set("layers[1].thickness", -0.01), "layers[1].thickness",
        ("greater than 0", "-0.01")),
    Bad("zero_thickness", _set("layers[0].thickness", 0.0), "layers[0].thickness",
        ("greater than 0",)),
    Bad("thickness_wrong_type", _set("layers[1].thickness", "thick"), "layers[1].thickness",
        ("valid number", "'thick'")),
    Bad("cells_zero", _set("layers[3].cells", 0), "layers[3].cells", ("greater than or equal",)),
    Bad("temperature_too_low", _set("temperature", 5.0), "temperature", ("150", "5.0")),
    Bad("temperature_too_high", _set("temperature", 2000.0), "temperature", ("700", "2000")),
    Bad("temperature_wrong_type", _set("temperature", "hot"), "temperature", ("valid number",)),
    Bad("until_voltage_out_of_range", _set("protocol.steps[1].until_voltage", 12.0),
        "protocol.steps[1].until_voltage", ("less than 10",)),
    # ---- missing things
    Bad("layer_without_material", _del("layers[1].material"), "layers[1].material",
        ("missing required key",)),
    Bad("layer_without_name", _del("layers[0].name"), "layers[0].name",
        ("missing required key",)),
    Bad("no_protocol", _del("protocol"), "protocol", ("missing required key",)),
    Bad("no_name", _del("name"), "name", ("missing required key",)),
    Bad("no_layers", _del("layers"), "layers", ("missing required key",)),
    Bad("too_few_layers", _seq(_del("layers[1]"), _del("layers[1]")),
        "layers", ("at least 3",)),
    Bad("empty_protocol", _set("protocol.steps", []), "protocol.steps", ("at least 1",)),
    Bad("repeat_zero", _set("protocol.repeat", 0), "protocol.repeat",
        ("greater than or equal to 1",)),
    # ---- names
    Bad("duplicate_layer_names", _set("layers[2].name", "coating"), "layers[2].name",
        ("duplicate", "'coating'")),
    Bad("bad_layer_name", _set("layers[2].name", "solid electrolyte"), "layers[2].name",
        ("pattern",)),
    Bad("unknown_interface", _set("interfaces", [{"name": "cathode|anode",
                                                  "exchange_current_density": 2.0}]),
        "interfaces[0].name", ("'cathode|anode'", "cathode|coating")),
    Bad("unknown_key_in_interface", _set("interfaces", [{"name": "cathode|coating", "i0": 2.0}]),
        "interfaces[0].i0", ("unknown key",)),
    # ---- protocol steps
    Bad("discharge_without_current_or_c_rate", _del("protocol.steps[1].c_rate"),
        "protocol.steps[1]", ("exactly one of 'current' or 'c_rate'",)),
    Bad("discharge_with_current_and_c_rate", _set("protocol.steps[1].current", 10.0),
        "protocol.steps[1]", ("exactly one of 'current' or 'c_rate'",)),
    Bad("charge_without_end", _del("protocol.steps[2].until_voltage"), "protocol.steps[2]",
        ("'until_voltage' or 'duration'",)),
    Bad("hold_without_voltage", _del("protocol.steps[3].voltage"), "protocol.steps[3]",
        ("'hold' step needs 'voltage'",)),
    Bad("rest_without_duration", _del("protocol.steps[0].duration"), "protocol.steps[0]",
        ("'rest' step needs 'duration'",)),
    Bad("unknown_step_kind", _set("protocol.steps[1].kind", "dischrage"),
        "protocol.steps[1].kind", ("'dischrage'",)),
    Bad("negative_current", _seq(_del("protocol.steps[1].c_rate"),
                                 _set("protocol.steps[1].current", -5.0)),
        "protocol.steps[1].current", ("greater than or equal to 0",)),
    # ---- stack
    Bad("electrolyte_first", _electrolyte_first, "layers[0].material",
        ("first and last layers must be electrodes",)),
    Bad("electrolyte_last", _set("layers[3].material", "LiPON"), "layers[3].material",
        ("first and last layers must be electrodes",)),
    Bad("electrode_in_the_middle", _electrode_in_the_middle, "layers[1].material",
        ("between the two electrodes must be ion conductors",)),
    Bad("thin_electrode", _set("layers[0].mode", "thin"), "layers[0].mode",
        ("only an ion conductor next to an electrode",)),
    Bad("thin_unknown_mode", _set("layers[1].mode", "slim"), "layers[1].mode", ("'slim'",)),
    Bad("thin_every_conductor", _seq(_set("layers[1].mode", "thin"),
                                     _set("layers[2].mode", "thin")),
        "layers", ("at least one ion conductor must be meshed",)),
    # ---- plugins
    Bad("unknown_plugin", _set("plugins", {"nosuch": {"strength": 1.0}}), "plugins.nosuch",
        ("unknown plugin 'nosuch'",)),
    Bad("plugin_table_not_a_table", _set("plugins", {"nosuch": 3}), "plugins.nosuch",
        ("valid dictionary",)),
    # ---- the space_charge plugin's table
    Bad("space_charge_unknown_interface",
        _set("plugins", {"space_charge": {"interfaces": [{"name": "cathode|anode"}]}}),
        "plugins.space_charge.interfaces[0].name", ("not an interface of the stack",)),
    Bad("space_charge_no_face_cell",
        _set("plugins", {"space_charge": {"interfaces": [{"name": "coating|electrolyte"}]}}),
        "layers[1].face_cell", ("needs face_cell <=", "Debye length")),
    Bad("space_charge_coarse_face_cell",
        _seq(_set("layers[2].face_cell", 0.01),
             _set("plugins", {"space_charge": {"interfaces": [{"name": "electrolyte|anode"}]}})),
        "layers[2].face_cell", ("needs face_cell <=",)),
    Bad("space_charge_unknown_mode",
        _set("plugins", {"space_charge": {"interfaces": [{"name": "cathode|coating",
                                                          "mode": "fancy"}]}}),
        "plugins.space_charge.interfaces[0].mode", ("'fancy'",)),
    Bad("space_charge_negative_stern",
        _set("plugins", {"space_charge": {"interfaces": [{"name": "cathode|coating",
                                                          "stern_capacitance": -1.0}]}}),
        "plugins.space_charge.interfaces[0].stern_capacitance", ("greater than 0",)),
    Bad("space_charge_override_of_unresolved_layer",
        _seq(_set("layers[1].face_cell", 1e-5),
             _set("plugins", {"space_charge": {"interfaces": [{"name": "cathode|coating"}],
                                               "layers": {"anode": {"eps": 3}}}})),
        "plugins.space_charge.layers.anode.eps", ("unknown key",)),
    Bad("space_charge_layer_not_resolved",
        _seq(_set("layers[1].face_cell", 1e-5),
             _set("plugins", {"space_charge": {"interfaces": [{"name": "cathode|coating"}],
                                               "layers": {"electrolyte": {}}}})),
        "plugins.space_charge.layers.electrolyte", ("not on a space_charge interface",)),
    Bad("space_charge_thin_layer",
        _seq(_set("layers[1].mode", "thin"),
             _set("plugins", {"space_charge": {"interfaces": [{"name": "cathode|coating"}]}})),
        "layers[1].mode", ("must be meshed",)),
    Bad("space_charge_no_interfaces", _set("plugins", {"space_charge": {"interfaces": []}}),
        "plugins.space_charge.interfaces", ("at least 1",)),
    # ---- mechanics
    Bad("mechanics_negative_pressure", _set("mechanics", {"stack_pressure": -1.0}),
        "mechanics.stack_pressure", ("greater than or equal to 0",)),
    Bad("mechanics_pressure_not_a_number", _set("mechanics", {"stack_pressure": "high"}),
        "mechanics.stack_pressure", ("'high'",)),
    Bad("mechanics_unknown_key", _set("mechanics", {"stack_presure": 5.0}),
        "mechanics.stack_presure", ("unknown key",)),
    Bad("mechanics_unknown_support", _set("mechanics", {"lateral": "glued"}), "mechanics.lateral",
        ("'glued'",)),
    Bad("mechanics_material_without_modulus", _set("mechanics", {"stack_pressure": 5.0}),
        "layers[1].material", ("LiNbO3", "youngs_modulus")),
    Bad("mechanics_fixed_gap_laterally_free",
        _seq(_set("layers[1].mode", "thin"), _set("geometry", {"dimension": 2}),
             _set("mechanics", {"stack_pressure": 5.0, "collectors": "fixed_gap",
                                "lateral": "free"})),
        "mechanics.collectors", ("roller",)),
    Bad("mechanics_stress_free_stoichiometry_above_one",
        _set("mechanics", {"stress_free_stoichiometry": 1.2}),
        "mechanics.stress_free_stoichiometry", ("less than 1",)),
    Bad("mechanics_thermal_strain_without_expansion",
        _seq(_set("layers[1].mode", "thin"),
             _set("mechanics", {"stress_free_temperature": 350.0})),
        "layers[0].material", ("LiCoO2", "thermal_expansion")),
    # ---- contact of the metal electrode ([mechanics.contact]; the coating made thin, so that
    # every meshed layer has elastic constants)
    Bad("contact_unknown_interface", _contact({"interface": "cathode|anode"}),
        "mechanics.contact.interface", ("no meshed interface", "electrolyte|anode")),
    Bad("contact_without_metal", _contact({"interface": "cathode|electrolyte"}),
        "mechanics.contact.interface", ("metal",)),
    Bad("contact_fixed_gap", _contact({}, collectors="fixed_gap"), "mechanics.contact",
        ("'pressure'", "'roller'")),
    Bad("contact_without_stack_pressure", _contact({}, stack_pressure=0.0),
        "mechanics.stack_pressure", ("> 0",)),
    Bad("contact_negative_roughness", _contact({"rms_height": -0.1}),
        "mechanics.contact.rms_height", ("greater than or equal to 0",)),
    Bad("contact_roughness_without_wavelength", _contact({"rms_height": 0.1}, dimension=2),
        "mechanics.contact.wavelength", ("needs a wavelength",)),
    Bad("contact_width_not_half_wavelengths",
        _contact({"rms_height": 0.1, "wavelength": 3.0}, dimension=2),
        "mechanics.contact.wavelength", ("half wavelengths",)),
    Bad("contact_periodic_width_not_wavelengths",
        _contact({"rms_height": 0.1, "wavelength": 4.0}, dimension=2, lateral="periodic"),
        "mechanics.contact.wavelength", ("whole number of wavelengths", "2.5")),
    Bad("contact_periodic_void_wider_than_the_cell",
        _contact({"voids": [{"center": [1.0], "radius": 6.0, "depth": 0.1}]}, dimension=2,
                 lateral="periodic"),
        "mechanics.contact.voids[0].radius", ("periodic", "width 10")),
    Bad("mechanics_periodic_axisymmetric",
        _seq(_set("layers[1].mode", "thin"),
             _set("geometry", {"dimension": 2, "axisymmetric": True}),
             _set("mechanics", {"stack_pressure": 5.0, "lateral": "periodic"})),
        "mechanics.lateral", ("periodic", "axisymmetric")),
    Bad("contact_void_center_of_wrong_dimension",
        _contact({"voids": [{"center": [1.0, 2.0], "radius": 1.0, "depth": 0.1}]}, dimension=2),
        "mechanics.contact.voids[0].center", ("1 lateral coordinate",)),
    Bad("contact_law_without_roughness", _contact({"model": "law"}), "mechanics.contact.model",
        ("rms_height",)),
    Bad("contact_law_with_voids",
        _contact({"model": "law", "rms_height": 0.1, "wavelength": 10.0,
                  "voids": [{"center": [1.0], "radius": 1.0, "depth": 0.1}]}),
        "mechanics.contact.voids", ("resolved",)),
    Bad("contact_unknown_model", _contact({"model": "guess"}), "mechanics.contact.model",
        ("'guess'",)),
    # ---- creep of the metal electrodes (mechanics.creep; the coating made thin)
    Bad("creep_unknown_layer", _creep(["lithium"]), "mechanics.creep",
        ("no layer 'lithium'", "anode")),
    Bad("creep_of_an_ion_conductor", _creep(["electrolyte"]), "mechanics.creep",
        ("'electrolyte'", "LiPON", "only metal electrodes")),
    Bad("creep_listed_twice", _creep(["anode", "anode"]), "mechanics.creep", ("twice",)),
    Bad("creep_not_a_list", _creep("anode"), "mechanics.creep",
        ("list of layer names", "'anode'")),
    Bad("creep_empty_list", _creep([]), "mechanics.creep", ("empty",)),
    Bad("creep_without_a_metal", _seq(_set("layers[3].material", "LiCoO2"), _creep(True)),
        "mechanics.creep", ("no metal electrode",)),
    Bad("creep_metal_without_creep_data",
        _seq(_set("layers", [{"name": "cathode", "material": "NVP", "thickness": 2.0},
                             {"name": "electrolyte", "material": "Na3PS4", "thickness": 20.0},
                             {"name": "anode", "material": "Na", "thickness": 5.0}]),
             _set("initial.stoichiometry", 0.03),
             _set("mechanics", {"stack_pressure": 5.0, "creep": ["anode"]})),
        "mechanics.creep", ("'anode'", "Na", "creep_prefactor")),
    Bad("stack_pressures_without_mechanics",
        _set("protocol.steps", [{"kind": "steady", "currents": [1.0], "stack_pressures": [5.0]}]),
        "protocol.steps[0].stack_pressures", ("[mechanics]",)),
    Bad("stack_pressures_on_a_discharge", _set("protocol.steps[1].stack_pressures", [5.0]),
        "protocol.steps[1].stack_pressures", ("only a 'steady'",)),
    Bad("stack_pressures_not_positive",
        _set("protocol.steps", [{"kind": "steady", "currents": [1.0], "stack_pressures": [0.0]}]),
        "protocol.steps[0].stack_pressures", ("> 0",)),
    # ---- initial state
    Bad("stoichiometry_below_window", _set("initial.stoichiometry", 0.3), "initial.stoichiometry",
        ("outside", "LiCoO2", "0.5")),
    Bad("stoichiometry_above_one", _set("initial.stoichiometry", 1.5), "initial.stoichiometry",
        ("less than 1",)),
    # ---- geometry
    Bad("dimension_4", _set("geometry.dimension", 4), "geometry.dimension", ("4",)),
    Bad("bad_cell_type", _set("geometry.cell_type", "hexagon"), "geometry.cell_type",
        ("'hexagon'",)),
    Bad("geometry_not_a_table", _set("geometry", 3), "geometry", ()),
    Bad("axisymmetric_1d", _set("geometry.axisymmetric", True), "geometry.axisymmetric",
        ("dimension = 2", "dimension = 1")),
    Bad("axisymmetric_3d", _set("geometry", {"dimension": 3, "axisymmetric": True}),
        "geometry.axisymmetric", ("dimension = 2", "dimension = 3")),
    Bad("axisymmetric_not_a_bool", _set("geometry", {"dimension": 2, "axisymmetric": "maybe"}),
        "geometry.axisymmetric", ("'maybe'",)),
    Bad("mesh_file_missing", _set("geometry.mesh_file", "nosuch.msh"), "geometry.mesh_file",
        ("nosuch.msh'", "not found")),
    Bad("mesh_file_garbage", _set("geometry.mesh_file", "stack.msh"), "geometry.mesh_file",
        (), setup=_garbage_mesh),
    Bad("mesh_file_missing_region", _set("geometry.mesh_file", "stack.msh"), "geometry.mesh_file",
        ("'anode'",), setup=_mesh_without_anode),
    Bad("mesh_file_is_a_directory", _set("geometry.mesh_file", "stack.msh"), "geometry.mesh_file",
        ("stack.msh'",), setup=lambda tmp: (tmp / "stack.msh").mkdir()),
    Bad("mesh_file_empty", _set("geometry.mesh_file", "stack.msh"), "geometry.mesh_file", (),
        setup=_empty_mesh),
    Bad("mesh_file_of_higher_dimension", _set("geometry.mesh_file", "stack.msh"),
        "geometry.mesh_file", (), setup=_mesh_2d),
    # ---- non-finite numbers
    Bad("thickness_nan", _set("layers[1].thickness", float("nan")), "layers[1].thickness"),
    Bad("temperature_nan", _set("temperature", float("nan")), "temperature"),
    Bad("thickness_inf", _set("layers[1].thickness", float("inf")), "layers[1].thickness"),
    Bad("width_inf", _set("geometry", {"dimension": 2, "width": float("inf")}), "geometry.width"),
    Bad("current_inf", _seq(_del("protocol.steps[1].c_rate"),
                            _set("protocol.steps[1].current", float("inf"))),
        "protocol.steps[1].current"),
    Bad("layer_named_like_a_current_collector", _set("layers[1].name", "cathode_cc"),
        "layers[1].name"),
    # ---- the file itself
    Bad("broken_toml_syntax", text=lambda t: t.replace('material = "LiNbO3"', 'material = "LiNbO3'),
        says=("case.toml", "broken TOML", "line 20")),
    Bad("broken_toml_duplicate_key", text=lambda t: t.replace("temperature = 298.15",
                                                              "temperature = 298.15\nname = 'x'"),
        says=("broken TOML",)),
    Bad("file_not_found", case_name="nosuch.toml", write=False, says=("nosuch.toml'", "not found")),
    Bad("case_is_a_directory", case_name="somedir", write=False,
        setup=lambda tmp: (tmp / "somedir").mkdir(), says=("somedir'",)),
    Bad("not_utf8", write=False, setup=_not_utf8, says=("not UTF-8",)),
    Bad("empty_file", text=lambda t: "", key="name", says=("missing required key",)),
]
BY_ID = {b.id: b for b in BAD}
assert len(BY_ID) == len(BAD)


def make_case(bad: Bad, tmp: Path) -> Path:
    if bad.setup is not None:
        bad.setup(tmp)
    path = tmp / bad.case_name
    if bad.write:
        if bad.text is not None:
            text = bad.text(DEFAULT_TEXT)
        else:
            data = default_dict()
            bad.edit(data)
            text = to_toml(data)
        path.write_text(text)
    return path


# --------------------------------------------------------------------------------------------
# running the CLI


def _cli(*args: str, cwd: Path, mpi: int = 0) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "ssefem.cli", *args]
    if mpi:
        mpiexec = Path(sys.executable).parent / "mpiexec"
        cmd = ["timeout", str(TIMEOUT), str(mpiexec), "-n", str(mpi), *cmd]
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT + 30)


def _listing(tmp: Path) -> set[str]:
    return {str(p.relative_to(tmp)) for p in tmp.rglob("*")}


def check_bad(bad: Bad, proc: subprocess.CompletedProcess, tmp: Path, before: set[str]) -> str:
    """Assert the CLI failed cleanly on bad input; return the error line."""
    report = f"rc={proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert proc.returncode == 2, report
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, report
    line = lines[0]
    assert line.startswith("error: "), report
    if bad.key:
        assert line.startswith(f"error: {bad.key}: "), report
    for s in bad.says:
        assert s in line, report
    assert not RESULTS_LINE.search(proc.stdout), report
    # nothing written: no results, no staging or backup directory, no other file
    for name in ("out", "results"):
        assert not (tmp / name).exists(), report
    hidden = [p.name for p in tmp.rglob(".*")]
    assert not hidden, f"left behind: {hidden}\n{report}"
    assert _listing(tmp) == before, f"created: {_listing(tmp) - before}\n{report}"
    return line


@pytest.mark.parametrize("bad", [pytest.param(b, id=b.id, marks=b.marks) for b in BAD])
def test_run_rejects_bad_case(bad: Bad, tmp_path: Path):
    case = make_case(bad, tmp_path)
    before = _listing(tmp_path)
    proc = _cli("run", str(case), "-o", str(tmp_path / "out"), cwd=tmp_path)
    line = check_bad(bad, proc, tmp_path, before)
    print(f"{bad.id}: {line}")


VALIDATE = ["unknown_material_close", "stoichiometry_below_window", "mesh_file_missing",
            "broken_toml_syntax", "file_not_found", "unknown_plugin", "hold_without_voltage",
            "axisymmetric_3d"]


@pytest.mark.parametrize("case_id", VALIDATE)
def test_validate_rejects_bad_case(case_id: str, tmp_path: Path):
    bad = BY_ID[case_id]
    case = make_case(bad, tmp_path)
    before = _listing(tmp_path)
    proc = _cli("validate", str(case), cwd=tmp_path)
    check_bad(bad, proc, tmp_path, before)
    assert proc.stdout == ""


def test_validate_accepts_default_case(tmp_path: Path):
    proc = _cli("validate", str(DEFAULT), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{DEFAULT}: valid (4 layers, 4 protocol steps x 1)"
    assert proc.stderr == ""
    assert _listing(tmp_path) == set()


def test_run_without_output_option_writes_nothing(tmp_path: Path):
    """Without ``-o`` the target would be results/<name> under the working directory."""
    bad = BY_ID["stoichiometry_below_window"]
    case = make_case(bad, tmp_path)
    before = _listing(tmp_path)
    proc = _cli("run", str(case), cwd=tmp_path)
    check_bad(bad, proc, tmp_path, before)


def test_run_keeps_existing_results_on_bad_input(tmp_path: Path):
    """A bad case must not touch the results of an earlier run in its target directory."""
    bad = BY_ID["unknown_material_close"]
    case = make_case(bad, tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "summary.json").write_text("{}\n")
    proc = _cli("run", str(case), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert (tmp_path / "out" / "summary.json").read_text() == "{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["case.toml", "out"]


MPI_CASES = ["unknown_material_close", "stoichiometry_below_window", "broken_toml_syntax",
             "mesh_file_garbage", "unknown_plugin"]


def test_bad_cases_under_mpiexec(tmp_path: Path):
    """Under ``mpiexec -n 2`` every rank fails the same way, no rank hangs, and rank 0 alone
    prints the error line."""
    mpiexec = Path(sys.executable).parent / "mpiexec"
    if not mpiexec.exists() or shutil.which("timeout") is None:
        pytest.skip("needs the venv's mpiexec and coreutils timeout")
    for case_id in MPI_CASES:
        bad = BY_ID[case_id]
        tmp = tmp_path / case_id
        tmp.mkdir()
        case = make_case(bad, tmp)
        before = _listing(tmp)
        proc = _cli("run", str(case), "-o", str(tmp / "out"), cwd=tmp, mpi=2)
        assert proc.returncode != 124, f"{case_id}: timed out (a rank hung)\n{proc.stderr}"
        check_bad(bad, proc, tmp, before)
