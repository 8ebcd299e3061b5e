"""A case file is untrusted data: it can make ssefem open only a gmsh .msh mesh, checked by
content and opened from a private copy (a .geo script, a script named .msh, a symlink to one,
/etc/passwd, a directory, a FIFO, an option file beside the mesh never reach gmsh), and a
``*.dist-info`` or module in the working directory never becomes a plugin.

Most checks run in-process (the same ``load_case`` + ``prepare`` + ``load_regions`` the CLI
runs); the CLI is run as a subprocess for the ``.geo`` attack (validate and run) and for the
plugin in the working directory, where ``python -m`` itself puts that directory on sys.path.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mpi4py import MPI

from ssefem.case import load_case
from ssefem.errors import CaseError
from ssefem.mesh import StackSpec, load_regions
from ssefem.validate import prepare

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = (ROOT / "cases" / "default.toml").read_text()
TIMEOUT = 180
SPEC = StackSpec(names=("cathode", "coating", "electrolyte", "anode"),
                 thicknesses=(2.0, 0.01, 1.5, 5.0), cells=(4, 2, 4, 2),
                 grading=(1.0, 1.0, 1.0, 1.0))


def evil_script(tmp: Path, name: str) -> Path:
    """A gmsh script that would create PWNED in ``tmp`` when gmsh reads it."""
    path = tmp / name
    path.write_text(f'SystemCall "touch {tmp / "PWNED"}";\nPoint(1) = {{0, 0, 0}};\n')
    return path


def write_case(tmp: Path, mesh_file: str, extra: str = "") -> Path:
    text = DEFAULT.replace("dimension = 1", f"dimension = 1\nmesh_file = {mesh_file!r}")
    path = tmp / "case.toml"
    path.write_text(text + extra)
    return path


def write_mesh(path: Path) -> None:
    code = textwrap.dedent(f"""
        import gmsh
        from ssefem.mesh import StackSpec, build_stack_model
        spec = StackSpec(names={SPEC.names!r}, thicknesses={SPEC.thicknesses!r},
                         cells={SPEC.cells!r}, grading={SPEC.grading!r})
        gmsh.initialize(interruptible=False)
        gmsh.option.setNumber("General.Terminal", 0)
        build_stack_model(gmsh, spec)
        gmsh.write({str(path)!r})
        gmsh.finalize()
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=TIMEOUT)


def refused(tmp: Path, mesh_file: str, says: str) -> None:
    """``validate`` (load_case + prepare) refuses the mesh file, naming the key."""
    case = load_case(write_case(tmp, mesh_file))
    with pytest.raises(CaseError) as info:
        prepare(case)
    assert info.value.key == "geometry.mesh_file", info.value
    assert says in info.value.message, info.value
    assert len(f"error: {info.value}") < 300
    # and the mesh loader refuses it too, before gmsh sees it
    with pytest.raises(CaseError) as info:
        load_regions(SPEC, MPI.COMM_SELF, case.geometry.mesh_file)
    assert info.value.key == "geometry.mesh_file"
    assert not (tmp / "PWNED").exists()


def test_geo_script_is_refused(tmp_path):
    evil_script(tmp_path, "evil.geo")
    refused(tmp_path, "evil.geo", "not a gmsh .msh file")


def test_etc_passwd_is_refused(tmp_path):
    refused(tmp_path, "/etc/passwd", "not a gmsh .msh file")


def test_script_named_msh_is_refused(tmp_path):
    evil_script(tmp_path, "stack.msh")
    refused(tmp_path, "stack.msh", "first line is not '$MeshFormat'")


def test_symlink_named_msh_to_a_script_is_refused(tmp_path):
    os.symlink(evil_script(tmp_path, "evil.geo"), tmp_path / "x.msh")
    refused(tmp_path, "x.msh", "first line is not '$MeshFormat'")


def test_directory_named_msh_is_refused(tmp_path):
    (tmp_path / "d.msh").mkdir()
    refused(tmp_path, "d.msh", "is a directory")


def test_fifo_named_msh_is_refused(tmp_path):
    os.mkfifo(tmp_path / "f.msh")
    refused(tmp_path, "f.msh", "not a regular file")


def test_device_is_refused(tmp_path):
    os.symlink("/dev/zero", tmp_path / "z.msh")
    refused(tmp_path, "z.msh", "not a regular file")
    refused(tmp_path, "/dev/zero", "not a gmsh .msh file")


def test_bad_format_line_is_refused(tmp_path):
    (tmp_path / "v.msh").write_text("$MeshFormat\n9.9 0 8\n$EndMeshFormat\n")
    refused(tmp_path, "v.msh", "unsupported mesh format")


@pytest.mark.parametrize("line", ["2.2 0 8", "4.1 0 8", "4.1 1 8", "4 0 8"])
def test_mesh_format_lines_accepted(tmp_path, line):
    path = tmp_path / "m.msh"
    from ssefem.mesh.mesh_file import check_mesh_file

    path.write_bytes(f"$MeshFormat\r\n{line}\r\n".encode() + b"\x01\x00\x00\x00\n")
    check_mesh_file(path)


def test_option_file_beside_a_real_mesh_is_not_run(tmp_path):
    """gmsh runs ``<mesh>.opt`` as a script when it opens ``<mesh>``: the mesh is opened from a
    private copy, so the one beside it is never read; the mesh itself still loads."""
    write_mesh(tmp_path / "stack.msh")
    evil_script(tmp_path, "stack.msh.opt")
    case = load_case(write_case(tmp_path, "stack.msh"))
    prepare(case)
    regions = load_regions(SPEC, MPI.COMM_SELF, case.geometry.mesh_file)
    assert regions.layers == list(SPEC.names)
    assert not (tmp_path / "PWNED").exists()


# -- through the CLI ----------------------------------------------------------------------------

def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "ssefem.cli", *args], cwd=cwd, env=env,
                          check=False, capture_output=True, text=True, timeout=TIMEOUT)


def test_cli_never_runs_a_geo_script(tmp_path):
    evil_script(tmp_path, "evil.geo")
    case = write_case(tmp_path, "evil.geo")
    for args in (("validate", str(case)), ("run", str(case), "-o", str(tmp_path / "out"))):
        proc = cli(*args, cwd=tmp_path)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.strip().splitlines() == [proc.stderr.strip()]
        assert proc.stderr.startswith("error: geometry.mesh_file: "), proc.stderr
        assert not (tmp_path / "PWNED").exists()
        assert not (tmp_path / "out").exists()


def plant_plugin(tmp: Path) -> None:
    """A distribution in the working directory registering 'evil' and shadowing the in-tree
    space_charge plugin's name and module; importing either creates PWNED_*."""
    info = tmp / "evil-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: evil\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[ssefem.plugins]\nevil = evil_mod:Evil\n"
                                           "space_charge = evil_mod:Evil\n")
    (tmp / "evil_mod.py").write_text(f"open({str(tmp / 'PWNED_EVIL')!r}, 'w').close()\n")
    (tmp / "ssefem_space_charge.py").write_text(
        f"open({str(tmp / 'PWNED_SHADOW')!r}, 'w').close()\n")


def test_cli_loads_no_plugin_from_the_working_directory(tmp_path):
    plant_plugin(tmp_path)
    proc = cli("plugins", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "evil" not in proc.stdout
    assert "ssefem_space_charge:SpaceCharge" in proc.stdout  # the installed one
    case = tmp_path / "case.toml"
    case.write_text(DEFAULT + "\n[plugins.evil]\n")
    proc = cli("validate", str(case), cwd=tmp_path)
    assert proc.returncode == 2 and "error: plugins.evil: unknown plugin 'evil'" in proc.stderr
    sc = (ROOT / "cases" / "space_charge_lco_lpsc.toml").read_text()
    (tmp_path / "sc.toml").write_text(sc)
    proc = cli("validate", "sc.toml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not list(tmp_path.glob("PWNED*"))


def test_plugins_from_a_configured_path_still_load():
    """The test plugin's distribution lies in tests/plugins, put on sys.path by conftest (and
    on PYTHONPATH for the CLI): a configured path, not the working directory."""
    from ssefem.plugins import installed

    assert "parasitic" in installed()
