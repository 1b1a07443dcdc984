"""One pipeline run in progress: its phase results, the files it has written, and how it finishes.

Files are written into the run's work folder and recorded under their final folder's name; `finish` writes
result.json and swaps the work folder in place of the final one (flows/outputs.py), failed or not.
"""

import time
from pathlib import Path

from prefect.runtime import flow_run as current_flow_run
from prefect.states import Completed, Failed, State
from pydantic import BaseModel

from phases.contracts import EvaluationReport, LightingInstruction, PhaseResult, PipelineOutput, PipelineResult, Scene

from .artifacts import publish_run_artifacts
from .config import PipelineConfig
from .outputs import publish, write_bytes_atomic, write_json_atomic, write_text_atomic
from .progress import emit

OUTPUT_FILES = {
    "scenes": "scenes.json",
    "lighting_instructions": "lighting_instructions.json",
    "result": "result.json",
    "report": "report.json",
    "preview": "preview.html",
    "timeline": "timeline.png",
}


class PlanRun:
    def __init__(self, work: Path, final: Path, started: float, script: str, name: str, config: PipelineConfig) -> None:
        self.work, self.final, self.started = work, final, started
        self.script, self.name, self.config = script, name, config
        self.phases: list[PhaseResult] = []
        self.files: dict[str, str] = {}
        self.scenes: list[Scene] = []
        self.plan: list[LightingInstruction] = []
        self.report: EvaluationReport | None = None
        self.failed_scenes: list[str] = []

    def record(self, result: PhaseResult) -> None:
        self.phases.append(result)

    def write(self, key: str, content: BaseModel | list | str | bytes, *, file: str | None = None) -> Path:
        """Write one output into the work folder; the result names it in the final folder."""
        path = self.work / (file or OUTPUT_FILES[key])
        if isinstance(content, str):
            write_text_atomic(path, content)
        elif isinstance(content, bytes):
            write_bytes_atomic(path, content)
        else:
            write_json_atomic(path, content)
        self.files[key] = str(self.final / path.name)
        return path

    def output(self) -> PipelineOutput | None:
        if "scenes" not in self.files:
            return None
        return PipelineOutput(
            output_dir=str(self.final),
            files={**self.files, "result": str(self.final / OUTPUT_FILES["result"])},
            scene_count=len(self.scenes),
            instruction_count=len(self.plan),
            failed_scenes=self.failed_scenes,
            evaluation_verdict=self.report.verdict if self.report else None,
        )

    def finish(self, error: str | None = None) -> PipelineResult | State:
        """Write result.json, swap the folder in, publish the record to Prefect, and return the run's state."""
        if error is None and self.failed_scenes:
            shown = ", ".join(self.failed_scenes[:5])
            error = f"{len(self.failed_scenes)} of {len(self.scenes)} scenes failed: {shown}"
        result = PipelineResult(
            success=error is None,
            script=self.script,
            flow_run_id=str(current_flow_run.id),
            phases=self.phases,
            final_output=self.output(),
            error=error,
            total_duration=round(time.perf_counter() - self.started, 6),
            phase_work_duration=round(sum(p.duration for p in self.phases), 6),
        )
        write_json_atomic(self.work / OUTPUT_FILES["result"], result)
        publish(self.work, self.final)
        if self.plan:
            try:
                publish_run_artifacts(result, self.scenes, self.plan, self.report)
            except Exception as exc:  # the record in the UI is a convenience; the files are the result
                emit("warning", message=f"could not publish Prefect artifacts: {type(exc).__name__}: {exc}")
        emit("done", result=result)
        return Completed(data=result) if error is None else Failed(message=error, data=result)
