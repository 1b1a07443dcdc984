"""A cue's effects (lightning, flicker, pulse, flash, chase) as QLC+ Sequence steps: the levels Phase 8's
renderer plays, sampled where they change, as the DMX values of each fixture's mode.

Step times are from the cue's GO, as the renderer's effect clock. Lightning, flash and chase hold each level
(fade 0); flicker and pulse fade linearly to each sample, as the renderer interpolates. An effect loops over
`loop` seconds of its timeline (data/qlc_workspace.yaml); one with a duration plays once and then holds the
cue's steady level. Only the channels that move go into the Sequence: the cue's Scene keeps the others.
"""

import math
from dataclasses import dataclass

from phases.contracts import Effect
from phases.hardware import effects as fx
from phases.hardware.cue_looks import FixtureLook, capped
from phases.hardware.renderer import ShowRenderer
from phases.hardware.settings import load_data

from .qlc_settings import QlcSettings


@dataclass(frozen=True)
class EffectStep:
    fade_ms: int
    hold_ms: int
    values: dict[str, bytes]  # fixture_id -> the channel values of its mode


@dataclass(frozen=True)
class CueEffect:
    group_id: str
    effect: Effect
    fixtures: tuple[str, ...]
    channels: dict[str, tuple[int, ...]]  # fixture_id -> the channels of its mode the effect moves
    steps: tuple[EffectStep, ...]
    loop: bool


def _segments(effect: Effect, count: int, settings: QlcSettings, plays: float) -> tuple[list[tuple[float, float]], bool]:
    """(start s, length s) of each constant or linear segment of the effect's timeline, and whether it fades.

    An irregular effect loops over as much of its timeline as its cue plays on the show clock (`plays`), at most
    the data's loop: as long as the cue runs as planned, QLC+ plays the renderer's own storm."""
    period = 1.0 / effect.rate_hz
    span = effect.duration or max(period, min(settings.effect_loop_seconds[effect.type], plays))
    if effect.type == "lightning":
        shape = fx.lightning_shape()
        cuts = {0.0, span}
        for strike in fx.strikes(effect, span):
            for k in range(strike.flashes):
                on = (strike.at_ms + k * (shape.flash_ms + shape.flash_gap_ms)) / 1000
                cuts |= {on, on + shape.flash_ms / 1000}
        times = sorted(t for t in cuts if t <= span)
        return [(a, b - a) for a, b in zip(times, times[1:], strict=False) if b > a], False
    if effect.type == "flash":
        duty = float(load_data("effects")["flash"]["duty"])  # type: ignore[index]
        periods = max(1, math.ceil(span / period)) if effect.duration else 1
        halves = ((0.0, duty * period), (duty * period, (1 - duty) * period))
        return [(k * period + off, length) for k in range(periods) for off, length in halves], False
    if effect.type == "chase":
        periods = max(1, math.ceil(span / (period * max(1, count)))) if effect.duration else 1
        return [(k * period, period) for k in range(periods * max(1, count))], False
    per_period = settings.pulse_steps_per_period if effect.type == "pulse" else 1
    step = period / per_period
    n = max(1, round((span if effect.type == "flicker" or effect.duration else period) / step))
    return [(k * step, step) for k in range(1, n + 1)], True


@dataclass(frozen=True)
class _Members:
    group_id: str
    effect: Effect
    ids: list[str]
    looks: dict[str, FixtureLook]
    renderer: ShowRenderer
    cap: float

    def values(self, t: float, memo: dict[tuple[str, float], bytes]) -> dict[str, bytes]:
        """Each fixture's channels `t` seconds into the effect: the renderer's level (caps after the effect)."""
        out = {}
        raw: dict[tuple[float, int], float] = {}  # fixtures with one intent share a level (chase and flicker: per place)
        per_place = self.effect.type in ("chase", "flicker")
        for f in self.ids:
            look = self.looks[f]
            key = (look.intent, look.index if per_place else 0)
            if key not in raw:
                raw[key] = fx.apply_effect(self.effect, look.intent, t, self.group_id, look.index, look.count)
            level = raw[key]
            if (f, level) not in memo:  # a storm's levels repeat: its base between strikes above all
                sent = capped(level, self.renderer.fixture(f), self.cap)
                memo[(f, level)] = self.renderer.fixture_values(f, sent, self.colour(f))
            out[f] = memo[(f, level)]
        return out

    def steady(self) -> dict[str, bytes]:
        return {f: self.renderer.fixture_values(f, self.looks[f].level, self.colour(f)) for f in self.ids}

    def colour(self, fixture_id: str) -> tuple[float, float, float]:
        name = self.looks[fixture_id].colour
        return self.renderer.colour_of(name) if name else (0.0, 0.0, 0.0)


def cue_effects(
    looks: dict[str, FixtureLook],
    renderer: ShowRenderer,
    group_caps: dict[str, float],
    settings: QlcSettings,
    made: dict[tuple[object, ...], CueEffect] | None = None,
    plays: float = float("inf"),
) -> list[CueEffect]:
    """The effects of one cue, one per group that has one, with the renderer's DMX values at each step.

    `made` remembers effects already worked out: the storm that runs on through several cues is computed once.
    `plays`: how long the cue plays on the show clock, seconds.
    """
    made = {} if made is None else made
    by_group: dict[str, list[str]] = {}
    for fixture_id, look in looks.items():
        if look.effect is not None and look.in_cue:
            by_group.setdefault(renderer.group_of(fixture_id), []).append(fixture_id)
    out = []
    for group_id, ids in by_group.items():
        effect = looks[ids[0]].effect
        assert effect is not None
        lit = tuple((f, looks[f].intent, looks[f].level, looks[f].colour) for f in ids)
        key = (group_id, effect.model_dump_json(), plays, lit)
        if key in made:
            out.append(made[key])
            continue
        members = _Members(group_id, effect, ids, looks, renderer, group_caps[group_id])
        memo: dict[tuple[str, float], bytes] = {}
        segments, fades = _segments(effect, looks[ids[0]].count, settings, plays)
        steps = []
        for start, length in segments:
            ms = max(1, round(length * 1000))
            # a fading segment fades to its sampled level; a constant one holds the level it starts with
            values = members.values(start, memo)
            steps.append(EffectStep(ms, 0, values) if fades else EffectStep(0, ms, values))
        loop = effect.duration is None
        if not loop:  # after its duration the effect is gone: the steady level, held until the next cue
            steps.append(EffectStep(0, settings.infinite_hold_ms, members.values(effect.duration or 0.0, memo)))
        steady = members.steady()
        channels = {f: tuple(i for i in range(len(steady[f])) if any(s.values[f][i] != steady[f][i] for s in steps)) for f in ids}
        made[key] = CueEffect(group_id, effect, tuple(ids), channels, tuple(steps), loop)
        out.append(made[key])
    return out
