"""Group roles (key, back, side, special, atmosphere, practical) inferred when a rig does not give them."""

import re
from collections import Counter

from phases.contracts import Fixture, Position, Rig
from phases.contracts.rig import GroupRole

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


def infer_role(name: str, fixtures: list[Fixture], positioned: bool = True) -> tuple[GroupRole, str]:
    """(role, how it was found): by the group's name, its fixture types, or where it hangs."""
    by_name = role_from_name(name)
    if by_name:
        return by_name, "name"
    by_type = role_from_fixtures(fixtures)
    if by_type:
        return by_type, "fixture type"
    if positioned:
        return role_from_position(fixtures), "position"
    return load_data("roles")["default"], "default"  # type: ignore[return-value]


def with_roles(rig: Rig) -> tuple[Rig, dict[str, str]]:
    """The rig with every group's role set; and how each inferred role was found ("given" when the rig said)."""
    how: dict[str, str] = {}
    groups = []
    for group in rig.groups:
        if group.role is not None:
            how[group.group_id] = "given"
            groups.append(group)
            continue
        role, source = infer_role(f"{group.group_id} {group.description}", rig.fixtures_in(group.group_id))
        how[group.group_id] = f"inferred from {source}"
        groups.append(group.model_copy(update={"role": role}))
    return rig.model_copy(update={"groups": groups}), how


def row_position(role: GroupRole, index: int, count: int) -> Position:
    """Where the index-th of `count` fixtures of a role is drawn when the rig file gives no positions."""
    row = load_data("roles")["rows"][role]  # type: ignore[index]
    left, right = row["x"]
    x = (left + right) / 2 if count == 1 else left + (right - left) * index / (count - 1)
    return Position(x=round(x, 2), y=row["y"], z=row["z"])
