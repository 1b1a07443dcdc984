"""QLC+ workspaces (.qxw): fixtures, universes, addresses, modes and fixture groups -> a Rig.

A workspace holds no stage positions that cueflow can read, so fixtures are drawn in a row per role
(data/roles.yaml rows) unless its focus file (overlay.py) places them. Groups come from the focus file, then the
workspace's fixture groups; fixtures in none are grouped by fixture type. A dimmer pack (QLC+'s generic dimmer,
or any mode of dimmer channels only) is a set of heads, each levelled on its own. Fixtures and groups keep the
workspace's names (`name`); their ids are slugs of them. QLC+ counts universes and addresses from 0; cueflow
from 1.
"""

from dataclasses import dataclass, replace
from pathlib import Path

from phases.contracts import Fixture, Position, Rig, RigGroup

from .channel_plan import plan_mode
from .definitions import FixtureDefinition, lights, slug
from .errors import RigError
from .generic import generic_dimmer
from .library import FixtureLibrary
from .limits import rig_limits
from .overlay import FixtureOverlay, HeadOverlay, RigOverlay
from .patching import fixture_type, make_fixture, split_heads, unique
from .profiles import UNIVERSE_SIZE, FixtureProfile
from .roles import infer_role, row_position
from .xml_files import load_data, read_xml, text


@dataclass(frozen=True)
class WorkspaceFixture:
    qlc_id: str
    name: str
    manufacturer: str
    model: str
    mode: str | None
    universe: int  # from 1
    address: int  # from 1
    channels: int | None


@dataclass(frozen=True)
class ImportedRig:
    rig: Rig
    profiles: dict[str, FixtureProfile]
    notes: tuple[str, ...]  # fixtures left out, and why
    role_source: dict[str, str]  # group -> how its role was found


def read_workspace(path: Path) -> tuple[list[WorkspaceFixture], list[tuple[str, list[tuple[str, int]]]]]:
    """The workspace's fixtures, and its fixture groups as (name, [(fixture ID, head from 0)])."""
    limits = rig_limits()
    document = read_xml(path, "QLC+ workspace", limits.max_workspace_bytes)
    root = document.root
    if root.tag != "Workspace":
        raise RigError(f"{path}: not a QLC+ workspace (no <Workspace> root element)")
    engine = root.find("Engine")
    if engine is None:
        raise RigError(f"{path}: damaged QLC+ workspace: no <Engine> element")
    elements = engine.findall("Fixture")
    if len(elements) > limits.max_fixtures:
        raise RigError(f"{path}: {len(elements):,} fixtures, over the limit of {limits.max_fixtures:,}")
    fixtures: list[WorkspaceFixture] = []
    seen: dict[str, int | None] = {}
    for index, element in enumerate(elements):
        line = document.line(element)
        label = text(element, "Name") or f"fixture {index + 1}"
        where = f"{path.name}: line {line}: fixture {label!r}"
        manufacturer, model = text(element, "Manufacturer"), text(element, "Model")
        if not manufacturer or not model:
            raise RigError(f"{where} has no Manufacturer or Model")
        numbers = {tag: _whole(text(element, tag), tag, where) for tag in ("ID", "Universe", "Address", "Channels")}
        if numbers["Address"] is None:
            raise RigError(f"{where} has no valid <Address>")
        if numbers["Address"] > 511:
            raise RigError(f"{where}: address {numbers['Address'] + 1} is past channel 512")
        channels = numbers["Channels"]
        if channels is not None and not 1 <= channels <= UNIVERSE_SIZE:
            raise RigError(f"{where}: <Channels> must be 1 to {UNIVERSE_SIZE}, a fixture's footprint in one universe")
        universe = numbers["Universe"] or 0
        if not 0 <= universe < 63999:
            raise RigError(f"{where}: universe {universe + 1} is outside 1..63999")
        qlc_id = str(numbers["ID"] if numbers["ID"] is not None else index)
        if qlc_id in seen:
            raise RigError(f"{where}: <ID> {qlc_id} is also the ID of the fixture at line {seen[qlc_id]}")
        seen[qlc_id] = line
        fixtures.append(
            WorkspaceFixture(
                qlc_id, label, manufacturer, model, text(element, "Mode"), universe + 1, numbers["Address"] + 1, channels,
            )
        )  # fmt: skip
    groups: list[tuple[str, list[tuple[str, int]]]] = []
    for element in engine.findall("FixtureGroup"):
        name = text(element, "Name") or f"group {element.get('ID', len(groups) + 1)}"
        members = []
        for head in element.findall("Head"):
            try:
                index = int((head.text or "0").strip())
            except ValueError:
                index = 0
            if head.get("Fixture"):
                members.append((head.get("Fixture", ""), max(0, index)))
        groups.append((name, list(dict.fromkeys(members))))
    return fixtures, groups


def _whole(raw: str | None, tag: str, where: str) -> int | None:
    """A workspace's number: absent (None) or a non-negative whole number (the callers check its range)."""
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise RigError(f"{where}: <{tag}> is not a whole number of 0 or more")
    if len(raw) > 12:
        raise RigError(f"{where}: <{tag}> has {len(raw):,} digits, far out of range")
    return int(raw)


@dataclass(frozen=True)
class _Unit:
    """One thing cueflow levels: a workspace fixture, or one head of a dimmer pack."""

    key: tuple[str, int | None]  # (QLC+ fixture ID, head from 0 for a pack's head)
    wf: WorkspaceFixture
    name: str
    profile: FixtureProfile
    kind: str
    address: int


def import_workspace(
    path: Path, library: FixtureLibrary, overlay: RigOverlay | None = None, overlay_name: str = ""
) -> ImportedRig:
    found, qlc_groups = read_workspace(path)
    if not found:
        raise RigError(f"{path}: the workspace has no fixtures: an empty rig")
    overlay = overlay or RigOverlay()
    by_name = {wf.name: wf for wf in found}
    for name in overlay.fixtures:
        if name not in by_name:
            raise RigError(f"{overlay_name}: fixture {name!r} is not in {path.name}")
    notes: list[str] = []
    units: list[_Unit] = []
    for wf in found:
        profile, kind = _profile(wf, library)
        plan = plan_mode(profile)
        if not plan.sendable:
            why = next((n for n in plan.notes if "no safe value" in n), "a channel has no safe value")
            notes.append(f"{wf.name}: left out, cueflow cannot send it anything safe: {why}")
            continue
        if not lights(profile):
            notes.append(f"{wf.name}: {wf.manufacturer} {wf.model} has no dimmer or colour channels; left out")
            continue
        if wf.address + profile.footprint - 1 > 512:
            end = wf.address + profile.footprint - 1
            raise RigError(
                f"fixture {wf.name}: universe {wf.universe} address {wf.address} + {profile.footprint} channels ends at {end}, "
                "past channel 512"
            )
        heads = split_heads(profile)
        given = overlay.fixtures.get(wf.name)
        if given is not None and given.heads and heads is None:
            raise RigError(f"{overlay_name}: fixture {wf.name!r} is not a dimmer pack: it has no heads to set")
        if heads is None:
            units.append(_Unit((wf.qlc_id, None), wf, wf.name, profile, kind, wf.address))
            continue
        for number in (given.heads if given else {}):
            if not 1 <= number <= len(heads):
                raise RigError(f"{overlay_name}: {wf.name!r} has heads 1-{len(heads)}, not {number}")
        for index, head in enumerate(heads):
            units.append(_Unit((wf.qlc_id, index), wf, f"{wf.name} / {index + 1}", head, kind, wf.address + index))
    if not units:
        raise RigError(f"{path}: no fixture in the workspace can be lit (an empty rig)")
    if len(units) > rig_limits().max_fixtures:  # a dimmer pack's heads are fixtures of their own
        raise RigError(f"{path}: {len(units):,} fixtures and pack heads, over the limit of {rig_limits().max_fixtures:,}")
    named: dict[str, FixtureProfile] = {}
    for index, unit in enumerate(units):
        units[index] = replace(unit, profile=unique(unit.profile, named))
        named[units[index].profile.name] = units[index].profile
    group_of = _membership(units, qlc_groups, overlay)
    unknown = set(overlay.groups) - set(group_of.values())
    if unknown:
        raise RigError(f"{overlay_name}: group {sorted(unknown)[0]!r} is neither in {path.name} nor given to a fixture")
    names = list(dict.fromkeys(group_of[u.key] for u in units))
    group_ids = _ids(names, group=True)
    fixture_ids = _ids([u.name for u in units], group=False)
    drafts: dict[str, list[Fixture]] = {}
    placed: dict[str, Position | None] = {}
    for unit in units:
        fixture_id = fixture_ids[unit.name]
        placed[fixture_id] = _placed(unit, overlay)
        drafts.setdefault(group_of[unit.key], []).append(
            _fixture(unit, fixture_id, group_ids[group_of[unit.key]], placed[fixture_id], overlay)
        )
    groups: list[RigGroup] = []
    how: dict[str, str] = {}
    profiles = {u.profile.name: u.profile for u in units}
    for name in names:
        given_group = overlay.groups.get(name)
        if given_group is not None and given_group.role is not None:
            role, how[group_ids[name]] = given_group.role, "given in the focus file"
        else:
            role, source = infer_role(name, drafts[name], profiles, positioned=False)
            how[group_ids[name]] = f"inferred from {source}"
        described = given_group.description if given_group and given_group.description else f"{name} (QLC+ workspace)"
        groups.append(RigGroup(group_id=group_ids[name], description=described, role=role, name=name))
    role_of = {g.name: g.role for g in groups}
    fixtures: list[Fixture] = []
    for name in names:
        members = drafts[name]
        for index, draft in enumerate(members):
            position = placed[draft.fixture_id] or row_position(role_of[name] or "key", index, len(members))
            fixtures.append(draft.model_copy(update={"position": position}))
    order = {fixture_ids[u.name]: i for i, u in enumerate(units)}
    fixtures.sort(key=lambda f: order[f.fixture_id])
    fixtures = [f.model_copy(update={"fixture_number": i + 1}) for i, f in enumerate(fixtures)]
    rig = Rig(name=path.stem, groups=groups, fixtures=fixtures, focus_points=overlay.focus_points)
    return ImportedRig(rig, profiles, tuple(notes), how)


def _membership(
    units: list[_Unit], qlc_groups: list[tuple[str, list[tuple[str, int]]]], overlay: RigOverlay
) -> dict[tuple[str, int | None], str]:
    """Unit -> group name: the focus file's, else the workspace's first group holding it, else its type's."""
    keys = {u.key for u in units}
    split = {u.key[0] for u in units if u.key[1] is not None}
    group_of: dict[tuple[str, int | None], str] = {}
    for unit in units:
        given = overlay.fixtures.get(unit.wf.name)
        if given is None:
            continue
        head = given.heads.get((unit.key[1] or 0) + 1) if unit.key[1] is not None else None
        chosen = (head.group if head else None) or given.group
        if chosen:
            group_of[unit.key] = chosen
    for name, members in qlc_groups:
        for qlc_id, head in members:
            key = (qlc_id, head) if qlc_id in split else (qlc_id, None)
            if key in keys and key not in group_of:
                group_of[key] = name
    named: dict[str, str] = load_data("qlcplus")["type_groups"]  # type: ignore[assignment]
    for unit in units:
        group_of.setdefault(unit.key, named.get(unit.kind, unit.kind.replace("_", " ")))
    return group_of


def _profile(wf: WorkspaceFixture, library: FixtureLibrary) -> tuple[FixtureProfile, str]:
    generic = load_data("qlcplus")["generic_dimmer"]
    if (wf.manufacturer, wf.model) == (generic["manufacturer"], generic["model"]):  # type: ignore[index]
        if not 1 <= (wf.channels or 1) <= 512:
            raise RigError(f"{wf.name}: a generic dimmer of {wf.channels} channels (1 to 512)")
        return generic_dimmer(wf.channels or 1, wf.mode), "dimmer"
    try:
        definition: FixtureDefinition = library.find(wf.manufacturer, wf.model)
        profile = definition.profile(wf.mode)
    except RigError as exc:
        raise RigError(f"{wf.name}: {exc}") from None
    if wf.channels is not None and wf.channels != profile.footprint:
        raise RigError(
            f"{wf.name}: the workspace gives {wf.channels} channels, but mode {profile.mode!r} of "
            f"{wf.manufacturer} {wf.model} has {profile.footprint}"
        )
    return profile, fixture_type(definition)


def _given(unit: _Unit, overlay: RigOverlay) -> tuple[FixtureOverlay | None, HeadOverlay | None]:
    given = overlay.fixtures.get(unit.wf.name)
    head = given.heads.get(unit.key[1] + 1) if given is not None and unit.key[1] is not None else None
    return given, head


def _placed(unit: _Unit, overlay: RigOverlay) -> Position | None:
    """Where the focus file puts it (a head's own position first); None: drawn in its role's row."""
    given, head = _given(unit, overlay)
    return (head.position if head else None) or (given.position if given else None)


def _fixture(unit: _Unit, fixture_id: str, group_id: str, placed: Position | None, overlay: RigOverlay) -> Fixture:
    given, head = _given(unit, overlay)
    is_head = unit.key[1] is not None
    fixture = make_fixture(
        fixture_id=fixture_id, group_id=group_id, profile=unit.profile, kind=unit.kind,
        position=placed or Position(x=0, y=0, z=0), universe=unit.wf.universe, address=unit.address, number=None,
        focus_area=(head.focus_area if head else None) or (given.focus_area if given else None),
    )  # fmt: skip
    own = (head.name if head else None) or (given.name if given and not is_head else None)
    return fixture.model_copy(
        update={
            "name": own or unit.name,
            "mounting": given.mounting if given is not None and placed is not None else None,
            "focus": given.focus if given is not None else {},
            "unit": unit.wf.name if is_head else None,
            "head": unit.key[1] + 1 if unit.key[1] is not None else None,
        }
    )


def _ids(names: list[str], group: bool) -> dict[str, str]:
    """A slug id for each name, unique (group ids start with a letter)."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        if name in ids:
            continue
        base = slug(name)
        if group and not base[0].isalpha():
            base = f"g_{base}"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        ids[name] = candidate
    return ids
