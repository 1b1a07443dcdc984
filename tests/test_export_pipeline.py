"""The pipeline exports its plan as it runs: its output folder holds the console and prompt-book files, the run's
result lists them, and a Prefect artifact on the flow run lists them too."""

import json
from pathlib import Path

import pytest

from flows import PipelineConfig, run
from flows.artifacts import artifact_key
from phases.contracts import RigPatch
from phases.export import read_ascii
from tests.conftest import EXAMPLE
from tests.test_artifacts import _read

pytestmark = pytest.mark.prefect


def test_a_run_writes_its_exports_and_an_artifact_lists_them(tmp_path: Path) -> None:
    out = tmp_path / "keeper"
    result = run(str(EXAMPLE), PipelineConfig(output_dir=str(out), enable_phase_5=False, enable_phase_7=False))
    assert result.success, result.error
    files = result.final_output.files
    assert {k for k in files if k.startswith("export_")} == {"export_ascii", "export_qlc", "export_csv", "export_sheet"}
    assert {"cue_sheet.csv", "cue_sheet.html", "cues.asc", "show.qxw"} <= {p.name for p in out.iterdir()}
    record = RigPatch.model_validate_json((out / "rig_patch.json").read_text())  # the rig the plan was made for
    assert files["rig_patch"] == str(out / "rig_patch.json") and record.kind == "bundled" and len(record.patch) == 24
    plan = json.loads((out / "lighting_instructions.json").read_text())
    assert [c.number for c in read_ascii((out / "cues.asc").read_text()).cues] == sorted(c["cue_number"] for c in plan)
    exported = [p for p in result.phases if p.phase == 4 and "exports" in p.data]
    assert len(exported) == 1 and exported[0].status == "completed"
    table = _read(artifact_key("exports", str(EXAMPLE)))[0]
    assert str(table.flow_run_id) == result.flow_run_id
    rows = json.loads(table.data) if isinstance(table.data, str) else table.data
    assert [r["format"] for r in rows] == ["ascii", "csv", "qlc", "sheet"]
    assert rows[0]["file"] == str(out / "cues.asc")
