"""The case schema: pydantic models with strict types, unknown keys rejected, regions referred
to by name.

Units are given per field (``description``) and in the README. Lengths are micrometres, current
densities A/m^2 (positive = discharge), voltages V, times s, temperatures K, pressures MPa.
Strict types: a number is never read from a string or a boolean (an integer is a valid float).
Magnitudes that only make sense in another unit are refused with a hint (``hints``).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from ssefem.case.hints import (SMALLEST_ELEMENT_UM, SMALLEST_FACE_CELL_UM, check_length,
                               check_pressure)
from ssefem.case.base import Strict
from ssefem.case.solver_defaults import NEWTON_DEFAULTS
from ssefem.case.steps import Step, Sweep  # noqa: F401  (Sweep: part of the schema's API)
from ssefem.errors import CaseError


_Strict = Strict


class Layer(_Strict):
    """One layer of the stack, listed from the positive current collector to the negative one."""

    name: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*$", max_length=64,
                      description="region name")
    material: str = Field(description="material-library name")
    thickness: float = Field(gt=0, description="um")
    cells: int = Field(20, ge=1, le=100000, description="elements across the thickness")
    grading: float = Field(
        1.0, ge=1.0, le=1000.0,
        description="largest/smallest element size across the layer; small ones at its faces",
    )
    face_cell: float | None = Field(
        None, gt=0, description="um: element size at both faces of the layer, reached by "
        "geometric grading from the middle (resolves Debye layers); replaces 'grading'")
    mode: Literal["meshed", "thin"] = Field(
        "meshed", description="ion conductors next to an electrode: 'thin' replaces the layer "
        "by a jump i = (sigma/thickness) * delta phi on the interface instead of meshing it")

    @model_validator(mode="after")
    def _magnitudes(self) -> Layer:
        check_length("thickness", self.thickness)
        if self.face_cell is not None:
            check_length("face_cell", self.face_cell, smallest=SMALLEST_FACE_CELL_UM)
        return self


class Interface(_Strict):
    """Overrides of an interface named 'a|b' after the two layers it joins."""

    name: str = Field(description="'<layer>|<layer>'")
    exchange_current_density: float | None = Field(None, gt=0, description="A/m^2 at the case temperature")
    alpha_a: float | None = Field(None, gt=0, lt=1, description="anodic transfer coefficient")
    alpha_c: float | None = Field(None, gt=0, lt=1, description="cathodic transfer coefficient")
    double_layer_capacitance: float | None = Field(
        None, gt=0, description="F/m^2, of an electrode interface, in parallel with its reaction "
        "(default: the electrode material's, else none)")


class Geometry(_Strict):
    dimension: int = Field(1, ge=1, le=3, description="1-D, 2-D or 3-D")
    width: float = Field(10.0, gt=0, description="um, lateral size (2-D and 3-D)")
    lateral_cells: int = Field(4, ge=1, le=10000, description="elements across the width")
    cell_type: Literal["simplex", "tensor"] = Field(
        "simplex", description="triangles/tetrahedra or quadrilaterals/hexahedra"
    )
    mesh_file: str | None = Field(None, description="a user .msh with the same physical names")
    cell_area: float = Field(
        1.0, gt=0, le=1e6, description="cm^2, the real cell's electrode area, which the modelled "
        "part represents (impedance in Ohm for the cell)")
    axisymmetric: bool = Field(
        False, description="2-D only: x is the axis of symmetry direction (stack axis), y the "
        "radius, the cell is a cylinder of radius 'width'")

    @model_validator(mode="after")
    def _axisymmetric(self) -> Geometry:
        check_length("width", self.width)
        if self.axisymmetric and self.dimension != 2:
            raise CaseError("axisymmetric", f"needs dimension = 2 (the meridian plane of the "
                            f"cylinder), got dimension = {self.dimension}")
        return self


class Protocol(_Strict):
    steps: list[Step] = Field(min_length=1)
    repeat: int = Field(1, ge=1, le=100000)


class Initial(_Strict):
    stoichiometry: float | None = Field(
        None, gt=0, lt=1, description="initial Li fraction of the cathode; default its theta_min"
    )


class Solver(_Strict):
    rtol: float = Field(NEWTON_DEFAULTS["rtol"], gt=0, lt=1)
    atol: float = Field(NEWTON_DEFAULTS["atol"], gt=0)
    stol: float = Field(
        NEWTON_DEFAULTS["stol"], ge=0, lt=1,
        description="converged when the Newton step is below stol * |u|")
    max_iterations: int = Field(NEWTON_DEFAULTS["max_iterations"], ge=1)
    linear_solver: Literal["mumps", "superlu_dist", "gamg"] = NEWTON_DEFAULTS["linear_solver"]
    dt_initial: float = Field(1.0, gt=0, description="s")
    dt_max: float = Field(600.0, gt=0, description="s")
    dt_min: float = Field(1e-6, gt=0, description="s")
    dt_growth: float = Field(1.5, ge=1.0, le=10.0)
    max_voltage_change: float = Field(0.02, gt=0, description="V per step, adaptive control")
    max_creep_strain_change: float = Field(
        0.01, gt=0, description="largest change of a creep-strain component in a cell per "
        "step, adaptive control (with [mechanics] creep): a step is also at most this over "
        "the largest creep rate at its start, but not below dt_min")


class Void(_Strict):
    """A void in the metal's surface: an elliptical cap, deepest at its centre."""

    center: list[float] = Field(min_length=1, max_length=2,
                                description="um, lateral position: [y] in 2-D, [y, z] in 3-D")
    radius: float = Field(gt=0, description="um, lateral radius")
    depth: float = Field(gt=0, description="um, gap at the centre")


class Contact(_Strict):
    """A metal electrode in contact with its ion conductor instead of bonded to it.

    The metal's surface carries sinusoidal roughness and/or voids (the initial gap), the two
    bodies meet by frictionless contact, and current crosses only where they touch.
    """

    interface: str = Field(description="'<layer>|<layer>': a metal electrode's interface")
    model: Literal["resolved", "law"] = Field(
        "resolved", description="'resolved': the contacts are meshed (2-D, 3-D); 'law': the "
        "interface stays bonded and its kinetics carry the contact law f(p) of the roughness, "
        "tabulated from the resolved problem of one wavelength (any dimension)")
    rms_height: float = Field(0.0, ge=0, description="um, RMS height of the metal surface's "
                              "sinusoidal roughness")
    wavelength: float | None = Field(None, gt=0, description="um, the roughness wavelength; "
                                     "the width must hold a whole number of half wavelengths")
    voids: list[Void] = []
    contact_distance: float = Field(
        1e-5, gt=0, description="um: the surfaces touch (and conduct) where their gap is below "
        "it; the default only absorbs rounding, ~1e-3 (1 nm) lets near contacts conduct")
    nitsche: float = Field(100.0, ge=10.0, le=1e6,
                           description="Nitsche parameter gamma0 (gamma = gamma0 E / h)")


class Mechanics(_Strict):
    """Small-strain elasticity of the stack, solved with the electrochemistry (one system)."""

    stack_pressure: float = Field(0.0, ge=0,
                                  description="MPa, compressive, on the positive collector")
    collectors: Literal["pressure", "fixed_gap"] = Field(
        "pressure", description="'pressure': the stack pressure stays applied (the cell may "
        "swell); 'fixed_gap': both collectors are held where the stack pressure put them")
    lateral: Literal["roller", "free", "periodic"] = Field(
        "roller", description="lateral faces: 'roller' (laterally constrained, as in a die), "
        "'free' (the negative collector is then clamped) or 'periodic' (the cell is one period "
        "of a laterally periodic stack: every field takes on the faces y = width (z = width) "
        "the values of y = 0 (z = 0))")
    stress_free_stoichiometry: float | None = Field(
        None, gt=0, lt=1, description="cathode composition without chemical strain; default "
        "the initial one")
    stress_free_temperature: float | None = Field(
        None, ge=150.0, le=700.0, description="K, temperature without thermal strain; default "
        "the case temperature (no thermal strain)")
    stress_potential: bool = Field(
        True, description="the cathode's hydrostatic stress shifts its open-circuit potential "
        "by Omega sigma_h / F")
    degree: int = Field(1, ge=1, le=2, description="Lagrange degree of the displacement")
    contact: Contact | None = Field(None, description="the metal electrode's interface as a "
                                    "contact (roughness, voids) instead of a bond")
    creep: bool | list[str] = Field(
        False, description="power-law creep (J2, Norton's law from the material library): "
        "true for every metal electrode, or a list of layer names")

    @field_validator("stack_pressure")
    @classmethod
    def _pressure(cls, v: float) -> float:
        check_pressure("", v)
        return v

    @field_validator("creep", mode="before")
    @classmethod
    def _creep(cls, v):
        # before the union's own checks, whose errors would name its member types
        if isinstance(v, bool) or (isinstance(v, list) and all(isinstance(x, str) for x in v)):
            return v
        raise ValueError("expected true, false or a list of layer names")


class Output(_Strict):
    directory: str | None = Field(None, description="default results/<name>")
    fields_every: int = Field(10, ge=0, description="write fields every N steps (0: ends only)")
    checkpoint_every: int = Field(
        10, ge=0, description="checkpoint the state every N accepted steps (0: only at the end "
        "of each protocol step) for 'ssefem run --restart'")
    plots: bool = True
    progress: bool = True


class Case(_Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)
    description: str = ""
    temperature: float = Field(298.15, ge=150.0, le=700.0, description="K")
    geometry: Geometry = Geometry()
    layers: list[Layer] = Field(min_length=3)
    interfaces: list[Interface] = []
    initial: Initial = Initial()
    protocol: Protocol
    solver: Solver = Solver()
    mechanics: Mechanics | None = None
    output: Output = Output()
    plugins: dict[str, dict[str, Any]] = {}

    @model_validator(mode="after")
    def _names(self) -> Case:
        names = [layer.name for layer in self.layers]
        reserved = {f"{names[0]}_cc", f"{names[-1]}_cc"} | {f"{n}_lateral" for n in names}
        for i, n in enumerate(names):
            if n in names[:i]:
                raise CaseError(f"layers[{i}].name", f"duplicate layer name {n!r}")
            if n in reserved:
                raise CaseError(f"layers[{i}].name", f"{n!r} is reserved for a boundary")
        pairs = {f"{a}|{b}" for a, b in zip(names, names[1:], strict=False)}
        for i, itf in enumerate(self.interfaces):
            if itf.name not in pairs:
                raise CaseError(
                    f"interfaces[{i}].name",
                    f"no interface {itf.name!r}; the stack has {', '.join(sorted(pairs))}",
                )
        return self

    @model_validator(mode="after")
    def _element_sizes(self) -> Case:
        """Layers and elements the mesh can resolve: no layer below 1e-6 of the stack, no
        element below :data:`SMALLEST_ELEMENT_UM` (gmsh fails on them with 'Could not create
        line' or meshes degenerate elements)."""
        total = sum(layer.thickness for layer in self.layers)
        for i, layer in enumerate(self.layers):
            if layer.thickness < 1e-6 * total:
                raise CaseError(f"layers[{i}].thickness", f"{layer.thickness:g} um is below 1e-6 "
                                f"of the stack ({total:g} um), too thin to mesh")
            if layer.mode != "meshed" or layer.face_cell is not None:
                continue
            smallest = layer.thickness / layer.cells / layer.grading
            if smallest < SMALLEST_ELEMENT_UM:
                raise CaseError(f"layers[{i}].cells", f"{layer.cells} cells across "
                                f"{layer.thickness:g} um (grading {layer.grading:g}) make "
                                f"elements of {smallest:.3g} um, below {SMALLEST_ELEMENT_UM:g} um")
        g = self.geometry
        if g.dimension > 1 and g.width / g.lateral_cells < SMALLEST_ELEMENT_UM:
            raise CaseError("geometry.lateral_cells", f"{g.lateral_cells} cells across the width "
                            f"{g.width:g} um are below {SMALLEST_ELEMENT_UM:g} um")
        return self

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise CaseError("layers", f"missing region {name!r}")

    def interface(self, name: str) -> Interface:
        for itf in self.interfaces:
            if itf.name == name:
                return itf
        return Interface(name=name)
