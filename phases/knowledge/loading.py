"""Load and validate the knowledge files: rules, colour table and rig."""

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from phases.contracts import Colour, LightingRule, Rig
from phases.contracts.validation import field_error

from .errors import KnowledgeError

DATA_DIR = Path(__file__).parent / "data"


@dataclass(frozen=True)
class KnowledgeBase:
    rules: tuple[LightingRule, ...]
    colours: dict[str, Colour]
    rig: Rig
    version: str  # content hash of every file: changes whenever the knowledge changes

    def colour(self, name: str) -> Colour:
        try:
            return self.colours[name]
        except KeyError:
            raise KnowledgeError(f"colour {name!r} is not in the colour table") from None


def _load_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
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


def load_knowledge(directory: Path = DATA_DIR) -> KnowledgeBase:
    return _load_cached(directory.resolve())


@lru_cache(maxsize=4)
def _load_cached(directory: Path) -> KnowledgeBase:
    files = {name: directory / f"{name}.yaml" for name in ("rules", "colours", "rig")}
    rules = _validate(files["rules"], TypeAdapter(list[LightingRule]), _load_yaml(files["rules"]))
    colours = _validate(files["colours"], TypeAdapter(list[Colour]), _load_yaml(files["colours"]))
    rig = _validate(files["rig"], Rig, _load_yaml(files["rig"]))
    assert isinstance(rules, list) and isinstance(colours, list) and isinstance(rig, Rig)
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
        unknown = set(rule.group_balance) - set(rig.group_ids())
        if unknown:
            raise KnowledgeError(
                f"rules.yaml: field {index}.group_balance: {rule.rule_id} names groups the rig lacks: {sorted(unknown)}"
            )
    for index, fixture in enumerate(rig.fixtures):
        if fixture.fixed_color and fixture.fixed_color not in table:
            raise KnowledgeError(
                f"rig.yaml: field fixtures.{index}.fixed_color: colour {fixture.fixed_color!r} is not in colours.yaml"
            )
    digest = hashlib.sha256()
    for path in files.values():
        digest.update(path.read_bytes())
    return KnowledgeBase(rules=tuple(rules), colours=table, rig=rig, version=digest.hexdigest()[:16])
