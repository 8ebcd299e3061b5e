"""A model: the fields, named residual terms, constraints and observables of one run.

Physics modules and plugins add to it; :class:`ssefem.system.System` turns it into discrete
problems. Nothing here knows which physics is present.
"""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass, field

from ssefem.expectations import Diagnosis, Expectation
from ssefem.fields import Field
from ssefem.mesh.regions import Regions
from ssefem.scales import Scales
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
    info: dict = field(default_factory=dict)

    def add_field(self, f: Field) -> None:
        if f.name in self.fields:
            raise ValueError(f"field {f.name!r} defined twice")
        self.fields[f.name] = f

    def add_term(self, term: Term) -> None:
        if any(t.name == term.name for t in self.terms):
            raise ValueError(f"residual term {term.name!r} defined twice")
        self.terms.append(term)

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

    def add_diagnosis(self, d: Diagnosis) -> None:
        if any(x.name == d.name for x in self.diagnoses):
            raise ValueError(f"diagnosis {d.name!r} defined twice")
        self.diagnoses.append(d)

    @contextmanager
    def origin(self, name: str):
        """Terms added inside the block carry ``name`` as their origin (a plugin's)."""
        n = len(self.terms)
        try:
            yield self
        finally:
            self.terms[n:] = [dataclasses.replace(t, origin=name) for t in self.terms[n:]]

    def describe(self) -> list[str]:
        """One line per field and term, for the run log."""
        lines = [f"field {f.name} on {f.interface or '+'.join(f.layers)} [{f.unit}]"
                 for f in self.fields.values()]
        lines += [f"term {t.name} ({t.kind}, {t.origin})" for t in self.terms]
        return lines
