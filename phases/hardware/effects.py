"""Effects (flash, flicker, pulse, chase): pure functions of time since the cue started."""

import hashlib
import math

from phases.contracts import Effect

from .settings import load_data


def _unit_hash(*parts: object) -> float:
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def apply_effect(effect: Effect, base: float, elapsed: float, group_id: str, index: int, count: int) -> float:
    """The level of fixture `index` of `count` in the group, `elapsed` seconds after the effect began."""
    if elapsed < 0 or (effect.duration is not None and elapsed >= effect.duration):
        return base
    phase = elapsed * effect.rate_hz
    depth = effect.depth
    if effect.type == "flash":
        duty = float(load_data("effects")["flash"]["duty"])  # type: ignore[index]
        return base + depth * (1.0 - base) if phase % 1.0 < duty else base
    if effect.type == "pulse":
        return base * (1.0 - depth * (1.0 - math.cos(2 * math.pi * phase)) / 2.0)
    if effect.type == "flicker":
        seed = str(load_data("effects")["flicker"]["seed"])  # type: ignore[index]
        step = math.floor(phase)
        a, b = _unit_hash(seed, group_id, index, step), _unit_hash(seed, group_id, index, step + 1)
        dip = a + (b - a) * (phase - step)
        return base * (1.0 - depth * dip)
    # chase: one fixture at a time
    lit = math.floor(phase) % max(1, count)
    return base if index == lit else base * (1.0 - depth)
