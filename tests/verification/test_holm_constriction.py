"""Holm's constriction resistance: Li touching a solid electrolyte only in a disk of radius a
(the rest of the interface is a void) makes the current converge on that disk. With fast
kinetics the disk is equipotential, and the resistance beyond the bulk's is R_c = psi / (4 sigma a)
(Holm, Electric Contacts, 1967), where psi(a/R) -> 1 on a half-space and, in a cylinder of
radius R, psi = 1 - 1.40925 e + 0.29591 e^3 + 0.05254 e^5 + 0.02105 e^7 (e = a/R; Roess, for
an equipotential disk on a flux tube). Axisymmetric cell, current through the contact only,
through the whole model: contact mechanics sets the contact set, Butler-Volmer kinetics pass
the current, the electrolyte conducts it."""

from __future__ import annotations

import math

import pytest

from ssefem.materials import Library
from ssefem.runner import run

LIB = Library.builtin()
A, RADIUS, HEIGHT = 1.0, 10.0, 20.0  # um


def _holm_ratio(case_factory, lateral_cells: int) -> tuple[float, float]:
    """(R_c 4 sigma a / psi, contact fraction)."""
    case = case_factory(
        geometry={"dimension": 2, "axisymmetric": True, "width": RADIUS,
                  "lateral_cells": lateral_cells, "cell_type": "tensor"},
        layers=[{"name": "pos", "material": "Li", "thickness": 1.0, "cells": 2},
                {"name": "electrolyte", "material": "LLZO-Ta", "thickness": HEIGHT,
                 "cells": 60, "face_cell": 0.025},
                {"name": "anode", "material": "Li", "thickness": 1.0, "cells": 2}],
        # kinetics 1e-6 of the constriction: the disk is equipotential
        interfaces=[{"name": "pos|electrolyte", "exchange_current_density": 1e9},
                    {"name": "electrolyte|anode", "exchange_current_density": 1e9}],
        mechanics={"stack_pressure": 1e-3, "contact": {
            "interface": "electrolyte|anode",
            "voids": [{"center": [RADIUS], "radius": RADIUS - A, "depth": 1.0}]}},
        protocol={"steps": [{"kind": "steady", "currents": [1.0], "stack_pressures": [1e-3]}]},
    )
    row = run(case, write=False, progress=False).series.rows[-1]
    sigma = LIB.get("LLZO-Ta").at("conductivity", case.temperature)
    area = math.pi * (RADIUS * 1e-6) ** 2
    r_total = row["area_specific_resistance"] / area  # Ohm
    r_c = r_total - HEIGHT * 1e-6 / (sigma * area)
    e = A / RADIUS
    psi = 1 - 1.40925 * e + 0.29591 * e**3 + 0.05254 * e**5 + 0.02105 * e**7
    return r_c * 4 * sigma * A * 1e-6 / psi, row["contact_fraction:electrolyte|anode"]


def test_holm_constriction_resistance(case_factory):
    coarse, _ = _holm_ratio(case_factory, 200)
    fine, fraction = _holm_ratio(case_factory, 400)
    assert fraction == pytest.approx((A / RADIUS) ** 2, rel=1e-9)  # the disk alone touches
    assert fine == pytest.approx(1.0, abs=0.01)
    # the remaining error is the mesh's at the disk edge (where the current density is
    # singular): it falls with refinement
    assert abs(fine - 1) < 0.7 * abs(coarse - 1)
