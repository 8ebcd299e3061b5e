"""Case files: the schema (:mod:`.schema`), reading and writing TOML (:mod:`.tomlio`), one-line
error messages (:mod:`.messages`) and unit hints (:mod:`.hints`)."""

from ssefem.case.schema import (
    Case,
    Contact,
    Geometry,
    Initial,
    Interface,
    Layer,
    Mechanics,
    Output,
    Protocol,
    Solver,
    Step,
    Void,
)
from ssefem.case.tomlio import case_from_dict, dump_toml, load_case, parse_toml

__all__ = ["Case", "Contact", "Geometry", "Initial", "Interface", "Layer", "Mechanics", "Output",
           "Protocol", "Solver", "Step", "Void", "case_from_dict", "dump_toml", "load_case",
           "parse_toml"]
