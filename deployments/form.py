"""The Prefect UI's run form for cueflow's deployments: human titles, in the order a technician fills them in.

Prefect derives a deployment's parameter schema from the flow's signature and titles each parameter with its
Python name ("enable_phase_8"). This rewrites that schema before the deployment is registered:
- top-level titles from TITLES, in the flow's order: what to plan, the design choices, then the hardware
  (Phase 8 and the DMX settings together);
- the nested options keep PipelineConfig's titles and field order, and each gets a `position`;
- optional fields lose their `null` branch: the UI showed it as a second tab reading 'Property is type "None"'.
  Leaving the field empty still means "not set";
- `genre` becomes a choice of the genres the knowledge has rules for.
"""

from copy import deepcopy
from typing import Any

from flows.config import known_genres

TITLES = {
    "script_path": "Script",
    "output_dir": "Output folder",
    "inbox": "Inbox folder",
    "config": "What to plan, and the design choices",
    "enable_phase_8": "Play to DMX fixtures (Phase 8)",
    "dmx": "DMX settings (Phase 8)",
    "plan_dir": "Plan folder",
    "hardware": "Send to real DMX hardware",
    "speed": "Playback speed",
    "universe": "OLA universe",
}


def _without_null(prop: dict[str, Any]) -> dict[str, Any]:
    branches = prop.get("anyOf")
    if not branches:
        return prop
    kept = [b for b in branches if b.get("type") != "null"]
    if len(kept) == len(branches):
        return prop
    rest = {k: v for k, v in prop.items() if k != "anyOf"}
    if rest.get("default", ...) is None:
        rest.pop("default")
    return {**rest, **kept[0]} if len(kept) == 1 else {**rest, "anyOf": kept}


def _options(definition: dict[str, Any]) -> dict[str, Any]:
    properties = {}
    for position, (name, prop) in enumerate(definition.get("properties", {}).items()):
        prop = _without_null(prop)
        if name == "genre":
            prop = {**prop, "type": "string", "enum": list(known_genres())}
        properties[name] = {**prop, "position": position}
    return {**definition, "properties": properties}


def form_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The deployment's parameter schema (Prefect's ParameterSchema as a dict), made into the technician's form."""
    schema = deepcopy(schema)
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(prop)
        prop["title"] = TITLES.get(name, prop.get("title", name))
        default = prop.get("default")
        if isinstance(default, dict):
            # The UI fills the form from the defaults: keep only the set ones, so empty optional fields stay empty.
            prop["default"] = {k: v for k, v in default.items() if v is not None}
        schema["properties"][name] = prop
    schema["definitions"] = {name: _options(d) for name, d in schema.get("definitions", {}).items()}
    return schema
