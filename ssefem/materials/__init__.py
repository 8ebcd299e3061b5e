"""Material library: built-in TOML entries, plugin additions and a printable table.

>>> lib = Library.builtin()
>>> lib.get("LLZO-Ta").at("conductivity", 333.15)  # S/m  # doctest: +SKIP
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from ssefem.constants import T_REF
from ssefem.materials.ocp import OCP_FITS, OCPFit, get_ocp
from ssefem.materials.schema import Material, Property

__all__ = [
    "DATA_DIR",
    "Library",
    "Material",
    "OCPFit",
    "OCP_FITS",
    "Property",
    "format_table",
    "get_ocp",
    "load_builtin",
    "load_file",
]

DATA_DIR = Path(__file__).resolve().parent / "data"

# Property shown in the table for each kind: the one that best characterises the entry.
_KEY_PROPERTY = {
    "ion_conductor": "conductivity",
    "binary_salt": "conductivity",
    "insertion_electrode": "diffusivity",
    "metal": "exchange_current_density",
}


def _check_ocp(material: Material, where: str) -> None:
    if material.ocp is not None and material.ocp not in OCP_FITS:
        close = difflib.get_close_matches(material.ocp, list(OCP_FITS), n=1, cutoff=0.4)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"{where}: material {material.name!r} names unknown OCP fit {material.ocp!r}{hint}"
        )


def load_file(path: str | Path) -> Material:
    """Read and validate one material TOML file; any problem raises ``ValueError`` naming it."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"material file {path.name}: {exc}") from exc
    try:
        material = Material.model_validate(data)
    except ValidationError as exc:
        raise ValueError(f"material file {path.name}: {exc}") from exc
    _check_ocp(material, f"material file {path.name}")
    return material


def load_builtin(data_dir: str | Path | None = None) -> dict[str, Material]:
    """All built-in entries (``data/*.toml``), keyed by name.

    Each file's stem must equal its ``name``; a broken, misnamed or duplicated entry raises
    ``ValueError`` naming the file.
    """
    directory = Path(data_dir) if data_dir is not None else DATA_DIR
    materials: dict[str, Material] = {}
    for path in sorted(directory.glob("*.toml")):
        material = load_file(path)
        if material.name != path.stem:
            raise ValueError(
                f"material file {path.name}: name {material.name!r} differs from the file stem "
                f"{path.stem!r}"
            )
        if material.name in materials:  # only on case-insensitive file systems
            raise ValueError(f"material file {path.name}: duplicate name {material.name!r}")
        materials[material.name] = material
    return materials


class Library:
    """A set of materials by name: the built-in entries plus whatever plugins add."""

    def __init__(self, materials: dict[str, Material] | Iterable[Material] | None = None):
        self._materials: dict[str, Material] = {}
        if materials is None:
            return
        values = materials.values() if isinstance(materials, dict) else materials
        for material in values:
            self.add(material)

    @classmethod
    def builtin(cls) -> Library:
        """A library holding the built-in entries."""
        return cls(load_builtin())

    def get(self, name: str) -> Material:
        """The material called ``name``; unknown names raise ``ValueError`` with suggestions."""
        try:
            return self._materials[name]
        except KeyError:
            pass
        # Case-insensitive matching gives better hints ("llzo-ta" -> "LLZO-Ta").
        lowered = {n.lower(): n for n in self._materials}
        close = difflib.get_close_matches(name.lower(), list(lowered), n=3, cutoff=0.5)
        if close:
            hint = "; did you mean " + " or ".join(repr(lowered[c]) for c in close) + "?"
        else:
            hint = f"; known materials: {', '.join(self.names())}"
        raise ValueError(f"unknown material {name!r}{hint}")

    def add(self, material: Material) -> None:
        """Add a material (plugins); a name already present raises ``ValueError``."""
        if not isinstance(material, Material):
            raise TypeError(f"expected a Material, got {type(material).__name__}")
        if material.name in self._materials:
            raise ValueError(f"material {material.name!r} is already in the library")
        _check_ocp(material, "Library.add")
        self._materials[material.name] = material

    def names(self) -> list[str]:
        """Material names, sorted case-insensitively."""
        return sorted(self._materials, key=str.lower)

    def __contains__(self, name: object) -> bool:
        return name in self._materials

    def __iter__(self) -> Iterator[Material]:
        return (self._materials[n] for n in self.names())

    def __len__(self) -> int:
        return len(self._materials)


def short_source(source: str) -> str:
    """Short form of a source: 'Murugan et al., Angew. Chem. ... (2007)' -> 'Murugan et al. 2007'.

    Sources that start with 'derived', 'estimate', 'representative' or 'CONSTRUCTED' keep that
    word as a prefix.
    """
    text = source.strip()
    tag = ""
    for word in ("derived", "estimate", "representative", "CONSTRUCTED"):
        if text.lower().startswith(word.lower()):
            tag = word.lower()
            break
    author = re.search(r"([A-Z][\w'\-]+(?: and [A-Z][\w'\-]+| et al\.))", text)
    year = re.search(r"\b(1[89]\d\d|20\d\d)\b", text)
    if author and year:
        ref = f"{author.group(1)} {year.group(1)}"
        return f"{tag}: {ref}" if tag else ref
    if tag:
        return tag
    return text if len(text) <= 32 else text[:29] + "..."


def format_table(lib: Library, T: float = T_REF) -> str:
    """Plain-text table of a library, for ``ssefem materials``.

    One row per material: name, kind, ion, z, its key property (conductivity for ion conductors
    and binary salts, diffusivity for insertion electrodes, exchange-current density for metals)
    evaluated at ``T``, that property's activation energy, and a short form of its source.
    """
    header = ("name", "kind", "ion", "z", f"key property at {T:g} K", "Ea [eV]", "source")
    rows = [header]
    for material in lib:
        prop_name = _KEY_PROPERTY[material.kind]
        prop = material.properties[prop_name]
        value = f"{prop_name} = {prop.at(T):.3g} {prop.unit}"
        ea = f"{prop.Ea:.2f}" if prop.Ea is not None else "-"
        rows.append(
            (
                material.name,
                material.kind,
                material.ion,
                str(material.z),
                value,
                ea,
                short_source(prop.source),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for k, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
