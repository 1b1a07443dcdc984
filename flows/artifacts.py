"""Prefect artifacts for a run: a markdown summary, a table of cues, a table of metrics, and progress for long runs.

Call these from inside a flow (sync or async): each artifact is attached to the current flow run. They use one
synchronous client per publication or tracker, so they behave the same whichever kind of flow calls them. Prefect's
own create_*_artifact helpers build a new client per call, and each new client parses the whole CA bundle: with a
progress artifact that was about 12% of a 55-scene run's client CPU.
"""

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID

from prefect import get_client
from prefect.artifacts import Artifact, MarkdownArtifact, ProgressArtifact, TableArtifact
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.actions import ArtifactCreate, ArtifactUpdate
from prefect.utilities.context import get_task_and_flow_run_ids

from phases.contracts import EvaluationReport, GroupInstruction, LightingInstruction, PipelineResult, Scene

KEY_PREFIX = "cueflow"


def artifact_key(kind: str, script: str | None) -> str:
    """A stable key per script, so reruns of the same script show as versions of one artifact."""
    stem = Path(script).stem if script else "script"
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "script"
    return f"{KEY_PREFIX}-{kind}-{slug}"[:100]


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _cell(text: object) -> str:
    """Markdown table cell: script text is untrusted, so no pipes or line breaks."""
    return " ".join(str(text).split()).replace("|", "\\|")


def summary_markdown(
    result: PipelineResult, scenes: Sequence[Scene], plan: Sequence[LightingInstruction], report: EvaluationReport | None
) -> str:
    output = result.final_output
    status = "succeeded" if result.success else "failed"
    name = Path(result.script).name if result.script else "script"
    running_time = max((s.time_window.end for s in scenes), default=0.0)
    emotions = Counter(s.emotion.primary for s in scenes if s.emotion)
    unread = [f"not read {n}"] if (n := sum(1 for s in scenes if not s.emotion)) and emotions else []
    cues = sum(len(s.explicit_lighting) for s in scenes)
    lines = [f"# cueflow: {_cell(name)} {status}", ""]
    if result.error:
        lines += [f"**Error:** {_cell(result.error)}", ""]
    figures = [
        ("scenes", str(len(scenes))),
        ("lighting instructions", str(len(plan))),
        ("failed scenes", ", ".join(output.failed_scenes) if output and output.failed_scenes else "none"),
        ("running time (show clock)", _clock(running_time)),
        ("script lighting cues", str(cues)),
        # Every emotion read, and how many scenes had none: the counts add up to the scene count.
        ("emotions", ", ".join([*(f"{e} {n}" for e, n in emotions.most_common()), *unread]) or "none read"),
        ("evaluation", report.verdict if report else "not run"),
        ("run time", f"{result.total_duration:.1f} s ({result.phase_work_duration:.2f} s in phase code)"),
    ]
    lines += ["| figure | value |", "|---|---|", *(f"| {k} | {_cell(v)} |" for k, v in figures), ""]
    if report:
        flagged = [m for m in report.metrics if m.verdict != "PASS"]
        if flagged:
            lines += ["## Metrics that did not pass", ""]
            lines += [f"- **{m.verdict}** {m.name}: {_cell(m.detail)}" for m in flagged]
            lines.append("")
    if output and output.files:
        lines += ["## Files", "", "| file | path |", "|---|---|"]
        lines += [f"| {_cell(k)} | `{_cell(v)}` |" for k, v in sorted(output.files.items())]
    return "\n".join(lines) + "\n"


def _called_on(instruction: LightingInstruction) -> str:
    trigger = instruction.called_on
    if trigger.kind == "structure":
        return str(trigger.moment or "structure")
    if trigger.kind == "follow":
        return f"follow {trigger.follow_wait:g} s"
    if trigger.kind == "scene_start":
        return "scene start"
    return _cell(trigger.text or trigger.kind)[:60]


def _level(group: GroupInstruction) -> str:
    parameters = group.parameters
    effect = f" +{parameters.effect.type}" if parameters.effect else ""
    return f"{round(parameters.intensity * 100)}% {parameters.color}{effect}"


def cue_rows(scenes: Sequence[Scene], plan: Sequence[LightingInstruction]) -> list[dict[str, str]]:
    """One row per cue, levels first: a column per group, so the levels are on screen, not past a long text cell."""
    by_id = {s.scene_id: s for s in scenes}
    group_ids = list(dict.fromkeys(g.group_id for cue in plan for g in cue.groups))
    rows = []
    for cue in plan:
        scene = by_id.get(cue.scene_id)
        levels = {g.group_id: _level(g) for g in cue.groups}
        transitions = sorted(
            {
                f"{g.transition.type} {g.transition.duration:g} s" if g.transition.type != "cut" else "cut"
                for g in cue.groups
                if g.transition
            }
        )
        rows.append(
            {
                "cue": f"{cue.cue_number:g}",
                "scene": cue.scene_id,
                **{group: levels.get(group, "-") for group in group_ids},
                "transition": ", ".join(transitions),
                "called on": _called_on(cue),
                "emotion": scene.emotion.primary if scene and scene.emotion else "",
                "label": _cell(cue.label)[:60],
                "heading": _cell(scene.heading or scene.location or "")[:60] if scene else "",
            }
        )
    return rows


def metric_rows(report: EvaluationReport) -> list[dict[str, str]]:
    return [
        {
            "metric": m.name,
            "value": "n/a" if m.value is None else f"{m.value:g}",
            "verdict": m.verdict,
            "scenes not passing": str(sum(1 for v in m.per_scene.values() if v != "PASS")),
            "detail": _cell(m.detail),
        }
        for m in report.metrics
    ]


EXPORT_FORMATS = {"ascii": "USITT ASCII cues", "qlc": "QLC+ workspace", "csv": "cue sheet (CSV)", "sheet": "cue sheet (print)"}


def export_rows(files: dict[str, str]) -> list[dict[str, str]]:
    """The plan's console and prompt-book exports among the run's output files (keys `export_<format>`)."""
    rows = []
    for key, path in sorted(files.items()):
        if key.startswith("export_"):
            fmt = key.removeprefix("export_")
            rows.append({"format": fmt, "what": EXPORT_FORMATS.get(fmt, fmt), "file": _cell(path)})
    return rows


def _create(client: SyncPrefectClient, artifact: Artifact) -> UUID:
    task_run_id, flow_run_id = get_task_and_flow_run_ids()
    request = ArtifactCreate(
        type=artifact.type,
        key=artifact.key,
        description=artifact.description,
        task_run_id=task_run_id,
        flow_run_id=flow_run_id,
        data=artifact.format(_sync=True),  # type: ignore[call-arg]
    )
    return client.create_artifact(artifact=request).id


def publish_run_artifacts(
    result: PipelineResult,
    scenes: Sequence[Scene],
    plan: Sequence[LightingInstruction],
    report: EvaluationReport | None,
) -> dict[str, UUID]:
    """Create the summary, cue table and (with a report) metrics table artifacts on the current flow run."""
    artifacts: dict[str, Artifact] = {
        "summary": MarkdownArtifact(
            markdown=summary_markdown(result, scenes, plan, report),
            key=artifact_key("summary", result.script),
            description="cueflow run summary: key figures and where the files are",
        ),
        "cues": TableArtifact(
            table=cue_rows(scenes, plan),
            key=artifact_key("cues", result.script),
            description="cue list: one row per cue, a column per group",
        ),
    }
    if report is not None:
        artifacts["metrics"] = TableArtifact(
            table=metric_rows(report),
            key=artifact_key("metrics", result.script),
            description=f"Phase 7 evaluation: {report.verdict}",
        )
    exports = export_rows(result.final_output.files) if result.final_output else []
    if exports:
        artifacts["exports"] = TableArtifact(
            table=exports,
            key=artifact_key("exports", result.script),
            description="the plan exported for consoles and the stage manager",
        )
    with get_client(sync_client=True) as client:
        return {name: _create(client, artifact) for name, artifact in artifacts.items()}


class ProgressTracker:
    """A progress artifact (0-100 %) that advances one step at a time; it writes only when the whole percent changes.

    It holds one API client until finish() or close(), or the end of its `with` block.
    """

    def __init__(self, total: int, key: str | None = None, description: str = "cueflow progress") -> None:
        self.total = max(total, 1)
        self.done = 0
        self.description = description
        self._shown = 0.0
        self._client: SyncPrefectClient | None = get_client(sync_client=True).__enter__()
        self.artifact_id: UUID = _create(self._client, ProgressArtifact(progress=0.0, key=key, description=description))

    @property
    def percent(self) -> float:
        return round(100.0 * min(self.done, self.total) / self.total, 1)

    def _write(self, percent: float, description: str | None) -> None:
        if self._client is None:
            raise RuntimeError("this progress tracker is closed")
        update = ArtifactUpdate(description=description or self.description, data=percent)
        self._client.update_artifact(artifact_id=self.artifact_id, artifact=update)
        self._shown = percent

    def advance(self, steps: int = 1, description: str | None = None) -> float:
        self.done += steps
        percent = self.percent
        if int(percent) != int(self._shown) or percent >= 100 or description:
            self._write(percent, description)
        return percent

    def finish(self, description: str | None = None) -> None:
        self.done = self.total
        self._write(100.0, description)
        self.close()

    def close(self) -> None:
        if self._client is not None:
            self._client.__exit__(None, None, None)
            self._client = None

    def __enter__(self) -> "ProgressTracker":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def progress_tracker(total: int, script: str | None = None, description: str = "scenes planned") -> ProgressTracker:
    """A progress artifact for a long run of `total` steps (scenes), keyed by script."""
    return ProgressTracker(total, key=artifact_key("progress", script), description=description)
