"""Issue 16: a batch once failed a script with `MissingResult: State data is missing` and left no result.json.

The states here are real Prefect states as a client gets them back from the server when a state update was
retried: a final state with no data attached."""

import asyncio
import json

from prefect.states import Completed, Crashed, Failed

from flows.batch import result_or_record
from flows.outputs import write_json_atomic
from phases.contracts import PipelineResult


def test_a_state_without_data_still_gives_a_failed_result_json(tmp_path):
    state = Crashed(message="Flow run could not be completed: database is locked")
    result = asyncio.run(result_or_record(state, tmp_path / "macbeth.txt", "macbeth.txt"))
    assert not result.success and "CRASHED" in result.error and "database is locked" in result.error
    written = json.loads((tmp_path / "macbeth.txt" / "result.json").read_text())
    assert written["success"] is False and written["script"] == "macbeth.txt"


def test_the_result_json_the_pipeline_wrote_is_used_when_the_state_lost_its_data(tmp_path):
    recorded = PipelineResult(success=True, script="a.txt", phases=[], total_duration=1.0, phase_work_duration=0.5)
    write_json_atomic(tmp_path / "result.json", recorded)
    for state in (Completed(message="done"), Failed(message="rejected transition")):
        assert asyncio.run(result_or_record(state, tmp_path, "a.txt")) == recorded


def test_a_state_with_its_result_is_returned_as_is(tmp_path):
    result = PipelineResult(success=False, script="b.txt", phases=[], error="x", total_duration=0, phase_work_duration=0)
    assert asyncio.run(result_or_record(Failed(data=result), tmp_path, "b.txt")) is result
    assert not (tmp_path / "result.json").exists()
