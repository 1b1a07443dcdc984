"""Rules and looks speak of roles (key, back, side, special, atmosphere, practical); a rig's groups have any
names. Each group's role comes from the rig, else from its name."""

from phases.contracts import Rig

from .design_data import Role

_NAME_HINTS: tuple[tuple[str, Role], ...] = (
    ("front", "key"),
    ("key", "key"),
    ("wash", "key"),
    ("back", "back"),
    ("side", "side"),
    ("boom", "side"),
    ("special", "special"),
    ("spot", "special"),
    ("cyc", "atmosphere"),
    ("ambient", "atmosphere"),
    ("sky", "atmosphere"),
    ("practical", "practical"),
)
_CACHE: dict[int, tuple[Rig, dict[str, Role]]] = {}


def group_roles(rig: Rig) -> dict[str, Role]:
    """Group id -> role, for every group of the rig (computed once per rig)."""
    cached = _CACHE.get(id(rig))
    if cached is not None and cached[0] is rig:
        return cached[1]
    roles: dict[str, Role] = {}
    for group in rig.groups:
        role = group.role or next((r for hint, r in _NAME_HINTS if hint in group.group_id), None)
        roles[group.group_id] = role or "side"
    if not any(r == "key" for r in roles.values()):
        roles[rig.groups[0].group_id] = "key"  # a rig with no front wash: its first group lights the faces
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(rig)] = (rig, roles)
    return roles


def groups_with(rig: Rig, role: Role) -> list[str]:
    return [gid for gid, r in group_roles(rig).items() if r == role]
