"""Typed model state: what one component of a model tells the others (and the studies).

A component (the cell's physics, a plugin) *publishes* a value under a :class:`Handle`; another
asks for it with :meth:`ModelState.get`. The handle names the quantity, fixes its type and says
what it means, so a reader never guesses a dictionary key, a value of the wrong type is refused
where it is published, and a quantity nobody published is an error that names it and says what
it is (rather than a ``KeyError`` or a silent ``None`` far from the cause).

Handles that studies and the runner read live in core modules (:mod:`ssefem.cell_state`, and
:data:`SUMMARY` here); a handle only physics uses lives next to the physics that publishes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

_MISSING = object()


class MissingState(LookupError):
    """A component asked for a handle that no component of the model published."""

    def __init__(self, handle: Handle):
        self.handle = handle
        super().__init__(f"no component published {handle.name!r} ({handle.doc})")


@dataclass(frozen=True)
class Handle[T]:
    """The name, type and meaning of one published quantity.

    Attributes:
        name: unique name (shown in errors).
        type: the type of the value, or of each item where the handle accumulates; a tuple of
            types accepts any of them.
        doc: what the quantity is, with its unit.
        accumulates: None: one value, published once; ``"list"``: every publication appends
            one item; ``"dict"``: every publication is a dict merged in (a key given twice is
            an error), e.g. a value per layer published by each layer's physics.
    """

    name: str
    type: type | tuple[type, ...]
    doc: str
    accumulates: Literal["list", "dict"] | None = None

    def __post_init__(self):
        if self.accumulates not in (None, "list", "dict"):
            raise ValueError(f"handle {self.name!r}: accumulates must be None, 'list' or 'dict', "
                             f"got {self.accumulates!r}")

    def _check(self, value: Any) -> None:
        if not isinstance(value, self.type):
            names = (self.type,) if isinstance(self.type, type) else self.type
            want = " or ".join(t.__name__ for t in names)
            raise TypeError(f"state {self.name!r} takes {want}, got {type(value).__name__} "
                            f"({value!r:.80})")


class ModelState:
    """The published quantities of one model, by handle."""

    def __init__(self):
        self._values: dict[str, Any] = {}
        self._handles: dict[str, Handle] = {}

    def publish[T](self, handle: Handle[T], value: Any) -> None:
        """Publish ``value`` under ``handle`` (an item, or a dict of items, where it
        accumulates). TypeError for a value of the wrong type; ValueError for a second value of
        a single-valued handle, a key published twice, or another handle of the same name."""
        known = self._handles.get(handle.name)
        if known is not None and known != handle:
            raise ValueError(f"two different handles are named {handle.name!r}")
        if handle.accumulates == "dict":
            if not isinstance(value, dict):
                raise TypeError(f"state {handle.name!r} accumulates a dict: publish a dict of "
                                f"items, got {type(value).__name__}")
            for item in value.values():
                handle._check(item)
            have = self._values.setdefault(handle.name, {})
            twice = sorted(set(have) & set(value))
            if twice:
                raise ValueError(f"state {handle.name!r}: {', '.join(map(repr, twice))} "
                                 "published twice")
            have.update(value)
        elif handle.accumulates == "list":
            handle._check(value)
            self._values.setdefault(handle.name, []).append(value)
        else:
            handle._check(value)
            if handle.name in self._values:
                raise ValueError(f"state {handle.name!r} published twice (it holds one value)")
            self._values[handle.name] = value
        self._handles[handle.name] = handle

    def replace[T](self, handle: Handle[T], value: Any) -> None:
        """Replace the published value of a single-valued ``handle``: a component that refines
        what another published (mechanics adds the stress-potential coupling to the cell's
        electrodes). MissingState when nothing was published yet."""
        if handle.accumulates is not None:
            raise ValueError(f"state {handle.name!r} accumulates: publish more instead")
        if handle.name not in self._values:
            raise MissingState(handle)
        if self._handles[handle.name] != handle:
            raise ValueError(f"two different handles are named {handle.name!r}")
        handle._check(value)
        self._values[handle.name] = value

    def get[T](self, handle: Handle[T]) -> T:
        """The published value (a copy of the list or dict where it accumulates); raises
        :class:`MissingState`, naming the handle and what it means, where none was."""
        value = self.find(handle, _MISSING)
        if value is _MISSING:
            raise MissingState(handle)
        return value

    def find[T](self, handle: Handle[T], default: Any = None) -> T | Any:
        """The published value, or ``default`` where none was."""
        if handle.name not in self._values:
            return default
        value = self._values[handle.name]
        return type(value)(value) if handle.accumulates else value

    def __contains__(self, handle: Handle) -> bool:
        return handle.name in self._values

    def names(self) -> list[str]:
        """The names of the published handles (for the run log and debugging)."""
        return list(self._values)


#: JSON-ready entries for the run's summary.json, by key: a component publishes what a reader of
#: the results needs to interpret them (e.g. the contact law's table) without the runner knowing
#: the component
SUMMARY: Handle[dict] = Handle("summary", object, "JSON-ready entries of summary.json, by key",
                               accumulates="dict")
