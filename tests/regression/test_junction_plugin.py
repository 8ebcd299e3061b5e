"""Proof (b) of issue 13: an out-of-tree plugin (tests/plugins/ssefem_junction) puts a
zero-thickness resistive junction between two electrolyte layers with no core edit. At steady
current i the cell voltage falls by exactly i r more than without it, in 1-D, 2-D and 3-D: the
ion potential, discontinuous there, jumps by i r and stays continuous everywhere else (the
layers' own Ohmic drops and the electrode kinetics are unchanged)."""

from __future__ import annotations

import numpy as np
import pytest

from jump_helpers import JUNCTION_CURRENTS, JUNCTION_R, junction_case, junction_drop
from ssefem.runner import run


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_junction_adds_i_r(case_factory, dim):
    drop = junction_drop(case_factory, dim)
    expected = np.array(JUNCTION_CURRENTS) * JUNCTION_R
    print(f"{dim}-D: drops {drop}, expected {expected}")
    np.testing.assert_allclose(drop, expected, rtol=1e-10, atol=0)


def test_junction_terms_are_the_plugins(case_factory):
    res = run(junction_case(case_factory, 1, True), write=False, progress=False)
    terms = {t.name: t.origin for t in res.system.model.terms}
    assert terms["junction:sep_a|sep_b"] == "junction"
    assert res.system.model.fields["phi_e"].jumps == ("sep_a|sep_b",)


def test_a_jump_in_a_resolved_layer_is_refused_when_the_model_is_assembled(case_factory):
    """phi_e may jump only where Ohmic conduction keeps it continuous elsewhere: with a
    Nernst-Planck-Poisson layer on one side the junction is refused by the assembler (before
    anything is compiled), naming the layer."""
    from mpi4py import MPI
    from ssefem_junction import Junction
    from ssefem_space_charge.resolved import NernstPlanckPoissonTransport

    from ssefem.assembly import assemble
    from ssefem.errors import CaseError
    from ssefem.mesh import load_regions
    from ssefem.physics.components import BUILTIN
    from ssefem.runner import stack_spec
    from ssefem.validate import prepare

    case = junction_case(case_factory, 1, True)
    library, _ = prepare(case)
    regions = load_regions(stack_spec(case), MPI.COMM_WORLD)
    npp = NernstPlanckPoissonTransport(case.temperature, contacts={},
                                       mobile_concentration={"sep_b": 1.0})
    junction = Junction(Junction.Config(interface="sep_a|sep_b", resistance=JUNCTION_R))
    with pytest.raises(CaseError, match=r"the layer 'sep_b' has no Ohmic conduction"):
        assemble(case, library, regions, [c() for c in BUILTIN] + [junction], {"sep_b": npp})
