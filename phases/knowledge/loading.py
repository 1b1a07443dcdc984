"""Load and validate the knowledge files (rules, colour table) with the rig they are applied to: the bundled
rig (phases/rig/data/rig.yaml, the rig phase's own data) or the one given with --rig."""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import get_args

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from phases.contracts import Colour, GroupRole, LightingRule, Rig
from phases.contracts.validation import field_error
from phases.data_files import parse_yaml

from .errors import KnowledgeError

ROLES = set(get_args(GroupRole))

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class KnowledgeBase:
    rules: tuple[LightingRule, ...]
    colours: dict[str, Colour]
    rig: Rig
    version: str  # content hash of every file: changes whenever the knowledge changes
    rig_source: str | None = None  # the rig file given with --rig; None for the default rig

    def colour(self, name: str) -> Colour:
        try:
            return self.colours[name]
        except KeyError:
            raise KnowledgeError(f"colour {name!r} is not in the colour table") from None


def _load_yaml(path: Path) -> object:
    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KnowledgeError(f"{path}: file not found") from None
    except yaml.YAMLError as exc:
        raise KnowledgeError(f"{path.name}: invalid YAML ({exc.__class__.__name__}: {exc})") from None


def _validate(path: Path, adapter: TypeAdapter[object] | type[BaseModel], data: object) -> object:
    try:
        if isinstance(adapter, TypeAdapter):
            return adapter.validate_python(data)
        return adapter.model_validate(data)
    except ValidationError as exc:
        where, message = field_error(exc)
        raise KnowledgeError(f"{path.name}: field {where}: {message}") from None


def load_knowledge(directory: Path = DATA_DIR, rig: str | Path | None = None) -> KnowledgeBase:
    """The knowledge in `directory`; with `rig`, for that rig file (YAML or QLC+ workspace) instead of the default.

    With another rig, the rules' group_balance (written for the default rig's groups, or by role) is carried
    over by role: a weight for the default rig's front_wash (role key) applies to every key group of the rig.
    Cached: the rig by path, size and mtime; the rest by directory.
    """
    base = _load_cached(directory.resolve())
    if rig is None:
        return base
    from phases.rig import RigError, load_rig

    try:
        loaded = load_rig(rig)
    except RigError as exc:
        raise KnowledgeError(str(exc)) from None
    key = (base.version, loaded.digest, loaded.source)
    if key not in _WITH_RIG:
        _WITH_RIG.clear()  # one imported rig at a time is the common case; keep the cache small
        _WITH_RIG[key] = _with_rig(base, loaded.rig, loaded.digest, loaded.source)
    return _WITH_RIG[key]


_WITH_RIG: dict[tuple[str, str, str], KnowledgeBase] = {}


def _with_rig(base: KnowledgeBase, rig: Rig, digest: str, source: str) -> KnowledgeBase:
    roles = {g.group_id: g.role for g in base.rig.groups}
    rules = tuple(r.model_copy(update={"group_balance": _by_role(r.group_balance, roles, rig)}) for r in base.rules)
    for index, fixture in enumerate(rig.fixtures):
        if fixture.fixed_color and fixture.fixed_color not in base.colours:
            raise KnowledgeError(
                f"{source}: fixture {fixture.fixture_id} (#{index + 1}): colour {fixture.fixed_color!r} is not in colours.yaml"
            )
    version = hashlib.sha256(f"{base.version}:{digest}".encode()).hexdigest()[:16]
    return KnowledgeBase(rules=rules, colours=base.colours, rig=rig, version=version, rig_source=source)


def _by_role(balance: dict[str, float], default_roles: dict[str, str | None], rig: Rig) -> dict[str, float]:
    """A rule's per-group weights for `rig`: its own group names, roles, or the default rig's names by role."""
    out: dict[str, float] = {}
    ids = set(rig.group_ids())
    for key, weight in balance.items():
        if key in ids:
            out[key] = weight
            continue
        role = key if key in ROLES else default_roles.get(key)
        for group in rig.groups:
            if group.role == role and group.group_id not in balance:
                out[group.group_id] = weight
    return out


@lru_cache(maxsize=4)
def _load_cached(directory: Path) -> KnowledgeBase:
    files = {name: directory / f"{name}.yaml" for name in ("rules", "colours")}
    rules = _validate(files["rules"], TypeAdapter(list[LightingRule]), _load_yaml(files["rules"]))
    colours = _validate(files["colours"], TypeAdapter(list[Colour]), _load_yaml(files["colours"]))
    assert isinstance(rules, list) and isinstance(colours, list)
    from phases.rig import RigError, default_rig_path, load_rig  # the bundled rig is the rig phase's data

    try:
        rig = load_rig(default_rig_path()).rig
    except RigError as exc:
        raise KnowledgeError(str(exc)) from None
    files["rig"] = default_rig_path()
    table = {c.name: c for c in colours}
    ids = [r.rule_id for r in rules]
    duplicate = next((i for i in ids if ids.count(i) > 1), None)
    if duplicate:
        raise KnowledgeError(f"rules.yaml: rule_id {duplicate!r} appears twice")
    for index, rule in enumerate(rules):
        for name in rule.palette:
            if name not in table:
                raise KnowledgeError(
                    f"rules.yaml: field {index}.palette: colour {name!r} ({rule.rule_id}) is not in colours.yaml"
                )
        unknown = set(rule.group_balance) - set(rig.group_ids()) - ROLES
        if unknown:
            raise KnowledgeError(
                f"rules.yaml: field {index}.group_balance: {rule.rule_id} names groups the rig lacks: {sorted(unknown)}"
            )
    for index, fixture in enumerate(rig.fixtures):
        if fixture.fixed_color and fixture.fixed_color not in table:
            raise KnowledgeError(
                f"{files['rig'].name}: field fixtures.{index}.fixed_color: colour {fixture.fixed_color!r} is not in colours.yaml"
            )
    if any(set(r.group_balance) & ROLES for r in rules):  # rules that speak of roles: to this rig's groups
        own = {g.group_id: g.role for g in rig.groups}
        rules = [r.model_copy(update={"group_balance": _by_role(r.group_balance, own, rig)}) for r in rules]
    digest = hashlib.sha256()
    for path in files.values():
        digest.update(path.read_bytes())
    return KnowledgeBase(rules=tuple(rules), colours=table, rig=rig, version=digest.hexdigest()[:16])
