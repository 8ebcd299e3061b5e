"""Physics: named residual terms and the builders that add them to a model, by concern.

- :mod:`~ssefem.physics.electrochemistry`: electrode layers (``LAYER_PHYSICS`` maps a material
  kind to its builder), Butler-Volmer kinetics, terminals, thin coatings, stability windows;
- :mod:`~ssefem.physics.ionics`: the ion conductors' transport
  (:class:`~ssefem.physics.ionics.transport.IonTransport`, electroneutral by default; plugins
  bring others, such as the space-charge plugin's Nernst-Planck-Poisson), conduction terms and
  potential jumps across interior facets;
- :mod:`~ssefem.physics.mechanics`: elasticity, contact, creep, and their coupling to the stack;
- :mod:`~ssefem.physics.cell` assembles them for a case; :mod:`~ssefem.physics.handles` names
  what it publishes in the model state; :mod:`~ssefem.physics.components` registers
  them as the built-in components.

Plugins add terms to the model after these builders ran, without editing them.
"""

from ssefem.physics.components import build_cell_model
from ssefem.physics.electrochemistry.electrode import Electrode

__all__ = ["Electrode", "build_cell_model"]
