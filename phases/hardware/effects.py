"""Effects (flash, flicker, pulse, chase, lightning): pure functions of the time since the cue started.

This is the one source of truth for effect timelines. The preview's page (phases/preview/js/engine.js) carries a
line-for-line JavaScript mirror (`applyEffect` and its helpers) and tests/test_effects.py holds the two together in
a real Chromium. Keep to arithmetic both languages do alike: 32-bit integer hashing (Math.imul in JS),
exact divisions by powers of two, and strike times in whole milliseconds.
"""

import math
from dataclasses import dataclass
from functools import lru_cache

from phases.contracts import Effect

from .settings import load_data

MASK = 0xFFFFFFFF


def hash32(x: int) -> int:
    """Chris Wellons' lowbias32 integer hash."""
    x &= MASK
    x ^= x >> 16
    x = (x * 0x7FEB352D) & MASK
    x ^= x >> 15
    x = (x * 0x846CA68B) & MASK
    x ^= x >> 16
    return x


def mix(*values: int) -> int:
    h = 0x9E3779B9
    for v in values:
        h = hash32(h ^ (v & MASK))
    return h


def unit(h: int) -> float:
    """A 32-bit hash as a number in [0, 1), exactly (a division by 2**32)."""
    return h / 4294967296.0


def name_hash(name: str) -> int:
    """FNV-1a over the name's characters (group ids are ASCII)."""
    h = 0x811C9DC5
    for ch in name:
        h = ((h ^ ord(ch)) * 0x01000193) & MASK
    return h


def seed32(effect: Effect) -> int:
    return effect.seed & MASK


@dataclass(frozen=True)
class LightningShape:
    min_gap_ms: int
    max_flashes: int
    flash_ms: int
    flash_gap_ms: int
    spread: float


@lru_cache(maxsize=1)
def lightning_shape() -> LightningShape:
    data = load_data("effects")["lightning"]  # type: ignore[index]
    return LightningShape(
        min_gap_ms=round(float(data["min_gap_s"]) * 1000),
        max_flashes=int(data["max_flashes"]),
        flash_ms=int(data["flash_ms"]),
        flash_gap_ms=int(data["flash_gap_ms"]),
        spread=float(data["brightness_spread"]),
    )


@dataclass(frozen=True)
class Strike:
    at_ms: int
    flashes: int
    brightness: float


class _StrikeList:
    """A storm's strikes in order, drawn lazily as far as anyone has asked."""

    def __init__(self, seed: int, rate_hz: float) -> None:
        self.seed, self.shape = seed, lightning_shape()
        self.mean_ms = 1000.0 / rate_hz
        self.starts: list[int] = []
        self.strikes: list[Strike] = []
        self._next_ms = 0

    def _gap_ms(self, n: int) -> int:
        u = unit(mix(self.seed, n, 1))
        floor_ms = min(self.shape.min_gap_ms, self.mean_ms)
        return max(1, math.floor(floor_ms - math.log(1.0 - u) * (self.mean_ms - floor_ms)))

    def until(self, ms: int) -> None:
        while self._next_ms <= ms:
            n = len(self.strikes)
            self._next_ms += self._gap_ms(n)
            flashes = 1 + math.floor(unit(mix(self.seed, n, 2)) * self.shape.max_flashes)
            brightness = 1.0 - self.shape.spread * unit(mix(self.seed, n, 3))
            self.strikes.append(Strike(self._next_ms, flashes, brightness))
            self.starts.append(self._next_ms)


@lru_cache(maxsize=256)
def _storm(seed: int, rate_hz: float) -> _StrikeList:
    return _StrikeList(seed, rate_hz)


def strikes(effect: Effect, seconds: float) -> list[Strike]:
    """The strikes of a lightning effect in its first `seconds`: what the preview and the rig both play."""
    storm = _storm(seed32(effect), effect.rate_hz)
    limit = math.floor(seconds * 1000)
    storm.until(limit)
    return [s for s in storm.strikes if s.at_ms < limit]


def lightning_flash(effect: Effect, elapsed: float) -> float:
    """0 between strikes, else the strike's brightness (0..1) while one of its flashes is on."""
    storm = _storm(seed32(effect), effect.rate_hz)
    ms = math.floor(elapsed * 1000)
    storm.until(ms)
    k = _bisect_right(storm.starts, ms) - 1
    if k < 0:
        return 0.0
    strike, shape = storm.strikes[k], storm.shape
    into = ms - strike.at_ms
    period = shape.flash_ms + shape.flash_gap_ms
    if into // period < strike.flashes and into % period < shape.flash_ms:
        return strike.brightness
    return 0.0


def _bisect_right(values: list[int], x: int) -> int:
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < values[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


def apply_effect(effect: Effect, base: float, elapsed: float, group_id: str, index: int, count: int) -> float:
    """The level of fixture `index` of `count` in the group, `elapsed` seconds after the effect began."""
    if elapsed < 0 or (effect.duration is not None and elapsed >= effect.duration):
        return base
    phase = elapsed * effect.rate_hz
    depth = effect.depth
    if effect.type == "lightning":
        bright = lightning_flash(effect, elapsed)
        return base + depth * bright * (1.0 - base) if bright > 0 else base
    if effect.type == "flash":
        duty = float(load_data("effects")["flash"]["duty"])  # type: ignore[index]
        return base + depth * (1.0 - base) if phase % 1.0 < duty else base
    if effect.type == "pulse":
        return base * (1.0 - depth * (1.0 - math.cos(2 * math.pi * phase)) / 2.0)
    if effect.type == "flicker":
        step = math.floor(phase)
        group = name_hash(group_id)
        a = unit(mix(seed32(effect), group, index, step))
        b = unit(mix(seed32(effect), group, index, step + 1))
        dip = a + (b - a) * (phase - step)
        return base * (1.0 - depth * dip)
    # chase: one fixture at a time
    lit = math.floor(phase) % max(1, count)
    return base if index == lit else base * (1.0 - depth)
