"""Metrics a lighting designer would judge a cue list by (issue 14): night against day, the key light, the
palette, cue density, an ending in the dark, and directions cued where the text gives them."""

import re
import statistics
from collections import defaultdict

from phases.contracts import MetricResult, Verdict

from .cues import group_roles, in_show_order, is_dark, is_structure, levels, lit_colours, mark, mean_level
from .metrics import PlanContext
from .thresholds import vocabulary


def _above(value: float, warn: float, fail: float) -> Verdict:
    return "FAIL" if value > fail else "WARN" if value > warn else "PASS"


def _below(value: float, warn: float, fail: float) -> Verdict:
    return "FAIL" if value < fail else "WARN" if value < warn else "PASS"


def night_darker_than_day(ctx: PlanContext) -> MetricResult:
    """Night scenes' mean level (lit cues, weighted by how long each holds) against day scenes'."""
    words = vocabulary()
    scenes = {s.scene_id: s for s in ctx.scenes}
    held: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for cue in ctx.plan:
        if not is_structure(cue) and not is_dark(cue):
            held[cue.scene_id].append((mean_level(cue, ctx.rig), max(cue.time_window.duration, 1e-3)))
    scene_level = {sid: sum(v * w for v, w in vs) / sum(w for _, w in vs) for sid, vs in held.items()}
    night = {sid: v for sid, v in scene_level.items() if sid in scenes and scenes[sid].time_of_day in words.night_times}
    day = {sid: v for sid, v in scene_level.items() if sid in scenes and scenes[sid].time_of_day in words.day_times}
    if not night or not day:
        return MetricResult(
            name="night_darker_than_day",
            value=None,
            verdict="PASS",
            detail=f"nothing to compare: {len(night)} night and {len(day)} day scenes with lit cues",
        )
    night_mean, day_mean = statistics.fmean(night.values()), statistics.fmean(day.values())
    ratio = night_mean / max(day_mean, 1e-6)
    median_day = statistics.median(day.values())
    per_scene: dict[str, Verdict] = {sid: "PASS" for sid in day}
    brighter = 0
    for sid, v in night.items():
        per_scene[sid] = "WARN" if v > median_day else "PASS"
        brighter += v > median_day
    t = ctx.thresholds
    return MetricResult(
        name="night_darker_than_day",
        value=round(ratio, 4),
        verdict=_above(ratio, t.night_day_ratio_warn, t.night_day_ratio_fail),
        detail=f"night scenes average {night_mean:.2f}, day scenes {day_mean:.2f} (ratio {ratio:.2f}); "
        f"{brighter} of {len(night)} night scenes are brighter than the median day scene",
        per_scene=per_scene,
    )


def key_light(ctx: PlanContext) -> MetricResult:
    """Share of lit cues whose key (front wash) is at or above every back, side and special group."""
    roles = group_roles(ctx.rig)
    shaping = set(vocabulary().shaping_roles)
    keys = {g for g, r in roles.items() if r == "key"}
    if not keys:
        return MetricResult(name="key_light", value=None, verdict="WARN", detail="the rig has no group with the key role")
    per_scene: dict[str, Verdict] = {}
    judged = keyed = 0
    worst_miss = ""
    for cue in ctx.plan:
        lv = levels(cue)
        if is_structure(cue) or not any(v > 0.05 for v in lv.values()):
            continue
        key = max((lv.get(g, 0.0) for g in keys), default=0.0)
        others = [v for g, v in lv.items() if roles.get(g) in shaping]
        ok = key > 0 and key + 1e-9 >= max(others, default=0.0)
        judged += 1
        keyed += ok
        mark(per_scene, cue.scene_id, "PASS" if ok else "WARN")
        if not ok and not worst_miss:
            worst_miss = f"; first: cue {cue.cue_number:g}, key {key:.2f} under {max(others, default=0.0):.2f}"
    if not judged:
        return MetricResult(name="key_light", value=None, verdict="WARN", detail="no lit cue to judge")
    share = keyed / judged
    t = ctx.thresholds
    return MetricResult(
        name="key_light",
        value=round(share, 4),
        verdict=_below(share, t.key_share_warn, t.key_share_fail),
        detail=f"the key light is the brightest shaping group in {keyed} of {judged} lit cues" + worst_miss,
        per_scene=per_scene,
    )


def palette_size(ctx: PlanContext) -> MetricResult:
    """Distinct colours lit across the production: a production chooses a small palette."""
    used: dict[str, int] = defaultdict(int)
    for cue in ctx.plan:
        for colour in lit_colours(cue):
            used[colour] += 1
    count = len(used)
    t = ctx.thresholds
    common = ", ".join(c for c, _ in sorted(used.items(), key=lambda kv: -kv[1])[:12])
    return MetricResult(
        name="palette_size",
        value=float(count),
        verdict=_above(count, t.palette_warn, t.palette_fail),
        detail=f"{count} colours lit in {len(ctx.plan)} cues" + (f": {common}" if common else ""),
    )


def cue_density(ctx: PlanContext) -> MetricResult:
    """Cues per hour of show, and the longest single state held (structure holds such as the interval left out)."""
    ordered = in_show_order(ctx.plan)
    if not ordered:
        return MetricResult(name="cue_density", value=None, verdict="FAIL", detail="no cues")
    start = min([c.time_window.start for c in ordered] + [s.time_window.start for s in ctx.scenes])
    end = max([c.time_window.end for c in ordered] + [s.time_window.end for s in ctx.scenes])
    hours = max(end - start, 1.0) / 3600
    per_hour = len(ordered) / hours
    not_a_hold = set(vocabulary().not_a_hold)
    holds = [c for c in ordered if not (is_structure(c) and c.called_on.moment in not_a_hold)]
    longest = max(holds or ordered, key=lambda c: c.time_window.duration)
    t = ctx.thresholds
    per_scene: dict[str, Verdict] = {}
    for c in holds:
        mark(per_scene, c.scene_id, _above(c.time_window.duration, t.longest_hold_warn, t.longest_hold_fail))
    rate: Verdict = _below(per_hour, t.cues_per_hour_warn, t.cues_per_hour_fail)
    if per_hour > t.cues_per_hour_max:
        rate = "WARN"
    hold = _above(longest.time_window.duration, t.longest_hold_warn, t.longest_hold_fail)
    verdict: Verdict = "FAIL" if "FAIL" in (rate, hold) else "WARN" if "WARN" in (rate, hold) else "PASS"
    return MetricResult(
        name="cue_density",
        value=round(per_hour, 2),
        verdict=verdict,
        detail=f"{len(ordered)} cues in {hours * 60:.1f} min: {per_hour:.1f} an hour; the longest state holds "
        f"{longest.time_window.duration / 60:.1f} min (cue {longest.cue_number:g}, {longest.scene_id})",
        per_scene=per_scene,
    )


def ends_dark(ctx: PlanContext) -> MetricResult:
    """The show ends in the dark: the last cue before any curtain call or house up is a blackout."""
    ordered = in_show_order(ctx.plan)
    after = set(vocabulary().after_the_end)
    ending = [c for c in ordered if not (is_structure(c) and c.called_on.moment in after)]
    if not ending:
        return MetricResult(name="ends_dark", value=None, verdict="FAIL", detail="no cues")
    last = ending[-1]
    dark = is_dark(last)
    bows = len(ordered) - len(ending)
    level = mean_level(last, ctx.rig)
    where = f"cue {last.cue_number:g} ({last.label})"
    detail = f"the show ends dark at {where}" if dark else f"the show holds its last look: {where} at a mean level {level:.2f}"
    return MetricResult(
        name="ends_dark",
        value=round(level, 4),
        verdict="PASS" if dark else "FAIL",
        detail=detail + (f"; {bows} curtain-call and house cues after it" if bows else ""),
        per_scene={last.scene_id: "PASS" if dark else "FAIL"},
    )


def locate(direction: str, text: str) -> int:
    """Where a direction stands in the text, across the line breaks of the printed page; -1 when it does not."""
    words = direction.split()
    if not words:
        return -1
    match = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return match.start() if match else -1


def directions_honoured(ctx: PlanContext) -> MetricResult:
    """Each lighting direction that stands in its scene's text has a cue called near its position."""
    tolerance = ctx.thresholds.direction_offset_tolerance
    offsets: dict[str, list[int]] = defaultdict(list)
    for cue in ctx.plan:
        on = cue.called_on
        if on.char_offset is not None:
            offsets[cue.scene_id].append(on.char_offset)
        elif on.kind == "scene_start":
            offsets[cue.scene_id].append(0)
    per_scene: dict[str, Verdict] = {}
    found = honoured = unplaced = 0
    first_miss = ""
    for scene in ctx.scenes:
        for direction in scene.explicit_lighting:
            at = locate(direction, scene.text)
            if at < 0:
                unplaced += 1
                continue
            found += 1
            near = any(abs(o - at) <= tolerance for o in offsets.get(scene.scene_id, []))
            honoured += near
            mark(per_scene, scene.scene_id, "PASS" if near else "FAIL")
            if not near and not first_miss:
                first_miss = f"; first missed: {scene.scene_id} at {at}: {direction[:40]!r}"
    if not found:
        return MetricResult(
            name="directions_honoured",
            value=None,
            verdict="PASS",
            detail="no lighting direction found in its scene's text" + (f" ({unplaced} not placed)" if unplaced else ""),
        )
    share = honoured / found
    t = ctx.thresholds
    return MetricResult(
        name="directions_honoured",
        value=round(share, 4),
        verdict=_below(share, t.directions_warn, t.directions_fail),
        detail=f"{honoured} of {found} directions have a cue within {tolerance:g} characters"
        + first_miss
        + (f"; {unplaced} not found in the text" if unplaced else ""),
        per_scene=per_scene,
    )


DESIGN_METRICS = (night_darker_than_day, key_light, palette_size, cue_density, ends_dark, directions_honoured)
