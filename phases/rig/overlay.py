"""What a QLC+ workspace cannot say, in a YAML file of its own: `<workspace>.focus.yaml` beside the `.qxw`, read
with it, or a cueflow YAML rig with `workspace: FILE.qxw` (then that file is the rig).

    workspace: Sample.qxw               # only in a YAML rig that overlays a workspace
    focus_points: {throne: {x: 2.0, y: 3.5, z: 1.2}}   # named positions, beside the standard acting areas
    groups:                             # by the workspace's group name (or the type group: "dimmer")
      Stairville Led Par: {role: back}
    fixtures:                           # by the workspace's fixture name
      "DJScan250 #1":
        focus: {DSL: {pan: -30, tilt: 20}, DC: {pan: 0, tilt: 25}}   # degrees from home, as focused
        focus_area: DC                  # where it points when the cue names no focus
        position: {x: -2, y: -1, z: 5}  # with mounting: pan and tilt computed for every focus point
        mounting: {orientation: hung}
      "6 ch Dimmer #1":
        heads: {1: {group: Front, focus_area: DSL}, 2: {group: Front, focus_area: DC}}
        group: Front                    # the whole unit (a group named here that the workspace lacks is new)
"""

from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from phases.contracts import Aim, Mounting, Position
from phases.contracts.rig import GroupRole
from phases.contracts.validation import field_error
from phases.data_files import parse_yaml
from phases.regular_file import FileProblem, read_regular_file

from .errors import RigError

MAX_OVERLAY_BYTES = 1024 * 1024
SUFFIX = ".focus.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HeadOverlay(_Strict):
    group: str | None = Field(default=None, min_length=1, max_length=120)
    focus_area: str | None = Field(default=None, min_length=1, max_length=60)
    name: str | None = Field(default=None, min_length=1, max_length=120)
    position: Position | None = None


class FixtureOverlay(HeadOverlay):
    mounting: Mounting | None = None
    focus: dict[str, Aim] = Field(default_factory=dict, max_length=200)
    heads: dict[int, HeadOverlay] = Field(default_factory=dict, max_length=512)


class GroupOverlay(_Strict):
    role: GroupRole | None = None
    description: str | None = Field(default=None, max_length=240)


class RigOverlay(_Strict):
    """A workspace's roles, focus and heads: the file a lighting designer writes beside a .qxw."""

    workspace: str | None = Field(default=None, min_length=1, max_length=4096)
    focus_points: dict[str, Position] = Field(default_factory=dict, max_length=200)
    groups: dict[str, GroupOverlay] = Field(default_factory=dict, max_length=500)
    fixtures: dict[str, FixtureOverlay] = Field(default_factory=dict, max_length=4000)


def beside(workspace: Path) -> Path:
    """The focus file read with a workspace: Sample.qxw -> Sample.focus.yaml."""
    return workspace.with_name(workspace.stem + SUFFIX)


def read_overlay(path: Path) -> RigOverlay:
    try:  # a regular file only: a FIFO named *.focus.yaml must not hang the load
        raw = read_regular_file(path, MAX_OVERLAY_BYTES)
    except FileProblem as exc:
        raise RigError(f"{path}: the focus file {exc.reason}") from None
    try:
        text = raw.decode("utf-8")
        if any(isinstance(event, yaml.AliasEvent) for event in yaml.parse(text)):
            raise RigError(f"{path.name}: the focus file uses YAML aliases (*name), which cueflow refuses")
        data = parse_yaml(text)
    except UnicodeDecodeError:
        raise RigError(f"{path.name}: the focus file is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RigError(f"{path.name}: invalid YAML{f' at line {mark.line + 1}' if mark else ''}") from None
    try:
        return RigOverlay.model_validate(data or {})
    except ValidationError as exc:
        where, message = field_error(exc)
        raise RigError(f"{path.name}: field {where}: {message}") from None


def is_overlay(data: object) -> bool:
    """A cueflow YAML rig that names a workspace is an overlay on it."""
    return isinstance(data, dict) and "workspace" in data
