"""Group roles (key, back, side, special, atmosphere, practical) inferred when a rig does not give them."""

import re
from collections import Counter

from phases.contracts import Fixture, Position, Rig, RigGroup
from phases.contracts.rig import GroupRole

from .channel_plan import plan_mode
from .profiles import FixtureProfile
from .xml_files import load_data


def role_from_name(name: str) -> GroupRole | None:
    words = set(re.split(r"[^a-z]+", name.lower())) - {""}
    for role, keywords in load_data("roles")["keywords"].items():  # type: ignore[attr-defined]
        if words & set(keywords):
            return role  # type: ignore[no-any-return]
    return None


def role_from_fixtures(fixtures: list[Fixture]) -> GroupRole | None:
    types = load_data("roles")["types"]
    votes = Counter(types[f.fixture_type] for f in fixtures if f.fixture_type in types)  # type: ignore[index, operator]
    if votes:
        role, count = votes.most_common(1)[0]
        if count * 2 > len(fixtures):
            return role  # type: ignore[no-any-return]
    return None


def role_from_position(fixtures: list[Fixture]) -> GroupRole:
    limits = load_data("roles")["position"]
    n = len(fixtures) or 1
    x = sum(abs(f.position.x) for f in fixtures) / n
    y = sum(f.position.y for f in fixtures) / n
    z = sum(f.position.z for f in fixtures) / n
    if y >= limits["cyc_y"]:  # type: ignore[index]
        return "atmosphere"
    if x >= limits["side_x"] and z < limits["low_z"]:  # type: ignore[index]
        return "side"
    if y >= limits["upstage_y"] and z >= limits["high_z"]:  # type: ignore[index]
        return "back"
    if y < 0 and z >= limits["high_z"]:  # type: ignore[index]
        return "key"
    return load_data("roles")["default"]  # type: ignore[return-value]


def light_of(fixture: Fixture, profile: FixtureProfile | None) -> str:
    """What light a fixture makes: white (a white emitter, CMY, a gel on a lantern), rgb (red, green and blue
    only), focusable (a mover), or dimmer (an unnamed dimmer channel: its load is unknown)."""
    if profile is None:
        return "white"
    plan = plan_mode(profile)
    if plan.position:
        return "focusable"
    if set(plan.emitters) & {"white", "amber", "lime"} or plan.subtractive:
        return "white"
    if plan.emitters:
        return "rgb"
    return "dimmer" if fixture.fixture_type == "dimmer" else "white"


def role_from_light(fixtures: list[Fixture], profiles: dict[str, FixtureProfile]) -> tuple[GroupRole, str] | None:
    table: dict[str, GroupRole] = load_data("roles")["by_light"]  # type: ignore[assignment]
    votes = Counter(light_of(f, profiles.get(f.patch.profile)) for f in fixtures)
    light, count = votes.most_common(1)[0]
    if light in table and count * 2 > len(fixtures):
        what = {"rgb": "red, green and blue only: no white for faces", "dimmer": "unnamed dimmer channels: their load is unknown"}
        return table[light], f"its light ({what.get(light, light)})"
    return None


def infer_role(
    name: str, fixtures: list[Fixture], profiles: dict[str, FixtureProfile] | None = None, positioned: bool = True
) -> tuple[GroupRole, str]:
    """(role, how it was found): by the group's name, its fixture types, the light they make, or where it hangs.
    An RGB-only colour changer or an unnamed dimmer is never the key by default."""
    by_name = role_from_name(name)
    if by_name:
        return by_name, "its name"
    by_type = role_from_fixtures(fixtures)
    if by_type:
        return by_type, "its fixture type"
    by_light = role_from_light(fixtures, profiles or {}) if fixtures else None
    if positioned:
        role = role_from_position(fixtures)
        if role == "key" and by_light is not None:
            return by_light
        return role, "where it hangs"
    if by_light is not None:
        return by_light
    return load_data("roles")["default"], "the default"  # type: ignore[return-value]


def with_roles(rig: Rig, profiles: dict[str, FixtureProfile] | None = None) -> tuple[Rig, dict[str, str]]:
    """The rig with every group's role set; and how each inferred role was found ("given" when the rig said)."""
    how: dict[str, str] = {}
    groups = []
    for group in rig.groups:
        if group.role is not None:
            how[group.group_id] = "given"
            groups.append(group)
            continue
        name = f"{group.name or group.group_id} {group.description}"
        role, source = infer_role(name, rig.fixtures_in(group.group_id), profiles)
        how[group.group_id] = f"inferred from {source}"
        groups.append(group.model_copy(update={"role": role}))
    return rig.model_copy(update={"groups": groups}), how


def stand_in_key(rig: Rig, how: dict[str, str], profiles: dict[str, FixtureProfile]) -> tuple[Rig, dict[str, str]]:
    """A rig with no key (front) light: the group whose light suits faces best lights them (roles.yaml stand_in)."""
    if rig.groups_with_role("key"):
        return rig, how
    order: list[str] = load_data("roles")["stand_in"]  # type: ignore[assignment]

    def fitness(group: RigGroup) -> tuple[int, int]:
        lights = Counter(light_of(f, profiles.get(f.patch.profile)) for f in rig.fixtures_in(group.group_id))
        best = min((order.index(light) for light in lights if light in order), default=len(order))
        return best, -len(rig.fixtures_in(group.group_id))

    chosen = min(rig.groups, key=fitness)
    was = chosen.role
    groups = [g.model_copy(update={"role": "key"}) if g is chosen else g for g in rig.groups]
    how = {**how, chosen.group_id: f"stand-in key: the rig has no front light (its own role, {was}, is left empty)"}
    return rig.model_copy(update={"groups": groups}), how


def missing_roles(rig: Rig, how: dict[str, str]) -> dict[str, str]:
    """Each role the rig lacks (a stand-in key counts as lacking a front light) -> what the design does without it."""
    texts: dict[str, str] = load_data("roles")["missing"]  # type: ignore[assignment]
    present = {g.role for g in rig.groups if not how.get(g.group_id, "").startswith("stand-in")}
    stand_in = next((g for g in rig.groups if how.get(g.group_id, "").startswith("stand-in")), None)
    out: dict[str, str] = {}
    for role, text in texts.items():
        if role not in present:
            name = f"{stand_in.name or stand_in.group_id}" if stand_in else "nothing"
            out[role] = text.format(stand_in=name)
    return out


def row_position(role: GroupRole, index: int, count: int) -> Position:
    """Where the index-th of `count` fixtures of a role is drawn when the rig file gives no positions."""
    row = load_data("roles")["rows"][role]  # type: ignore[index]
    left, right = row["x"]
    x = (left + right) / 2 if count == 1 else left + (right - left) * index / (count - 1)
    return Position(x=round(x, 2), y=row["y"], z=row["z"])
