"""A model: the fields, named residual terms, constraints and observables of one run.

Physics modules and plugins add to it; :class:`ssefem.system.System` turns it into discrete
problems. Nothing here knows which physics is present: components tell each other (and the
studies) what they know through the typed :attr:`Model.state`, and offer the protocol step
limiters and sweep parameters (:mod:`ssefem.controls`).
"""

from __future__ import annotations

from collections.abc import Callable

import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from ssefem.controls import StepLimiter, SweepParameter
from ssefem.expectations import Diagnosis, Expectation
from ssefem.fields import Field
from ssefem.mesh.regions import Regions
from ssefem.scales import Scales
from ssefem.state import ModelState
from ssefem.terms import Constraint, DerivedField, Observable, Profile, Term


@dataclass
class Model:
    regions: Regions
    scales: Scales
    fields: dict[str, Field] = field(default_factory=dict)
    terms: list[Term] = field(default_factory=list)
    constraints: list[Constraint] = field(default_factory=list)
    observables: list[Observable] = field(default_factory=list)
    derived: list[DerivedField] = field(default_factory=list)
    profiles: list[Profile] = field(default_factory=list)
    constants: dict[str, float] = field(default_factory=dict)  # initial values of named constants
    #: axes along which the mesh is a periodic cell: every continuous field takes on the faces
    #: where the coordinate is largest the values of the opposite faces (ssefem.periodic)
    periodic: tuple[int, ...] = ()
    #: ranges the physics expects its quantities in (a warning when a run leaves one)
    expectations: list[Expectation] = field(default_factory=list)
    diagnoses: list[Diagnosis] = field(default_factory=list)
    #: consistency checks run once every component and plugin has added its part (a CaseError
    #: before anything is compiled: ssefem.assembly.assemble)
    checks: list[Callable[[], None]] = field(default_factory=list)
    #: what the components published for each other and the studies (ssefem.state)
    state: ModelState = field(default_factory=ModelState)
    #: bounds on the time steps of a transient protocol step (ssefem.controls.StepLimiter)
    step_limiters: list[StepLimiter] = field(default_factory=list)
    #: what a steady step can sweep, by name (ssefem.controls.SweepParameter)
    sweep_parameters: dict[str, SweepParameter] = field(default_factory=dict)
    #: the material library of the run (ssefem.materials.Library, with the plugins' entries),
    #: set by the runner before the plugins' model hooks run; None in a model built by hand
    library: Any = None

    def add_field(self, f: Field) -> None:
        if f.name in self.fields:
            raise ValueError(f"field {f.name!r} defined twice")
        self.fields[f.name] = f

    def add_term(self, term: Term) -> None:
        if any(t.name == term.name for t in self.terms):
            raise ValueError(f"residual term {term.name!r} defined twice")
        self.terms.append(term)

    def add_step_limiter(self, limiter: StepLimiter) -> None:
        if not isinstance(limiter, StepLimiter):
            raise TypeError(f"a step limiter must be a ssefem.controls.StepLimiter, got "
                            f"{type(limiter).__name__}")
        if any(x.name == limiter.name for x in self.step_limiters):
            raise ValueError(f"step limiter {limiter.name!r} defined twice")
        self.step_limiters.append(limiter)

    def add_sweep_parameter(self, p: SweepParameter) -> None:
        if not isinstance(p, SweepParameter):
            raise TypeError(f"a sweep parameter must be a ssefem.controls.SweepParameter, got "
                            f"{type(p).__name__}")
        if p.name in self.sweep_parameters:
            raise ValueError(f"sweep parameter {p.name!r} defined twice")
        self.sweep_parameters[p.name] = p

    def add_constraint(self, c: Constraint) -> None:
        self.constraints.append(c)

    def add_observable(self, o: Observable) -> None:
        if any(x.name == o.name for x in self.observables):
            raise ValueError(f"observable {o.name!r} defined twice")
        self.observables.append(o)

    def add_derived(self, d: DerivedField) -> None:
        if any((x.name, x.field) == (d.name, d.field) for x in self.derived) or (
                d.name in self.fields):
            raise ValueError(f"output field {d.name!r} defined twice")
        self.derived.append(d)

    def add_profile(self, p: Profile) -> None:
        if any(x.name == p.name for x in self.profiles):
            raise ValueError(f"profile {p.name!r} defined twice")
        self.profiles.append(p)

    def add_expectation(self, e: Expectation) -> None:
        if any(x.name == e.name for x in self.expectations):
            raise ValueError(f"expectation {e.name!r} defined twice")
        self.expectations.append(e)

    def add_check(self, check: Callable[[], None]) -> None:
        self.checks.append(check)

    def add_diagnosis(self, d: Diagnosis) -> None:
        if any(x.name == d.name for x in self.diagnoses):
            raise ValueError(f"diagnosis {d.name!r} defined twice")
        self.diagnoses.append(d)

    @contextmanager
    def origin(self, name: str):
        """Terms and observables added inside the block carry ``name`` as their origin (the
        component's or plugin's), unless an inner block already named theirs."""
        nt, no = len(self.terms), len(self.observables)

        def tagged(items):
            return [x if x.origin != "core" else dataclasses.replace(x, origin=name)
                    for x in items]

        try:
            yield self
        finally:
            self.terms[nt:] = tagged(self.terms[nt:])
            self.observables[no:] = tagged(self.observables[no:])

    def describe(self) -> list[str]:
        """One line per field and term, for the run log."""
        lines = [f"field {f.name} on {f.interface or '+'.join(f.layers)} [{f.unit}]"
                 for f in self.fields.values()]
        lines += [f"term {t.name} ({t.kind}, {t.origin})" for t in self.terms]
        return lines
