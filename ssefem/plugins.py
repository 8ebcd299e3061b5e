"""Loading plugins and components: the classes registered under the entry-point group
``ssefem.plugins`` (the base class and its hooks: :mod:`ssefem.plugin_api`).

ssefem's own physics registers there too, as *components* (the entry points of the ``ssefem``
distribution); they are loaded for every case, a plugin only when the case names it under
``[plugins.<name>]``, and only from installed distributions, never from the working directory.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import site
import sys
import sysconfig
from collections.abc import Iterator
from importlib.metadata import EntryPoint, distributions
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ssefem.case.messages import from_validation_error
from ssefem.errors import CaseError
from ssefem.plugin_api import Plugin, PluginConfig

__all__ = ["CORE", "GROUP", "Plugin", "PluginConfig", "collect_transports",
           "declared_sweep_parameters", "installed", "load_components", "load_plugins",
           "validate_plugins"]

if TYPE_CHECKING:  # pragma: no cover
    from ssefem.case import Case
    from ssefem.materials import Library
    from ssefem.physics.ionics.transport import IonTransport


GROUP = "ssefem.plugins"
#: the distribution whose entry points are the built-in components
CORE = "ssefem"


def _resolved(entry: str) -> Path | None:
    try:
        return Path(entry or os.curdir).resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def trusted_dirs() -> set[Path]:
    """Where installed code lives: the site directories (the venv's, the user's) and the
    interpreter's library directories, plus what ``PYTHONPATH`` names explicitly."""
    dirs = list(site.getsitepackages()) + [site.getusersitepackages()]
    dirs += [sysconfig.get_paths()[k] for k in ("purelib", "platlib", "stdlib", "platstdlib")]
    dirs += [d for d in os.environ.get("PYTHONPATH", "").split(os.pathsep) if d]
    return {p for p in map(_resolved, dirs) if p is not None}


def untrusted_dirs() -> set[Path]:
    """The working directory, which ``python -m``/``-c`` put on ``sys.path`` (as '' or its path):
    a case file's directory is often the working directory, and a ``*.dist-info`` or module
    there must not become a plugin (unless it is also a trusted directory)."""
    cwd = _resolved(os.curdir)
    return {cwd} - trusted_dirs() if cwd is not None else set()


def _untrusted_entry(entry: str, untrusted: set[Path]) -> bool:
    return not os.path.isabs(entry) or _resolved(entry) in untrusted


def installed() -> dict[str, EntryPoint]:
    """Entry points of the installed plugins, by name: from distributions installed in the
    environment (or on a configured path), never from one found in the working directory. A
    name two distributions register is taken from the first on ``sys.path``."""
    untrusted = untrusted_dirs()
    out: dict[str, EntryPoint] = {}
    seen: set[str] = set()
    for dist in distributions():
        where = _resolved(str(dist.locate_file("")))
        if where is None or where in untrusted:
            continue
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name in seen:
            continue
        seen.add(name)
        for ep in dist.entry_points.select(group=GROUP):
            out.setdefault(ep.name, ep)
    return out


def _is_component(ep: EntryPoint) -> bool:
    dist = getattr(ep, "dist", None)
    return dist is not None and (dist.metadata["Name"] or "").lower() == CORE


def load_components() -> list[Plugin]:
    """The built-in components (ssefem's own entry points in the group), by ``order``."""
    out = []
    for name, ep in installed().items():
        if not _is_component(ep):
            continue
        if not ep.module.startswith(f"{CORE}."):
            raise TypeError(f"ssefem's entry point {name!r} names {ep.module!r}, outside ssefem")
        cls = ep.load()  # a module of the ssefem package that is already imported
        if not (isinstance(cls, type) and issubclass(cls, Plugin)):
            raise TypeError(f"entry point {name!r} does not name a ssefem.plugins.Plugin subclass")
        out.append(cls())
    if not out:
        raise RuntimeError("ssefem's built-in components are not registered: install ssefem "
                           "(pip install -e .) so that its entry points exist")
    return sorted(out, key=lambda c: (c.order, c.name))


@contextlib.contextmanager
def _without_untrusted_path() -> Iterator[set[Path]]:
    """``sys.path`` without the working directory while a plugin's module is imported, so that a
    same-named module there cannot stand in for the installed one."""
    untrusted = untrusted_dirs()
    saved = list(sys.path)
    sys.path[:] = [e for e in saved if not _untrusted_entry(e, untrusted)]
    try:
        yield untrusted
    finally:
        added = [e for e in sys.path if e not in saved]
        sys.path[:] = saved + added


def _load(name: str, ep: EntryPoint) -> Any:
    with _without_untrusted_path() as untrusted:
        cls = ep.load()
    module = sys.modules.get(ep.module.split(".")[0])
    origin = getattr(module, "__file__", None)
    if origin is not None:
        top = Path(origin).resolve().parent
        top = top.parent if Path(origin).name == "__init__.py" else top
        if top in untrusted:
            raise CaseError(f"plugins.{name}", f"the module {ep.module!r} of plugin {name!r} "
                            "was imported from the working directory, not an installed package")
    return cls


def load_plugins(tables: dict[str, dict]) -> list[Plugin]:
    """Instantiate the plugins a case names, validating their tables."""
    eps = installed()
    out = []
    for name, table in tables.items():
        if name not in eps:
            close = difflib.get_close_matches(name, eps, n=3)
            hint = f"; did you mean {', '.join(map(repr, close))}?" if close else (
                f"; installed: {', '.join(sorted(eps)) or 'none'}")
            raise CaseError(f"plugins.{name}", f"unknown plugin {name!r}{hint}")
        if _is_component(eps[name]):
            raise CaseError(f"plugins.{name}", f"{name!r} is a built-in component of ssefem: "
                            "it is always on and takes its settings from the case's own tables")
        cls = _load(name, eps[name])
        if not (isinstance(cls, type) and issubclass(cls, Plugin)):
            raise TypeError(f"entry point {name!r} does not name a ssefem.plugins.Plugin subclass")
        try:
            config = cls.Config.model_validate(table)
        except ValidationError as err:  # worded like the case's own errors, under the plugin
            e = from_validation_error(cls.Config, err)
            raise CaseError(f"plugins.{name}.{e.key}" if e.key else f"plugins.{name}",
                            e.message) from None
        out.append(cls(config))
    return out


def collect_transports(plugins: list[Plugin], case: Case, library: Library
                       ) -> dict[str, IonTransport]:
    """The layer transports the plugins ask for; two plugins may not claim one layer."""
    out: dict[str, IonTransport] = {}
    owner: dict[str, str] = {}
    for p in plugins:
        for layer, t in p.transports(case, library).items():
            if layer in out:
                raise CaseError(f"plugins.{p.name}", f"layer {layer!r} already has the "
                                f"{out[layer].name} transport of plugin {owner[layer]!r}")
            t.origin = p.name
            out[layer], owner[layer] = t, p.name
    return out


def validate_plugins(plugins: list[Plugin], case: Case, library: Library) -> None:
    """Run the plugins' validate hooks; a ``ValueError`` one raises becomes a CaseError under
    ``plugins.<name>`` (one line)."""
    for p in plugins:
        try:
            p.validate(case, library)
        except CaseError:
            raise
        except ValueError as err:
            raise CaseError(f"plugins.{p.name}", " ".join(str(err).split())) from None


def declared_sweep_parameters(plugins: list[Plugin], case: Case) -> dict[str, str]:
    """The sweep parameters the plugins declare for a case: name -> the plugin's name."""
    out: dict[str, str] = {}
    for p in plugins:
        for name in p.sweep_parameters(case):
            if name in out:
                raise CaseError(f"plugins.{p.name}", f"sweep parameter {name!r} is declared by "
                                f"plugin {out[name]!r} too")
            out[name] = p.name
    return out
