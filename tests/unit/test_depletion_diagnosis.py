"""A failed solve names depletion of a mobile species (the limiting current exceeded) as its
likely cause (issue 12, finding 9): the Nernst-Planck-Poisson region's diagnosis reads the last
accepted state; the monitor appends it to the solver's message."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest

from ssefem_space_charge.species import Species
from ssefem.studies.monitor import Monitor

from npp_helpers import layer_model


def _state(model, values: dict[str, np.ndarray]):
    return SimpleNamespace(model=model, u_n={n: SimpleNamespace(x=SimpleNamespace(array=a))
                                             for n, a in values.items()})


@pytest.fixture(scope="module")
def salt():
    cat, an = Species("cat", 1, 1e-12, 10.0), Species("an", -1, 2e-12, 10.0)
    model, region, _ = layer_model([cat, an], length=10.0, debye_over_length=1e-2, cells=20,
                                   degree=1, background=0.0)
    return model, region


@pytest.mark.parametrize("fraction, depleted", [(0.02, False), (5e-3, True)])
def test_depletion_named_below_one_percent(salt, fraction, depleted):
    model, region = salt
    n = 21
    phi = np.linspace(-0.3, 0.2, n)  # in units of RT/F: c = c_ref exp(mu - z phi)
    mu_cat = phi.copy()  # cation at c_ref everywhere
    c_an = np.ones(n)
    c_an[-1] = fraction  # the anion runs out at one face
    mu_an = np.log(c_an) - phi
    system = _state(model, {region.potential: phi, "mu_cat": mu_cat, "mu_an": mu_an})
    causes = [d.check(system) for d in model.diagnoses]
    if not depleted:
        assert causes == [None]
        return
    (cause,) = causes
    assert cause.startswith("an is depleted") and "limiting current" in cause
    assert f"{fraction:.2g}" in cause  # the depth: 0.005 of c_ref
    message = Monitor(system).explain("SNES diverged (reason -5)")
    assert message == f"SNES diverged (reason -5); likely cause: {cause}"
    assert math.isclose(float(cause.split("down to ")[1].split(" ")[0]), fraction, rel_tol=1e-9)
