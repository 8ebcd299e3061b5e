"""The layer geometry that physics and plugins read from the mesh (Regions.extent, .thickness):
the stack's layers where the case puts them, in 1-D, 2-D, 3-D and axisymmetric meshes, on
graded cells."""

from __future__ import annotations

import pytest
from mpi4py import MPI

from ssefem.mesh import load_regions
from ssefem.runner import stack_spec

LAYERS = [{"name": "cathode", "material": "LiCoO2", "thickness": 2.5, "cells": 5, "grading": 3.0},
          {"name": "electrolyte", "material": "LiPON", "thickness": 1.5, "cells": 4},
          {"name": "anode", "material": "Li", "thickness": 3.0, "cells": 2}]


@pytest.mark.parametrize("geometry", [{"dimension": 1}, {"dimension": 2, "width": 2.0},
                                      {"dimension": 3, "width": 2.0, "lateral_cells": 2},
                                      {"dimension": 2, "width": 2.0, "axisymmetric": True}])
def test_layers_lie_where_the_case_puts_them(case_factory, geometry):
    case = case_factory(geometry=geometry, layers=LAYERS)
    regions = load_regions(stack_spec(case), MPI.COMM_WORLD)
    start = 0.0
    for layer in LAYERS:
        lo, hi = regions.extent(layer["name"])
        assert lo == pytest.approx(start, abs=1e-12)
        assert hi == pytest.approx(start + layer["thickness"], rel=1e-12)
        assert regions.thickness(layer["name"]) == pytest.approx(layer["thickness"], rel=1e-10)
        start = hi
