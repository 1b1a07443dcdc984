"""The project's own rig YAML (phases/rig/data/rig.yaml is the default).

Beyond the Rig contract it accepts, per fixture, a real definition instead of a hand-written profile:
`manufacturer` + `model` (looked up in the fixture library) or `definition: FILE` (.qxf or OFL .json, relative
to the rig file), with the mode in `patch.mode`; then `patch.profile` and `capabilities` may be left out.
A top-level `fixture_library: [DIR, ...]` adds folders to search. Group roles may be left out (inferred).
A dimmer pack (a mode of dimmer channels only) becomes its heads, `<fixture_id>_1`, `_2`..., each levelled on
its own; `heads: [{focus_area, group_id, name, position}]` places them. `focus_points: {NAME: {x, y, z}}`
names where movers may point (default: the standard acting areas, data/stage.yaml); a mover's `mounting`
(hung or standing, default by height) lets cueflow compute its pan and tilt for each.
"""

from pathlib import Path

import yaml
from pydantic import ValidationError

from phases.contracts import Rig

from .definitions import FixtureDefinition, capabilities
from .errors import RigError
from .library import FixtureLibrary, read_definition
from .patching import DEFAULT_WHITE, WHITE_FOR_TYPE, fixture_type, split_heads, unique
from .profiles import FixtureProfile

MAX_YAML_BYTES = 4 * 1024 * 1024


def _load(path: Path) -> tuple[object, yaml.Node | None]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RigError(f"{path}: rig file not found") from None
    except OSError as exc:
        raise RigError(f"{path}: cannot read the rig file ({exc.strerror})") from None
    if len(raw) > MAX_YAML_BYTES:
        raise RigError(f"{path}: rig file larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB")
    try:
        content = raw.decode("utf-8")
        return yaml.safe_load(content), yaml.compose(content)
    except UnicodeDecodeError:
        raise RigError(f"{path}: the rig file is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RigError(f"{path.name}: invalid YAML{where}") from None


def _line(node: yaml.Node | None, loc: tuple[object, ...]) -> int | None:
    """The 1-based line of the deepest node on `loc` in the composed YAML."""
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def read_yaml_rig(path: Path, library_dirs: tuple[Path, ...] = ()) -> tuple[Rig, dict[str, FixtureProfile]]:
    data, tree = _load(path)
    if data is None or data == {}:
        raise RigError(f"{path.name}: the rig file is empty")
    if not isinstance(data, dict):
        raise RigError(f"{path.name}: a rig file is a mapping with name, groups and fixtures")
    extra = data.pop("fixture_library", None) or []
    if not isinstance(extra, list):
        raise RigError(f"{path.name}: fixture_library must be a list of folders")
    if not data.get("fixtures"):
        raise RigError(f"{path.name}: the rig has no fixtures (an empty rig)")
    library = FixtureLibrary((*(path.parent / str(d) for d in extra), *library_dirs), beside=path.parent)
    profiles: dict[str, FixtureProfile] = {}
    fixtures = data.get("fixtures")
    if isinstance(fixtures, list):
        expanded: list[object] = []
        for index, item in enumerate(fixtures):
            if isinstance(item, dict) and (item.get("definition") or item.get("manufacturer")):
                where = (
                    f"{path.name}: line {_line(tree, ('fixtures', index)) or '?'}: fixture {item.get('fixture_id', index + 1)}"
                )
                profile = _resolve(item, path.parent, library, profiles, where)
                heads = split_heads(profile)
                if heads is not None:
                    expanded += _heads(item, heads, profiles, where)
                    continue
            expanded.append(item)
        data["fixtures"] = fixtures = expanded
    try:
        rig = Rig.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        line = _line(tree, loc)
        who = ""
        if len(loc) > 1 and loc[0] == "fixtures" and isinstance(loc[1], int) and isinstance(fixtures, list):
            entry = fixtures[loc[1]] if loc[1] < len(fixtures) else None
            who = f" (fixture {entry.get('fixture_id')})" if isinstance(entry, dict) else ""
        field = ".".join(str(p) for p in loc) or "(root)"
        at = f"line {line}: " if line else ""
        raise RigError(f"{path.name}: {at}field {field}{who}: {first['msg']}") from None
    return rig, profiles


def _heads(
    item: dict[str, object], heads: list[FixtureProfile], profiles: dict[str, FixtureProfile], where: str
) -> list[dict[str, object]]:
    """A dimmer pack's heads, each a fixture of its own (`<fixture_id>_<n>`); `heads: [{focus_area, group_id,
    name, position}, ...]` sets them one by one."""
    given = item.pop("heads", None) or []
    if not isinstance(given, list) or len(given) > len(heads) or not all(isinstance(h, dict) for h in given):
        raise RigError(f"{where}: heads must be a list of at most {len(heads)} mappings (one per head)")
    patch = item["patch"]
    assert isinstance(patch, dict)
    unit = str(item.get("name") or item.get("fixture_id"))
    out = []
    for index, head in enumerate(heads):
        profiles[head.name] = head
        own = given[index] if index < len(given) else {}
        unknown = set(own) - {"focus_area", "group_id", "name", "position"}
        if unknown:
            raise RigError(f"{where}: head {index + 1}: unknown field {sorted(unknown)[0]!r}")
        address = patch.get("address")
        out.append(
            {
                **item, **own,
                "fixture_id": f"{item.get('fixture_id')}_{index + 1}",
                "name": own.get("name") or f"{unit} / {index + 1}",
                "unit": unit, "head": index + 1,
                "patch": {**patch, "profile": head.name, "address": address + index if isinstance(address, int) else address},
            }
        )  # fmt: skip
    return out


def _resolve(
    item: dict[str, object], folder: Path, library: FixtureLibrary, profiles: dict[str, FixtureProfile], where: str
) -> FixtureProfile:
    patch = item.get("patch")
    if not isinstance(patch, dict):
        raise RigError(f"{where}: needs a patch (universe, address, mode)")
    try:
        definition: FixtureDefinition
        if item.get("definition"):
            definition = read_definition(folder / str(item.pop("definition")))
        else:
            definition = library.find(str(item.get("manufacturer")), str(item.get("model")))
        profile = definition.profile(patch.get("mode") if isinstance(patch.get("mode"), str) else None)  # type: ignore[arg-type]
    except RigError as exc:
        raise RigError(f"{where}: {exc}") from None
    profile = unique(profile, profiles)
    profiles[profile.name] = profile
    patch["profile"], patch["mode"] = profile.name, profile.mode
    item["manufacturer"], item["model"] = definition.manufacturer, definition.model
    item.setdefault("fixture_type", fixture_type(definition))
    item.setdefault("capabilities", capabilities(profile))
    if "color" not in item["capabilities"]:  # type: ignore[operator]
        item.setdefault("fixed_color", WHITE_FOR_TYPE.get(str(item["fixture_type"]), DEFAULT_WHITE))
    return profile
