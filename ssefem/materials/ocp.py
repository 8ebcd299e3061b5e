"""Registry of open-circuit-potential (OCP) fits.

Each fit is a function ``func(theta, m)`` of the stoichiometry ``theta = c_s / c_max`` of the
inserted ion and returns the equilibrium potential U in volts against the metal of the same ion
(Li/Li+, Na/Na+, Mg/Mg2+). ``m`` is a math namespace with ``exp``, ``tanh``, ``ln`` and ``sqrt``,
so one expression serves NumPy (``numpy_ns``) and UFL (``ufl_ns()``, built on request so that
this module never imports UFL or DOLFINx by itself). Powers and rational expressions use the
ordinary Python operators, which both back-ends support.

Fits whose name ends in ``_ssefem`` or ``_with_end`` are *not* published fits: their ``source``
says how they were built and why.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class MathNamespace:
    """The four elementary functions an OCP expression may use."""

    exp: Callable[[Any], Any]
    tanh: Callable[[Any], Any]
    ln: Callable[[Any], Any]
    sqrt: Callable[[Any], Any]


numpy_ns = MathNamespace(exp=np.exp, tanh=np.tanh, ln=np.log, sqrt=np.sqrt)


def ufl_ns() -> MathNamespace:
    """Namespace for UFL expressions (imports ``ufl`` only when called)."""
    import ufl

    return MathNamespace(exp=ufl.exp, tanh=ufl.tanh, ln=ufl.ln, sqrt=ufl.sqrt)


@dataclass(frozen=True)
class OCPFit:
    """A named OCP fit.

    Attributes:
        name: registry key, ``<material>_<first author><year>`` for published fits.
        source: citation, with the formula's conventions and any caveat.
        valid: (theta_lo, theta_hi) over which the fit is meant to be used.
        func: ``func(theta, m) -> U`` [V vs the metal of the same ion].
    """

    name: str
    source: str
    valid: tuple[float, float]
    func: Callable[[Any, MathNamespace], Any]

    def __call__(self, theta: Any, m: MathNamespace = numpy_ns) -> Any:
        """U(theta) with namespace ``m`` (NumPy by default)."""
        return self.func(theta, m)


# --------------------------------------------------------------------------------------------
# LiCoO2


def _licoo2_ramadass2004(y, m):
    y2 = y * y
    num = (
        -4.656 + 88.669 * y2 - 401.119 * y2**2 + 342.909 * y2**3 - 462.471 * y2**4 + 433.434 * y2**5
    )
    den = -1.0 + 18.933 * y2 - 79.532 * y2**2 + 37.311 * y2**3 - 73.083 * y2**4 + 95.96 * y2**5
    return num / den


_PYBAMM_STRETCH = 1.13


def _licoo2_ramadass2004_pybamm(sto, m):
    return _licoo2_ramadass2004(_PYBAMM_STRETCH * sto, m)


# --------------------------------------------------------------------------------------------
# NMC811


def _nmc811_chen2020(x, m):
    return (
        -0.8090 * x
        + 4.4875
        - 0.0428 * m.tanh(18.5138 * (x - 0.5542))
        - 17.7326 * m.tanh(15.7890 * (x - 0.3117))
        + 17.5842 * m.tanh(15.9308 * (x - 0.3120))
    )


# End term of the ssefem variant: -A exp((x - x_end)/w). A = 0.6 V, x_end = 0.9084 (the lithiated
# end of Chen's window), w = 0.015: 0.6 V down at x_end, about 12 mV at x = 0.85.
_NMC_END_A, _NMC_END_X, _NMC_END_W = 0.6, 0.9084, 0.015


def _nmc811_chen2020_with_end(x, m):
    return _nmc811_chen2020(x, m) - _NMC_END_A * m.exp((x - _NMC_END_X) / _NMC_END_W)


# --------------------------------------------------------------------------------------------
# Constructed (non-published) fits for the Na and Mg examples. Both use only exp/tanh: no poles
# and no logarithms, so a Newton iterate slightly outside [0, 1] still gives a finite U.


def _end_terms(theta, m, amp_lo, amp_hi, w):
    """Steep rise towards theta = 0 and steep fall towards theta = 1."""
    return amp_lo * m.exp(-theta / w) - amp_hi * m.exp((theta - 1.0) / w)


# Na_{1+2 theta} V2(PO4)3: V3+/V4+ two-phase plateau at ~3.37 V vs Na/Na+.
_NVP_U0, _NVP_SLOPE, _NVP_AMP, _NVP_W = 3.37, 0.05, 1.0, 0.02


def _nvp_plateau(theta, m):
    return _NVP_U0 - _NVP_SLOPE * (theta - 0.5) + _end_terms(theta, m, _NVP_AMP, _NVP_AMP, _NVP_W)


# Mg_{2 theta} Mo6S8: two insertion stages (inner ring sites, then outer sites).
_MO_U1, _MO_U2, _MO_WSTEP, _MO_SLOPE, _MO_AMP, _MO_W = 1.20, 1.05, 0.02, 0.04, 0.6, 0.02


def _mo6s8_two_stage(theta, m):
    step = 0.5 * (_MO_U1 - _MO_U2) * (1.0 - m.tanh((theta - 0.5) / _MO_WSTEP))
    return _MO_U2 + step - _MO_SLOPE * (theta - 0.5) + _end_terms(theta, m, _MO_AMP, _MO_AMP, _MO_W)


_FITS = [
    OCPFit(
        name="LiCoO2_Ramadass2004",
        source=(
            "Ramadass et al., J. Electrochem. Soc. 151, A196 (2004): rational polynomial in the "
            "Li fraction y of Li_yCoO2, as published (y not rescaled). Use 0.5 <= y <= 1 "
            "only: the denominator vanishes at y = 0.4226 and y = 1.0043 (poles) and U crosses "
            "0 V at y = 1.0025; U(1.0) = 2.29 V."
        ),
        valid=(0.5, 1.0),
        func=_licoo2_ramadass2004,
    ),
    OCPFit(
        name="LiCoO2_Ramadass2004_PyBaMM",
        source=(
            "Ramadass et al., J. Electrochem. Soc. 151, A196 (2004) as implemented in PyBaMM's "
            "'Ramadass2004' parameter set (lico2_ocp_Ramadass2004): the same rational polynomial "
            "evaluated at 1.13*sto, PyBaMM's 'stretch' (negative/positive overhang ratio). "
            "Poles at sto = 0.3740 and 0.8888."
        ),
        valid=(0.5 / _PYBAMM_STRETCH, 0.995 / _PYBAMM_STRETCH),
        func=_licoo2_ramadass2004_pybamm,
    ),
    OCPFit(
        name="NMC811_Chen2020",
        source=(
            "Chen et al., J. Electrochem. Soc. 167, 080534 (2020), LG M50 NMC811 half-cell GITT "
            "fit: U = -0.8090x + 4.4875 - 0.0428 tanh(18.5138(x-0.5542)) "
            "- 17.7326 tanh(15.7890(x-0.3117)) + 17.5842 tanh(15.9308(x-0.3120)). Window "
            "0.2661 <= x <= 0.9084 of the paper. Falls only linearly (-0.81 V per unit x) at "
            "the lithiated end: U(0.9084) = 3.56 V."
        ),
        valid=(0.2661, 0.9084),
        func=_nmc811_chen2020,
    ),
    OCPFit(
        name="NMC811_Chen2020_with_end",
        source=(
            "NMC811_Chen2020 (Chen et al., J. Electrochem. Soc. 167, 080534 (2020)) plus an "
            "ssefem end term -0.6 V * exp((x - 0.9084)/0.015), NOT part of the published fit. "
            "Reason: Chen's window ends where the full LG M50 cell is limited by its graphite "
            "electrode, so the published fit has no lithiated-end drop; an NMC811|Li half cell "
            "does drop steeply there, and a galvanostatic discharge against a metal anode needs "
            "that drop to reach its cut-off near x = 0.9084. The term is 12 mV at x = 0.85; "
            "U(0.9084) = 2.96 V."
        ),
        valid=(0.2661, 0.9084),
        func=_nmc811_chen2020_with_end,
    ),
    OCPFit(
        name="NVP_plateau_ssefem",
        source=(
            "CONSTRUCTED by ssefem, not a published fit (no analytic Na3V2(PO4)3 OCP fit could "
            "be cited with confidence). theta = Na fraction of the two exchangeable sites, "
            "Na_{1+2theta}V2(PO4)3. U = 3.37 - 0.05(theta - 0.5) + 1.0 exp(-theta/0.02) "
            "- 1.0 exp((theta - 1)/0.02) V vs Na/Na+: the flat V3+/V4+ two-phase plateau near "
            "3.4 V reported by Jian et al., Electrochem. Commun. 14, 86 (2012), with steep ends; "
            "the slope only makes U strictly monotonic."
        ),
        valid=(0.02, 0.98),
        func=_nvp_plateau,
    ),
    OCPFit(
        name="Mo6S8_two_stage_ssefem",
        source=(
            "CONSTRUCTED by ssefem, not a published fit (no analytic Mg_xMo6S8 OCP fit could be "
            "cited with confidence). theta = x/2 in Mg_xMo6S8. Two insertion stages, ~1.20 V "
            "(theta < 0.5) and ~1.05 V vs Mg/Mg2+ (theta > 0.5), joined by a tanh step of "
            "width 0.02, a 0.04 V slope and end terms 0.6 exp(-theta/0.02) - "
            "0.6 exp((theta - 1)/0.02) V; plateau levels approximate the ~1.1 V two-step "
            "insertion reported for Chevrel Mo6S8 (Aurbach et al., Nature 407, 724 (2000)). "
            "Representative shape only; Mg trapping in the inner sites is not modelled."
        ),
        valid=(0.02, 0.98),
        func=_mo6s8_two_stage,
    ),
]

OCP_FITS: dict[str, OCPFit] = {fit.name: fit for fit in _FITS}


def get_ocp(name: str) -> OCPFit:
    """The registered fit called ``name``; unknown names raise ``ValueError`` with suggestions."""
    try:
        return OCP_FITS[name]
    except KeyError:
        close = difflib.get_close_matches(name, list(OCP_FITS), n=3, cutoff=0.4)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(
            f"unknown OCP fit {name!r}{hint} (registered: {', '.join(sorted(OCP_FITS))})"
        ) from None


def register_ocp(fit: OCPFit) -> None:
    """Add a fit (for plugins); a name already registered raises ``ValueError``."""
    if fit.name in OCP_FITS:
        raise ValueError(f"OCP fit {fit.name!r} is already registered")
    lo, hi = fit.valid
    if not lo < hi:
        raise ValueError(f"OCP fit {fit.name!r}: valid range {fit.valid} is empty")
    OCP_FITS[fit.name] = fit
