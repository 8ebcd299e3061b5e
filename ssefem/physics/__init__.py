"""Physics: named residual terms and the builders that add them to a model.

``LAYER_PHYSICS`` maps an electrode material's kind to the builder of its fields and terms; each
ion-conducting layer gets its bulk terms from its :class:`~ssefem.physics.transport.IonTransport`
(electroneutral by default, Nernst-Planck-Poisson where a plugin asks for it); interface laws
(Butler-Volmer with the transport's ion activity, electrode contacts, junctions, thin layers) are
added by :func:`build_cell_model`. Plugins add terms to the model after these builders ran,
without editing them.
"""

from ssefem.physics.cell import build_cell_model
from ssefem.physics.electrode import Electrode
from ssefem.physics.tabulations import tabulations

__all__ = ["Electrode", "build_cell_model", "tabulations"]
