"""Write meshes/stack_2d.msh with ssefem's own builder (an example of a user mesh)."""

from pathlib import Path

import gmsh

from ssefem.mesh.builder import StackSpec, build_stack_model

spec = StackSpec(("cathode", "electrolyte", "anode"), (2.0, 1.5, 3.0), (16, 8, 3),
                 (1.0, 1.0, 1.0), dimension=2, width=2.0, lateral_cells=2)
gmsh.initialize()
gmsh.option.setNumber("General.Terminal", 0)
build_stack_model(gmsh, spec)
gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
gmsh.write(str(Path(__file__).with_name("stack_2d.msh")))
gmsh.finalize()
