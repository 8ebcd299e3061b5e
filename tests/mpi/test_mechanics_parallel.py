"""Mechanics: serial and ``mpiexec -n 2`` agree, also with the iterative solver (run by ``make
test-mpi`` on 2 ranks)."""

from __future__ import annotations

import numpy as np
import pytest
from mpi4py import MPI

from parallel_helpers import assert_columns_agree, assert_profiles_agree, series

pytestmark = pytest.mark.mpi

KEYS = ("time", "voltage", "stoichiometry:cathode", "thickness_change", "stack_pressure",
        "axial_strain:cathode", "hydrostatic_stress:cathode", "hydrostatic_stress:electrolyte")


@pytest.mark.parametrize("dim,collectors,lateral", [
    (2, "pressure", "roller"), (3, "fixed_gap", "roller"), (3, "pressure", "periodic")])
def test_chemo_mechanics_serial_and_parallel_agree(case_factory, dim, collectors, lateral):
    """Periodic: slaves and masters of the lateral faces on different ranks."""
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    case = case_factory(
        geometry={"dimension": dim, "width": 2.0, "lateral_cells": 3},
        initial={"stoichiometry": 0.55},
        mechanics={"stack_pressure": 5.0, "collectors": collectors, "lateral": lateral},
        protocol={"steps": [{"kind": "discharge", "current": 3.0, "duration": 300.0}]},
        solver={"dt_initial": 20.0, "dt_max": 50.0, "rtol": 1e-12, "atol": 1e-14,
                "stol": 1e-14},
    )
    par = series(case, KEYS, MPI.COMM_WORLD)
    ser = series(case, KEYS, MPI.COMM_SELF)
    assert par.shape == ser.shape and len(par) > 5
    assert np.ptp(par[:, KEYS.index("hydrostatic_stress:cathode")]) > 1e5  # it did change
    assert_columns_agree(par, ser)


CONTACT = ("voltage", "area_specific_resistance", "contact_fraction:electrolyte|anode",
           "contact_pressure:electrolyte|anode", "current_peak_to_mean:electrolyte|anode",
           "thickness_change", "axial_strain:anode")


@pytest.mark.parametrize("lateral,wavelength,center", [("roller", 10.0, 5.0),
                                                       ("periodic", 5.0, 0.5)])
def test_rough_contact_serial_and_parallel_agree(case_factory, lateral, wavelength, center):
    """Rough Li on LPS through a pressure sweep (the contact set changes with pressure); the
    interface profile gathered on rank 0 agrees too. Periodic: the void crosses the lateral
    face y = 0 (its image at y = 5.5)."""
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    case = case_factory(
        geometry={"dimension": 2, "width": 5.0, "lateral_cells": 20},
        layers=[{"name": "cathode", "material": "Li", "thickness": 2.0, "cells": 3},
                {"name": "electrolyte", "material": "Li6PS5Cl", "thickness": 5.0, "cells": 8},
                {"name": "anode", "material": "Li", "thickness": 5.0, "cells": 6}],
        mechanics={"stack_pressure": 5.0, "lateral": lateral, "contact": {
            "interface": "electrolyte|anode", "rms_height": 0.05, "wavelength": wavelength,
            "voids": [{"center": [center], "radius": 1.0, "depth": 0.1}]}},
        protocol={"steps": [{"kind": "steady", "currents": [2.0],
                             "stack_pressures": [2.0, 20.0, 200.0]}]},
    )
    par, ppar = series(case, CONTACT, MPI.COMM_WORLD, "interface")
    ser, pser = series(case, CONTACT, MPI.COMM_SELF, "interface")
    f = ser[:, CONTACT.index("contact_fraction:electrolyte|anode")]
    assert f[0] < f[1] < f[2] < 1.0  # the void stays open
    assert_columns_agree(par, ser)
    assert_profiles_agree(ppar, pser)


def test_gamg_on_two_ranks_matches_serial_mumps(case_factory):
    """The per-field GAMG split on 2 ranks (each rank's rows of each field, the displacement's
    block size and rigid-body modes) solves the coupled 3-D cell as MUMPS does serially."""
    assert MPI.COMM_WORLD.size >= 2, "run under mpiexec -n 2"
    keys = ("voltage", "thickness_change", "stack_pressure", "hydrostatic_stress:cathode")

    def rows(linear_solver, comm):
        case = case_factory(
            geometry={"dimension": 3, "width": 2.0, "lateral_cells": 3},
            initial={"stoichiometry": 0.55}, mechanics={"stack_pressure": 5.0},
            protocol={"steps": [{"kind": "steady", "currents": [0.0, 2.0]}]},
            solver={"rtol": 1e-12, "atol": 1e-14, "stol": 1e-14,
                    "linear_solver": linear_solver})
        return series(case, keys, comm)

    par, ser = rows("gamg", MPI.COMM_WORLD), rows("mumps", MPI.COMM_SELF)
    assert par.shape == ser.shape == (2, len(keys))
    assert_columns_agree(par, ser)
