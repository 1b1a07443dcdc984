"""Bring your own rig: cueflow YAML and QLC+ workspaces, with channel layouts from real fixture definitions
(QLC+ .qxf and Open Fixture Library JSON), group roles inferred when the rig does not give them."""

from .definitions import FixtureDefinition
from .errors import RigError
from .library import FixtureLibrary, read_definition
from .loading import LoadedRig, default_rig_path, load_rig

__all__ = ["FixtureDefinition", "FixtureLibrary", "LoadedRig", "RigError", "default_rig_path", "load_rig", "read_definition"]
