"""Butler-Volmer kinetics away from the reference composition, against the closed form.

The exchange current density of an insertion electrode follows its surface stoichiometry as
i0(theta) = i0_ref (theta/theta_ref)^alpha_c ((1 - theta)/(1 - theta_ref))^alpha_a (the
concentration dependence of Bard & Faulkner, Electrochemical Methods, 2nd ed., eq. 3.4.10,
i0 = F k0 C_O^(1-alpha) C_R^alpha with C_R ~ theta the reduced (lithiated) sites and
C_O ~ 1 - theta the vacant ones; normalised at theta_ref where the library gives i0_ref).
At theta = theta_ref both factors are 1, so a test there cannot see an exponent; here theta is
0.55 and 0.9 around LiCoO2's theta_ref = 0.75 with unequal transfer coefficients (0.3, 0.7),
so swapping the exponents, dropping one or dropping the composition factor all change i0 by
far more than the tolerance. A steady polarisation holds theta at its initial value; each
current gives the cathode's overpotential eta, which must satisfy
i = i0(theta) [exp(alpha_a F eta / RT) - exp(-alpha_c F eta / RT)] to 1e-6 relative."""

from __future__ import annotations

import math

import pytest

from codata import F, R
from ssefem.materials import Library
from ssefem.runner import run

LIB = Library.builtin()
THETA_REF = 0.75  # LiCoO2's reference stoichiometry (ssefem/materials/data/LiCoO2.toml)
ALPHA_A, ALPHA_C = 0.7, 0.3
I0_REF = 10.0  # A/m^2 at theta_ref
T = 310.0
IFACE = "cathode|electrolyte"


def i0_closed_form(theta: float) -> float:
    return I0_REF * (theta / THETA_REF) ** ALPHA_C * ((1 - theta) / (1 - THETA_REF)) ** ALPHA_A


def bv_closed_form(theta: float, eta: float) -> float:
    """Anodic-positive current density (A/m^2) at overpotential eta (V)."""
    f = F / (R * T)
    return i0_closed_form(theta) * (math.exp(ALPHA_A * f * eta) - math.exp(-ALPHA_C * f * eta))


@pytest.mark.parametrize("theta", [0.55, 0.9])
def test_exchange_current_away_from_theta_ref(case_factory, theta):
    assert LIB.get("LiCoO2").theta_ref == THETA_REF
    currents = [0.0, 0.2 * i0_closed_form(theta), -0.2 * i0_closed_form(theta),
                3.0 * i0_closed_form(theta), -3.0 * i0_closed_form(theta)]
    case = case_factory(
        temperature=T, initial={"stoichiometry": theta},
        interfaces=[{"name": IFACE, "exchange_current_density": I0_REF,
                     "alpha_a": ALPHA_A, "alpha_c": ALPHA_C},
                    {"name": "electrolyte|anode", "exchange_current_density": 1e4}],
        protocol={"steps": [{"kind": "steady", "currents": currents}]},
    )
    rows = run(case, write=False, progress=False).series.rows
    assert len(rows) == len(currents)
    for row in rows[1:]:
        assert row["stoichiometry:cathode"] == pytest.approx(theta, rel=1e-12)  # held
        eta = row[f"overpotential:{IFACE}"]
        # a discharge current (positive) is cathodic at the positive electrode
        assert bv_closed_form(theta, eta) == pytest.approx(-row["current"], rel=1e-6)
    # the exponent is visible: at this composition i0 differs from i0_ref by > 10 %
    assert abs(i0_closed_form(theta) / I0_REF - 1) > 0.1
