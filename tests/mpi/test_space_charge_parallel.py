"""The space_charge plugin: serial and ``mpiexec -n 2`` agree within 1e-8 (``make test-mpi``)."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from ssefem.runner import run

pytestmark = pytest.mark.mpi


def _case(case_factory, mode: str, dim: int):
    return case_factory(
        geometry={"dimension": dim, "width": 1.0, "lateral_cells": 3},
        initial={"stoichiometry": 0.6},
        layers=[{"name": "cathode", "material": "LiCoO2", "thickness": 2.0, "cells": 8},
                {"name": "electrolyte", "material": "Li6PS5Cl", "thickness": 10.0,
                 "cells": 60, "face_cell": 0.001},
                {"name": "anode", "material": "Li", "thickness": 5.0, "cells": 3}],
        protocol={"steps": [{"kind": "rest", "duration": 1.0},
                            {"kind": "discharge", "current": 2.0, "duration": 60.0}]},
        solver={"rtol": 1e-12, "atol": 1e-14, "stol": 1e-15, "dt_initial": 1e-2,
                "dt_max": 20.0},
        plugins={"space_charge": {
            "interfaces": [{"name": "cathode|electrolyte", "mode": mode,
                            "stern_capacitance": 0.5, "potential_step": -0.1}],
            "layers": {"electrolyte": {"mobile_concentration": 1.0}}}})


def _curve(case, comm):
    rows = run(case, write=False, progress=False, comm=comm).series.rows
    return np.array([[r["time"], r["voltage"], r["electrode_charge:cathode|electrolyte"]]
                     for r in rows])


@pytest.mark.parametrize("mode,dim", [("resolved", 2), ("upscaled", 1)])
def test_space_charge_serial_and_parallel_agree(case_factory, mode, dim):
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    case = _case(case_factory, mode, dim)
    par = _curve(case, MPI.COMM_WORLD)
    ser = _curve(case, MPI.COMM_SELF)
    assert par.shape == ser.shape and len(par) > 5
    assert np.abs(ser[:, 2]).max() > 1e-4  # a space-charge layer is there
    np.testing.assert_allclose(par, ser, rtol=1e-8, atol=1e-12)
