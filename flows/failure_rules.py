"""The original design's failure rules for Phase 6, in one place.

| step | a phase fails | the run |
|---|---|---|
| parse (Phase 1) | no scenes, no show | stops |
| emotion (Phase 2, per scene) | the scene goes on with `emotion: null` | goes on |
| scene (Phases 3 and 4, contract check) | that scene fails | goes on to the next scene only with continue_on_scene_failure |
| export (console files) | the plan stands without them: degraded | goes on |
| preview, evaluation, dmx (5, 7, 8) | recorded | stops, keeping what it made |

A phase that is not implemented (PhaseNotImplementedError) ends the run with its own message, wherever it is.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

from phases.contracts import PhaseResult
from phases.export import ExportError
from phases.parsing import ParseError

from .errors import ContractViolationError, HardFailureError, NonFatalError, PhaseNotImplementedError
from .phase_results import phase_result
from .progress import emit

Step = Literal["parse", "emotion", "scene", "export", "preview", "evaluation", "dmx"]
Consequence = Literal["stop", "go_on", "fail_scene", "degrade"]


class RunStopped(Exception):
    """A step failed under a rule that ends the run: the run finishes failed with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SceneFailed(Exception):
    """A scene's Phase 3 or 4 (or its contract check) failed: that scene fails with this reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class FailureRule:
    consequence: Consequence
    # Errors whose own message is the user's message; any other error is named by its type.
    speaks_for_itself: tuple[type[Exception], ...] = ()

    def reason(self, step: Step, phase: int, exc: Exception, scene_id: str | None) -> str:
        own = isinstance(exc, self.speaks_for_itself)
        what = str(exc) if own else f"{type(exc).__name__}: {exc}"
        if step == "emotion":
            return str(NonFatalError(f"{scene_id}: emotion failed ({what}); going on without it"))
        if step == "scene":
            return what if own else f"{scene_id}: {what}"
        if step == "export":
            return what
        return what if own else f"phase {phase} failed: {what}"


RULES: dict[Step, FailureRule] = {
    "parse": FailureRule("stop", (ParseError, HardFailureError)),
    "emotion": FailureRule("go_on"),
    "scene": FailureRule("fail_scene", (ContractViolationError,)),
    "export": FailureRule("degrade", (ExportError,)),
    "preview": FailureRule("stop"),
    "evaluation": FailureRule("stop"),
    "dmx": FailureRule("stop"),
}


@contextmanager
def failure_rule(
    step: Step, phase: int, record: Callable[[PhaseResult], None], scene_id: str | None = None
) -> Iterator[None]:
    """Run a step under its rule: record a failure as a PhaseResult, then go on, fail the scene or stop the run."""
    try:
        yield
    except PhaseNotImplementedError as exc:
        if step in ("emotion", "scene"):
            raise  # ends the run from the pipeline, above the scene subflow
        record(phase_result(phase, scene_id=scene_id, error=str(exc)))
        raise RunStopped(str(exc)) from None
    except Exception as exc:
        rule = RULES[step]
        reason = rule.reason(step, phase, exc, scene_id)
        if rule.consequence == "degrade":
            record(phase_result(phase, scene_id=scene_id, status="degraded", error=f"{step}: {reason}"))
            emit("warning", message=f"could not {step} the plan: {reason}")
            return
        record(phase_result(phase, scene_id=scene_id, error=reason))
        if rule.consequence == "go_on":
            emit("warning", message=reason)
            return
        raise (SceneFailed(reason) if rule.consequence == "fail_scene" else RunStopped(reason)) from None
