"""The plugin API: the base class of plugins and components (loaded by :mod:`ssefem.plugins`).

ssefem's own physics registers there too, as *components* (the entry points of the ``ssefem``
distribution: ``electrochemistry``, ``mechanics``): a component is loaded for every case and
configured by the case's own tables; a plugin only when the case names it under
``[plugins.<name>]``. Both have the same hooks, run by the same code, components first (by
their ``order``); in-tree plugins register exactly like third-party ones and the core never
imports a plugin. Every hook is a no-op by default, and every term and observable a component or
plugin adds carries its name.

The hooks, in the order a run calls them:

1. ``Config`` validates the plugin's table (pydantic; ``plugins.<name>.<key>`` errors);
2. :meth:`Plugin.materials`, then :meth:`Plugin.validate` with the case and the material library
   (``ssefem validate`` and ``ssefem run`` before meshing): checks that need the case, raised as
   :meth:`Plugin.invalid` or a ``ValueError``, become one-line ``plugins.<name>...`` errors;
   :meth:`Plugin.sweep_parameters` declares the names of the sweep parameters the plugin adds,
   so that a case sweeping an unknown one is refused before meshing;
   :meth:`Plugin.tabulations`, tables from sub-runs that the runner computes (cached) first;
   :meth:`Plugin.studies`, protocol step kinds of the plugin's own (checked here too);
3. :meth:`Plugin.mesh_features`, :meth:`Plugin.transports`;
4. :meth:`Plugin.scales` (one component sets the model's nondimensionalisation), then every
   part's :meth:`Plugin.fields`, then every part's :meth:`Plugin.terms` on the model
   (:func:`ssefem.assembly.assemble`): ``model.library`` is the run's
   material library, ``model.state`` what the core published (:mod:`ssefem.state`, e.g.
   :data:`ssefem.cell_state.CAPACITY`); the terms hook also adds step limiters
   (``model.add_step_limiter``) and sweep parameters (``model.add_sweep_parameter``, see
   :mod:`ssefem.controls`);
5. :meth:`Plugin.outputs` at the end of a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ssefem.errors import CaseError

if TYPE_CHECKING:  # pragma: no cover
    from ssefem.case import Case
    from ssefem.materials import Library, Material
    from ssefem.mesh.builder import StackSpec
    from ssefem.model import Model
    from ssefem.scales import Scales
    from ssefem.tabulation import Tabulation


class PluginConfig(BaseModel):
    """Base of a plugin's ``[plugins.<name>]`` table: unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid")


class Plugin:
    """Base class of ssefem plugins. Override the hooks you need.

    Attributes:
        name: the name a case uses under ``[plugins.<name>]``.
        Config: pydantic model of the plugin's table.
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = "0"
    description: ClassVar[str] = ""
    Config: ClassVar[type[PluginConfig]] = PluginConfig
    #: where the hooks run among the components (a plugin's hooks run after every component's)
    order: ClassVar[int] = 100

    def __init__(self, config: PluginConfig | None = None):
        self.config = config if config is not None else self.Config()

    def scales(self, case: Case, library: Library) -> Scales | None:
        """The model's reference scales, for the one component that sets them."""
        return None

    def materials(self) -> list[Material]:
        """Extra material-library entries."""
        return []

    def validate(self, case: Case, library: Library) -> None:
        """Check the plugin's table against the case and the material library (its materials
        added) before anything is meshed; raise with :meth:`invalid` (or a ``ValueError``,
        reported under ``plugins.<name>``)."""

    def invalid(self, key: str, message: str) -> None:
        """Refuse the case: raises the one-line error ``plugins.<name>.<key>: <message>``."""
        raise CaseError(f"plugins.{self.name}.{key}" if key else f"plugins.{self.name}",
                        message)

    def sweep_parameters(self, case: Case) -> list[str]:
        """Names of the sweep parameters the plugin adds to the model of ``case`` (in its
        terms hook), declared without a model so that ``ssefem validate`` knows them."""
        return []

    def tabulations(self, case: Case, library: Library) -> list[Tabulation]:
        """Tables the model needs from sub-runs (:mod:`ssefem.tabulation`), known from the case
        before any mesh exists: the runner computes (or finds cached) each one first, and the
        model's hooks read them with :func:`ssefem.tabulation.table`."""
        return []

    def studies(self) -> list[Any]:
        """Protocol step kinds the plugin adds (:class:`ssefem.studies.registry.Study`): each a step
        model and what runs it; ``prepare`` checks a case's steps of those kinds."""
        return []

    def mesh_features(self, gmsh: Any, spec: StackSpec) -> None:
        """Change the gmsh model (rank 0) after the stack is built, before it is meshed."""

    def transports(self, case: Case, library: Library) -> dict[str, Any]:
        """Ion transports (:class:`ssefem.physics.ionics.transport.IonTransport`) for some
        meshed ion-conducting layers, by layer name (the others stay electroneutral). Called
        before the model is built."""
        return {}

    def fields(self, model: Model, case: Case) -> None:
        """Add fields to the model."""

    def terms(self, model: Model, case: Case) -> None:
        """Add named residual terms (bulk or interface) and observables to the model, and step
        limiters and sweep parameters (:mod:`ssefem.controls`)."""

    def outputs(self, results: Any) -> None:
        """Write extra outputs at the end of a run (``results`` is the run's result object)."""
