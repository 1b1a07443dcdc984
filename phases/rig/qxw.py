"""QLC+ workspaces (.qxw): fixtures, universes, addresses, modes and fixture groups -> a Rig.

A workspace holds no stage positions that cueflow can read, so fixtures are drawn in a row per role
(data/roles.yaml rows). Groups come from the workspace's fixture groups; fixtures in none are grouped by
fixture type. QLC+ counts universes and addresses from 0; cueflow from 1.
"""

from dataclasses import dataclass
from pathlib import Path

from phases.contracts import Fixture, Rig, RigGroup
from phases.hardware.patch import UNIVERSE_SIZE
from phases.hardware.profiles import FixtureProfile

from .definitions import FixtureDefinition, lights, slug
from .errors import RigError
from .generic import generic_dimmer
from .library import FixtureLibrary
from .limits import rig_limits
from .patching import fixture_type, make_fixture
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


def read_workspace(path: Path) -> tuple[list[WorkspaceFixture], list[tuple[str, list[str]]]]:
    limits = rig_limits()
    document = read_xml(path, "QLC+ workspace", limits.max_workspace_bytes)
    root = document.root
    if root.tag != "Workspace":
        raise RigError(f"{path}: not a QLC+ workspace (root element <{root.tag}>)")
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
    groups: list[tuple[str, list[str]]] = []
    for element in engine.findall("FixtureGroup"):
        name = text(element, "Name") or f"group {element.get('ID', len(groups) + 1)}"
        members = list(dict.fromkeys(h.get("Fixture", "") for h in element.findall("Head") if h.get("Fixture")))
        groups.append((name, members))
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


def import_workspace(path: Path, library: FixtureLibrary) -> ImportedRig:
    found, qlc_groups = read_workspace(path)
    if not found:
        raise RigError(f"{path}: the workspace has no fixtures: an empty rig")
    profiles: dict[str, FixtureProfile] = {}
    kinds: dict[str, str] = {}
    profile_of: dict[str, FixtureProfile] = {}
    notes: list[str] = []
    usable: list[WorkspaceFixture] = []
    for wf in found:
        profile, kind = _profile(wf, library)
        if not lights(profile):
            notes.append(f"{wf.name}: {wf.manufacturer} {wf.model} has no dimmer or colour channels; left out")
            continue
        profiles[profile.name] = profile
        profile_of[wf.qlc_id] = profile
        kinds[wf.qlc_id] = kind
        usable.append(wf)
    if not usable:
        raise RigError(f"{path}: no fixture in the workspace can be lit (an empty rig)")
    ids = _fixture_ids(usable)
    membership: dict[str, str] = {}
    names: dict[str, str] = {}
    for name, members in qlc_groups:
        group_id = _group_id(name, names)
        for member in members:
            if member in kinds and member not in membership:
                membership[member] = group_id
                names[group_id] = name
    for wf in usable:  # fixtures in no group: grouped by type
        if wf.qlc_id not in membership:
            group_id = _group_id(kinds[wf.qlc_id], names, reuse=True)
            membership[wf.qlc_id] = group_id
            names[group_id] = kinds[wf.qlc_id].replace("_", " ")
    groups: list[RigGroup] = []
    fixtures: list[Fixture] = []
    how: dict[str, str] = {}
    for group_id, name in names.items():
        members = [wf for wf in usable if membership[wf.qlc_id] == group_id]
        if not members:
            continue
        drafts = [_fixture(wf, ids[wf.qlc_id], group_id, profile_of[wf.qlc_id], kinds[wf.qlc_id], "key", 0, 1) for wf in members]
        role, source = infer_role(name, drafts, positioned=False)
        how[group_id] = f"inferred from its {source}"
        groups.append(RigGroup(group_id=group_id, description=f"{name} (QLC+ group; role from its {source})", role=role))
        for index, wf in enumerate(members):
            fixtures.append(
                _fixture(wf, ids[wf.qlc_id], group_id, profile_of[wf.qlc_id], kinds[wf.qlc_id], role, index, len(members))
            )
    order = {wf.qlc_id: i for i, wf in enumerate(usable)}
    by_id = {ids[q]: q for q in ids}
    fixtures.sort(key=lambda f: order[by_id[f.fixture_id]])
    fixtures = [f.model_copy(update={"fixture_number": i + 1}) for i, f in enumerate(fixtures)]
    rig = Rig(name=path.stem, groups=groups, fixtures=fixtures)
    return ImportedRig(rig, profiles, tuple(notes), how)


def _profile(wf: WorkspaceFixture, library: FixtureLibrary) -> tuple[FixtureProfile, str]:
    generic = load_data("qlcplus")["generic_dimmer"]
    if (wf.manufacturer, wf.model) == (generic["manufacturer"], generic["model"]):  # type: ignore[index]
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


def _fixture(
    wf: WorkspaceFixture, fixture_id: str, group_id: str, profile: FixtureProfile, kind: str,
    role: str, index: int, count: int,
) -> Fixture:  # fmt: skip
    return make_fixture(
        fixture_id=fixture_id, group_id=group_id, profile=profile, kind=kind,
        position=row_position(role, index, count), universe=wf.universe, address=wf.address, number=None,  # type: ignore[arg-type]
    )  # fmt: skip


def _fixture_ids(fixtures: list[WorkspaceFixture]) -> dict[str, str]:
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for wf in fixtures:
        base = slug(wf.name)
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        ids[wf.qlc_id] = candidate
    return ids


def _group_id(name: str, taken: dict[str, str], reuse: bool = False) -> str:
    base = slug(name)
    base = base if base[0].isalpha() else f"g_{base}"
    if reuse:
        return base
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate
