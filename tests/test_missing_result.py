"""Issue 16: a batch once failed a script with `MissingResult: State data is missing` and left no result.json.

The states here are real Prefect states as a client gets them back from the server when a state update was
retried: a final state with no data attached."""

import asyncio
import uuid

from prefect.client.schemas.objects import StateDetails
from prefect.states import Completed, Crashed, Failed

from flows.batch import result_or_record
from flows.outputs import write_json_atomic
from phases.contracts import PipelineResult


def _details(run_id: uuid.UUID) -> StateDetails:
    return StateDetails(flow_run_id=run_id)


def test_a_state_without_data_is_a_failed_result_not_an_exception(tmp_path):
    state = Crashed(message="Flow run could not be completed: database is locked", state_details=_details(uuid.uuid4()))
    result = asyncio.run(result_or_record(state, tmp_path / "macbeth.txt", "macbeth.txt"))
    assert not result.success and "CRASHED" in result.error and "database is locked" in result.error
    assert not (tmp_path / "macbeth.txt").exists()  # whole-or-nothing: a run that did not publish leaves nothing


def test_the_result_json_the_run_published_is_used_when_the_state_lost_its_data(tmp_path):
    run_id = uuid.uuid4()
    recorded = PipelineResult(
        success=True, script="a.txt", flow_run_id=str(run_id), phases=[], total_duration=1.0, phase_work_duration=0.5
    )
    write_json_atomic(tmp_path / "result.json", recorded)
    for state in (Completed(message="done", state_details=_details(run_id)), Failed(state_details=_details(run_id))):
        assert asyncio.run(result_or_record(state, tmp_path, "a.txt")) == recorded
    # An earlier run's result.json is not this run's.
    other = asyncio.run(result_or_record(Completed(state_details=_details(uuid.uuid4())), tmp_path, "a.txt"))
    assert not other.success


def test_a_state_with_its_result_is_returned_as_is(tmp_path):
    result = PipelineResult(success=False, script="b.txt", phases=[], error="x", total_duration=0, phase_work_duration=0)
    assert asyncio.run(result_or_record(Failed(data=result), tmp_path, "b.txt")) is result
    assert not (tmp_path / "result.json").exists()
