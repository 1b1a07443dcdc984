"""Read a finished output folder: the cue list, the scenes and the rig the plan was made for."""

import json
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from phases.contracts import Colour, LightingInstruction, Rig, Scene
from phases.contracts.validation import field_error
from phases.hardware.profiles import FixtureProfile
from phases.rig import RigError, default_rig_path, load_rig

from .errors import ExportError

PLAN_FILE = "lighting_instructions.json"
SCENES_FILE = "scenes.json"
RESULT_FILE = "result.json"
# The knowledge's own files, read directly: phases.knowledge's loader also parses the rules and imports
# retrieval, which is most of an export's time and none of its needs.
KNOWLEDGE_DATA = Path(__file__).parent.parent / "knowledge" / "data"
YamlLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Plan:
    """Everything an export needs, validated: cues in cue-number order."""

    name: str
    cues: list[LightingInstruction]
    scenes: dict[str, Scene]
    rig: Rig
    colours: dict[str, Colour]
    profiles: dict[str, FixtureProfile]  # channel layouts: the hand-written ones plus the rig's own definitions


def _read_json(path: Path) -> object:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: cannot read ({type(exc).__name__})") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ExportError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise ExportError(f"{path}: invalid JSON (nested too deeply)") from None


def _validate(path: Path, adapter: TypeAdapter[object], data: object, what: str) -> object:
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        where, message = field_error(exc)
        raise ExportError(f"{path}: not {what}: field {where}: {message}") from None


def _read_yaml(path: Path) -> object:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=YamlLoader)  # noqa: S506 (a safe loader)
    except (OSError, UnicodeDecodeError) as exc:
        raise ExportError(f"{path}: cannot read ({type(exc).__name__})") from None
    except yaml.YAMLError as exc:
        raise ExportError(f"{path}: invalid YAML ({exc.__class__.__name__})") from None


def load_colours(directory: Path = KNOWLEDGE_DATA) -> dict[str, Colour]:
    path = directory / "colours.yaml"
    colours = _validate(path, TypeAdapter(list[Colour]), _read_yaml(path), "a colour table")
    assert isinstance(colours, list)
    return {c.name: c for c in colours}


def load_rig_file(path: Path, colours: dict[str, Colour]) -> tuple[Rig, dict[str, FixtureProfile]]:
    """A rig file (cueflow YAML or a QLC+ workspace) with its channel layouts, its gels in the colour table."""
    try:
        loaded = load_rig(path)
    except RigError as exc:
        raise ExportError(str(exc)) from None
    for fixture in loaded.rig.fixtures:
        if fixture.fixed_color and fixture.fixed_color not in colours:
            raise ExportError(f"{path}: fixture {fixture.fixture_id}: colour {fixture.fixed_color!r} is not in the colour table")
    return loaded.rig, loaded.profiles


def _recorded(directory: Path) -> dict[str, object]:
    """The run's result.json, when there is a readable one: it names the script."""
    path = directory / RESULT_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _show_name(directory: Path) -> str:
    script = _recorded(directory).get("script")
    return Path(script).stem if isinstance(script, str) and script else directory.resolve().name


def load_plan(directory: Path, rig_path: Path | None = None) -> Plan:
    """The plan in `directory` with its scenes (optional) and its rig: `rig_path`, else the bundled rig."""
    if not directory.is_dir():
        raise ExportError(f"{directory}: not a directory")
    plan_path = directory / PLAN_FILE
    if not plan_path.is_file():
        raise ExportError(f"{plan_path}: not found (run `cueflow run SCRIPT --out {directory}` first)")
    cues = _validate(plan_path, TypeAdapter(list[LightingInstruction]), _read_json(plan_path), "a lighting plan")
    assert isinstance(cues, list)
    if not cues:
        raise ExportError(f"{plan_path}: the plan has no cues")
    cues.sort(key=lambda c: c.cue_number)
    numbers = [c.cue_number for c in cues]
    duplicate = next((n for a, n in zip(numbers, numbers[1:], strict=False) if a == n), None)
    if duplicate is not None:
        raise ExportError(f"{plan_path}: cue {duplicate:g} appears twice")
    scenes: dict[str, Scene] = {}
    scenes_path = directory / SCENES_FILE
    if scenes_path.is_file():
        parsed = _validate(scenes_path, TypeAdapter(list[Scene]), _read_json(scenes_path), "a scene list")
        assert isinstance(parsed, list)
        scenes = {s.scene_id: s for s in parsed}
    colours = load_colours()
    chosen = rig_path or default_rig_path()
    rig, profiles = load_rig_file(chosen, colours)
    return Plan(name=_show_name(directory), cues=cues, scenes=scenes, rig=rig, colours=colours, profiles=profiles)
