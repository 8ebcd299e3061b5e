"""The discrete system of a model: its concerns in one object.

Every field lives on the submesh of its layers; every term integrates on the parent mesh's
measures with the submeshes' entity maps, and a problem sums the terms into one blocked
nonlinear system solved by ``fem.petsc.NonlinearProblem`` (SNES). The parts, each usable and
testable alone:

- :mod:`.spaces` (:class:`Discretisation`): function spaces, unknowns, the form context and the
  terms' forms; the state (commit, restore, snapshots);
- :mod:`.constraints`: Dirichlet conditions of the model's constraints;
- :mod:`.solver` (:class:`Solvers`): the nonlinear problems with their solver policy
  (:mod:`.options`) and attached strategies (near-null space, field split, affine Jacobian,
  periodic fold), and the solve with its failure checks;
- :mod:`.observation` (:class:`Observer`): observables, profiles, derived fields.
"""

from __future__ import annotations

from ssefem import jit_cache
from ssefem.model import Model
from ssefem.system.observation import Observer
from ssefem.system.solver import Solvers
from ssefem.system.spaces import Discretisation

__all__ = ["Discretisation", "Observer", "Solvers", "System"]


class System:
    """A model's discretisation, solvers and observer behind one object (what studies use)."""

    def __init__(self, model: Model, solver_options: dict | None = None):
        self.model = model
        jit_cache.recover_collective(model.regions.comm)  # before the first form is compiled
        self.discrete = Discretisation(model)
        self.solvers = Solvers(self.discrete, solver_options)
        self.observer = Observer(self.discrete)
        d = self.discrete
        self.options = self.solvers.options
        self.spaces, self.u, self.u_n, self.ctx, self.dt = d.spaces, d.u, d.u_n, d.ctx, d.dt
        self.entity_maps, self.contributions = d.entity_maps, d.contributions
        # state
        self.field_range, self.commit, self.restore = d.field_range, d.commit, d.restore
        self.largest_change, self.snapshot, self.load = d.largest_change, d.snapshot, d.load
        self.levels, self.load_levels = d.levels, d.load_levels
        self.active_fields, self.residuals = d.active_fields, d.residuals
        # solving
        self.problem, self.solve = self.solvers.problem, self.solvers.solve
        self.close = self.solvers.close
        # observing
        o = self.observer
        self.observe, self.localize, self.profile, self.derived = (o.observe, o.localize,
                                                                   o.profile, o.derived)
