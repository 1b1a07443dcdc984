"""Export the contracts' JSON Schemas: `python -m phases.contracts.schema_export [--check]`."""

import argparse
import json
import sys
from pathlib import Path

from pydantic import BaseModel, TypeAdapter

from . import (
    BatchSummary,
    Emotion,
    EvaluationReport,
    Fixture,
    LightingInstruction,
    LightingRule,
    PipelineResult,
    Rig,
    RigPatch,
    Scene,
    TimeWindow,
)

SCHEMA_DIR = Path(__file__).parent / "schemas"

# One schema per file the pipeline writes or reads, named after the file's contents.
SCHEMAS: dict[str, TypeAdapter[object] | type[BaseModel]] = {
    "scene": Scene,
    "scenes": TypeAdapter(list[Scene]),
    "emotion": Emotion,
    "time_window": TimeWindow,
    "lighting_instruction": LightingInstruction,
    "lighting_instructions": TypeAdapter(list[LightingInstruction]),
    "fixture": Fixture,
    "rig": Rig,
    "rig_patch": RigPatch,
    "lighting_rule": LightingRule,
    "evaluation_report": EvaluationReport,
    "pipeline_result": PipelineResult,
    "batch_summary": BatchSummary,
}


def render_schemas() -> dict[str, str]:
    """File name to JSON text for every contract schema."""
    rendered: dict[str, str] = {}
    for name, model in SCHEMAS.items():
        schema = model.json_schema() if isinstance(model, TypeAdapter) else model.model_json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": name, **schema}
        rendered[f"{name}.json"] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return rendered


def stale_schemas(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of schema files that are missing, differ from the models, or are no longer produced."""
    expected = render_schemas()
    stale = [
        name for name, text in expected.items() if not (directory / name).is_file() or (directory / name).read_text() != text
    ]
    stale += sorted(p.name for p in directory.glob("*.json") if p.name not in expected)
    return stale


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    expected = render_schemas()
    for old in directory.glob("*.json"):
        if old.name not in expected:
            old.unlink()
    written = []
    for name, text in expected.items():
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the checked-in schemas are stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_schemas()
        if stale:
            print(f"stale schemas: {', '.join(stale)}; run python -m phases.contracts.schema_export")
            return 1
        print("schemas are up to date")
        return 0
    for path in write_schemas():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
