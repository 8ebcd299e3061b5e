"""Manufactured-solution convergence of the coupled electroneutral cell problem (P1, 2-D).

Every residual term of the model (solid diffusion with storage, electronic and ionic conduction,
Butler-Volmer at both interfaces with the OCP fit, the applied-current boundary term) is kept.
The source is minus the residual of the manufactured solution, F_mms(v) = -F(u_exact; v), which
includes the volume, boundary and interface sources in one; the discrete solution then converges
to u_exact at the optimal rate if and only if the terms are assembled consistently.
"""

from __future__ import annotations

import math

import numpy as np
import ufl
from mpi4py import MPI

from dolfinx import fem

from ssefem.materials import Library
from ssefem.mesh import load_regions
from ssefem.physics import build_cell_model
from ssefem.physics.handles import POSITIVE
from ssefem.physics.electrochemistry.electrodes import UFL_NS
from ssefem.runner import stack_spec
from ssefem.system import System
from ssefem.terms import Term


def _exact(model, x):
    pos = model.state.get(POSITIVE)
    vt = model.scales.potential
    c = 0.7 + 0.1 * ufl.sin(math.pi * x[0]) * ufl.cos(math.pi * x[1])
    return {
        "c_cathode": c,
        "phi_cathode": pos.ocp(c, UFL_NS) / vt + 0.3 * (1 + x[0]) * ufl.cos(math.pi * x[1]),
        "phi_e": 0.2 * ufl.cos(math.pi * x[0]) * (1 + 0.3 * ufl.sin(math.pi * x[1])) - 0.1 * x[1],
        "phi_anode": 0.05 * (3.0 - x[0]) * (1 + 0.5 * x[1] ** 2),
    }


def _solve(case_factory, n: int):
    case = case_factory(
        geometry={"dimension": 2, "width": 1.0, "lateral_cells": n},
        layers=[{"name": "cathode", "material": "LiCoO2", "thickness": 1.0, "cells": n},
                {"name": "electrolyte", "material": "LiPON", "thickness": 1.0, "cells": n},
                {"name": "anode", "material": "Li", "thickness": 1.0, "cells": n}],
    )
    regions = load_regions(stack_spec(case), MPI.COMM_WORLD)
    model = build_cell_model(case, Library.builtin(), regions)
    x = ufl.SpatialCoordinate(regions.mesh)
    exact = _exact(model, x)
    terms = list(model.terms)

    def mms(ctx):
        out = {}
        mapping = {ctx.u[k]: exact[k] for k in exact}
        for t in terms:
            for field, form in t.build(ctx).items():
                part = -ufl.replace(form, mapping)
                out[field] = out[field] + part if field in out else part
        return out

    model.add_term(Term("manufactured_source", "source", mms, origin="test"))
    system = System(model, {"rtol": 1e-12, "atol": 1e-13, "stol": 1e-14})
    system.ctx.constant("applied_current").value = 0.3
    system.dt.value = 0.5
    system.solve("current", transient=True)
    errors = {}
    dx = regions.dx()
    for name, f in model.fields.items():
        tags = [regions.layer_tag[layer] for layer in f.layers]
        meas = sum((dx(t) for t in tags[1:]), dx(tags[0]))
        e = fem.form((system.u[name] - exact[name]) ** 2 * meas, entity_maps=system.entity_maps)
        m = fem.form(exact[name] ** 2 * meas, entity_maps=system.entity_maps)
        comm = regions.comm
        errors[name] = math.sqrt(comm.allreduce(fem.assemble_scalar(e), op=MPI.SUM)
                                 / comm.allreduce(fem.assemble_scalar(m), op=MPI.SUM))
    return errors


def test_mms_p1_second_order(case_factory):
    ns = [4, 8, 16]
    errs = [_solve(case_factory, n) for n in ns]
    for name in errs[0]:
        e = np.array([err[name] for err in errs])
        rates = np.log2(e[:-1] / e[1:])
        assert rates[-1] >= 1.9, (name, e, rates)
        assert e[-1] < e[0] / 10
