"""Prefect artifacts for a run: a markdown summary, a table of cues, a table of metrics, and progress for long runs.

Call these from inside a flow (sync or async): each artifact is attached to the current flow run. They force
Prefect's synchronous implementations, so they behave the same whichever kind of flow calls them.
"""

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID

from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)

from phases.contracts import EvaluationReport, LightingInstruction, PipelineResult, Scene

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
        ("emotions", ", ".join(f"{e} {n}" for e, n in emotions.most_common(4)) or "none read"),
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


def cue_rows(scenes: Sequence[Scene], plan: Sequence[LightingInstruction]) -> list[dict[str, str]]:
    by_scene = {i.scene_id: i for i in plan}
    rows = []
    for scene in scenes:
        instruction = by_scene.get(scene.scene_id)
        groups = instruction.groups if instruction else []
        transitions = sorted(
            {
                f"{g.transition.type} {g.transition.duration:g} s" if g.transition.type != "cut" else "cut"
                for g in groups
                if g.transition
            }
        )
        rows.append(
            {
                "scene": scene.scene_id,
                "start": _clock(scene.time_window.start),
                "heading": _cell(scene.heading or scene.location or "")[:80],
                "emotion": scene.emotion.primary if scene.emotion else "",
                "script cues": _cell(" | ".join(scene.explicit_lighting))[:160],
                "look": ", ".join(
                    f"{g.group_id} {g.parameters.color} {round(g.parameters.intensity * 100)}%"
                    + (f" +{g.parameters.effect.type}" if g.parameters.effect else "")
                    for g in groups
                )
                or "no instruction",
                "transition": ", ".join(transitions),
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


def publish_run_artifacts(
    result: PipelineResult,
    scenes: Sequence[Scene],
    plan: Sequence[LightingInstruction],
    report: EvaluationReport | None,
) -> dict[str, UUID]:
    """Create the summary, cue table and (with a report) metrics table artifacts on the current flow run."""
    ids = {
        "summary": create_markdown_artifact(
            markdown=summary_markdown(result, scenes, plan, report),
            key=artifact_key("summary", result.script),
            description="cueflow run summary: key figures and where the files are",
            _sync=True,
        ),
        "cues": create_table_artifact(
            table=cue_rows(scenes, plan),
            key=artifact_key("cues", result.script),
            description="cue list: one row per scene",
            _sync=True,
        ),
    }
    if report is not None:
        ids["metrics"] = create_table_artifact(
            table=metric_rows(report),
            key=artifact_key("metrics", result.script),
            description=f"Phase 7 evaluation: {report.verdict}",
            _sync=True,
        )
    return ids


class ProgressTracker:
    """A progress artifact (0-100 %) that advances one step at a time; it writes only when the whole percent changes."""

    def __init__(self, total: int, key: str | None = None, description: str = "cueflow progress") -> None:
        self.total = max(total, 1)
        self.done = 0
        self.description = description
        self._shown = 0
        self.artifact_id: UUID = create_progress_artifact(progress=0.0, key=key, description=description, _sync=True)

    @property
    def percent(self) -> float:
        return round(100.0 * min(self.done, self.total) / self.total, 1)

    def advance(self, steps: int = 1, description: str | None = None) -> float:
        self.done += steps
        percent = self.percent
        if int(percent) != int(self._shown) or percent >= 100 or description:
            update_progress_artifact(
                artifact_id=self.artifact_id, progress=percent, description=description or self.description, _sync=True
            )
            self._shown = percent
        return percent

    def finish(self, description: str | None = None) -> None:
        self.done = self.total
        update_progress_artifact(
            artifact_id=self.artifact_id, progress=100.0, description=description or self.description, _sync=True
        )
        self._shown = 100.0


def progress_tracker(total: int, script: str | None = None, description: str = "scenes planned") -> ProgressTracker:
    """A progress artifact for a long run of `total` steps (scenes), keyed by script."""
    return ProgressTracker(total, key=artifact_key("progress", script), description=description)
