"""One PhaseResult per phase call: the run's own record beside Prefect's states."""

from phases.contracts import PhaseResult

PHASE_NAMES = {1: "parse", 2: "emotion", 3: "knowledge", 4: "decision", 5: "preview", 7: "evaluation", 8: "dmx"}


def phase_result(
    phase: int,
    seconds: float = 0.0,
    scene_id: str | None = None,
    error: str | None = None,
    status: str | None = None,
    **data: object,
) -> PhaseResult:
    status = status or ("failed" if error else "completed")
    return PhaseResult(
        phase=phase,
        name=PHASE_NAMES[phase],
        success=status in ("completed", "skipped", "degraded"),
        status=status,
        scene_id=scene_id,
        data=data,
        error=error,
        duration=round(seconds, 6),
    )  # type: ignore[arg-type]
