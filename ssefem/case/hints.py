"""Magnitudes that only make sense in another unit: refused with a hint naming the unit.

Case lengths are micrometres, pressures MPa, temperatures kelvin. A thickness of 5e-6 (metres
typed as micrometres), a stack pressure of 5e6 (pascals typed as MPa) or a temperature of 25
(degrees Celsius typed as kelvin) pass a plain range check or fail it with a message that does
not say why; these checks say which unit the value is read in and what was probably meant.
"""

from __future__ import annotations

from ssefem.errors import CaseError

#: smallest length (um) accepted for a layer or a lateral size: 1 nm
SMALLEST_LENGTH_UM = 1e-3
#: largest length (um) accepted: 10 cm
LARGEST_LENGTH_UM = 1e5
#: smallest element size (um) the mesh may have: 0.1 angstrom
SMALLEST_ELEMENT_UM = 1e-5
#: smallest first element (um) at a graded face: 0.1 pm. Debye lengths of concentrated solid
#: electrolytes come down to ~0.1 angstrom, and a space-charge layer is resolved with elements of a
#: few hundredths of it; gmsh meshes such a progression (the element count is what the budget
#: limits), and a length typed in metres (1e-9 for 1 nm) still falls far below
SMALLEST_FACE_CELL_UM = 1e-7
#: largest stack pressure (MPa): 10 GPa, beyond the strength of any cell material
LARGEST_PRESSURE_MPA = 1e4
#: lowest temperature (K) the material data are meant for
LOWEST_TEMPERATURE_K = 150.0

_PREFIXES = ((1.0, "m"), (1e-3, "mm"), (1e-6, "um"), (1e-9, "nm"), (1e-12, "pm"), (1e-15, "fm"))


def si_length(metres: float) -> str:
    """A length in metres written with the largest SI prefix below it (``5e-12`` -> ``5 pm``)."""
    for factor, unit in _PREFIXES:
        if abs(metres) >= factor:
            return f"{metres / factor:.3g} {unit}"
    return f"{metres:.3g} m"


def check_length(key: str, um: float, smallest: float = SMALLEST_LENGTH_UM) -> None:
    """Refuse a length (um) below ``smallest`` or above :data:`LARGEST_LENGTH_UM` with the hint
    that lengths are micrometres."""
    if um > LARGEST_LENGTH_UM:
        raise CaseError(key, f"{um:g} um is {si_length(um * 1e-6)}, above {LARGEST_LENGTH_UM:g} "
                        "um (10 cm): lengths are in micrometres")
    if um < smallest:
        raise CaseError(key, f"{um:g} um is {si_length(um * 1e-6)}, below {smallest:g} um: "
                        f"lengths are in micrometres; did you mean {um * 1e6:g}? (the value read as "
                        f"metres)")


def check_pressure(key: str, mpa: float) -> None:
    """Refuse a pressure (MPa) above :data:`LARGEST_PRESSURE_MPA` with the hint that pressures
    are MPa."""
    if mpa > LARGEST_PRESSURE_MPA:
        raise CaseError(key, f"{mpa:g} MPa is above {LARGEST_PRESSURE_MPA:g} MPa (10 GPa): "
                        f"pressures are in MPa; did you mean {mpa * 1e-6:g}? (the value read as Pa)")


def temperature_hint(kelvin: float) -> str:
    """The hint appended to a temperature below the lowest accepted one ('' if none fits)."""
    if -273.15 < kelvin < LOWEST_TEMPERATURE_K:
        return (f"; temperatures are in kelvin: did you mean {kelvin + 273.15:g} K "
                f"({kelvin:g} degrees Celsius)?")
    return ""
