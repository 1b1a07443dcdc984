"""Each group's intensity over show time, as the exact piecewise-linear curve the cues and their transitions make."""

from collections.abc import Sequence

from phases.contracts import LightingInstruction

Curve = list[tuple[float, float]]


def group_curves(plan: Sequence[LightingInstruction], group_ids: Sequence[str]) -> dict[str, Curve]:
    """(time, level) points per group: a cue holds the previous level until its delay, then moves over its duration.

    Effects (flashes, flicker) are left out: the curve is the base level the effect plays on.
    """
    ordered = sorted(plan, key=lambda i: i.time_window.start)
    end_of_show = max((i.time_window.end for i in ordered), default=0.0)
    curves: dict[str, Curve] = {}
    for group_id in group_ids:
        points: Curve = []
        level = 0.0
        for k, instruction in enumerate(ordered):
            start = instruction.time_window.start
            end = ordered[k + 1].time_window.start if k + 1 < len(ordered) else end_of_show
            group = next((g for g in instruction.groups if g.group_id == group_id), None)
            target = group.parameters.intensity if group else 0.0
            transition = group.transition if group else None
            moves_at = start + (transition.delay if transition else 0.0)
            duration = transition.duration if transition and transition.type != "cut" else 0.0
            points.append((start, level))
            if moves_at >= end:
                continue  # the scene ends before this group's cue begins
            points.append((moves_at, level))
            if duration <= 0:
                level = target
                points.append((moves_at, level))
            else:
                share = min(1.0, (end - moves_at) / duration)
                level = level + (target - level) * share
                points.append((min(moves_at + duration, end), level))
        points.append((end_of_show, level))
        curves[group_id] = points
    return curves
