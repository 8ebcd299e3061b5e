"""Meshes: gmsh builders for layered stacks and their conversion to tagged DOLFINx meshes."""

from ssefem.mesh.builder import StackSpec, build_stack_model
from ssefem.mesh.regions import Regions, load_regions

__all__ = ["Regions", "StackSpec", "build_stack_model", "load_regions"]
