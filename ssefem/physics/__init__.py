"""Physics: named residual terms and the layer/interface builders of the electroneutral cell.

``LAYER_PHYSICS`` maps a material kind to the builder of that layer's fields and terms;
``interface_physics`` picks the interface law from the two sides' roles. Plugins add terms to the
model after these builders ran, without editing them.
"""

from ssefem.physics.cell import build_cell_model
from ssefem.physics.electrode import Electrode

__all__ = ["Electrode", "build_cell_model"]
