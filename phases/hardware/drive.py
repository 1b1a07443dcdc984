"""Phase 8's side of a mode's channel plan (phases/rig/channel_plan.py): the slots that carry level, colour and
position, and the bytes written to them each frame."""

from dataclasses import dataclass
from functools import lru_cache

from phases.rig.channel_plan import SUBTRACTIVE, ModePlan, Span, plan_mode
from phases.rig.profiles import FixtureProfile

Slot = tuple[int, Span, int | None]  # offset, span, fine offset


@dataclass(frozen=True)
class ModeWriter:
    """A mode's plan compiled for the frame loop: which slots carry the level, colour and position."""

    plan: ModePlan
    rest: bytes
    dimmers: tuple[Slot, ...]
    emitters: tuple[tuple[str, Slot], ...]
    extras: tuple[str, ...]  # white, amber: mixed in with red, green and blue
    single: bool  # only single-colour emitters (white, amber, UV, lime): each sends the level
    subtractive: tuple[tuple[int, Slot], ...]  # CMY: (index into the RGB, slot)
    pan: tuple[Slot, ...]
    tilt: tuple[Slot, ...]

    def write(self, frame: bytearray, start: int, level: float, colour: tuple[float, float, float],
              mixed: dict[str, float] | None, pan: float, tilt: float) -> None:  # fmt: skip
        """Write the fixture at `start`: level 0..1, mixed emitter levels 0..255, pan and tilt 0..1 of their span."""
        frame[start : start + len(self.rest)] = self.rest
        for slot in self.pan:
            _send(frame, start, slot, pan * 255.0)
        for slot in self.tilt:
            _send(frame, start, slot, tilt * 255.0)
        if not self.plan.can_light or level <= 0:
            return
        for slot in self.dimmers:
            _send(frame, start, slot, level * 255.0)
        scale = 1.0 if self.plan.dims else level
        if self.single:
            for _, slot in self.emitters:
                _send(frame, start, slot, 255.0 * scale)
        elif mixed is not None:
            for role, slot in self.emitters:
                _send(frame, start, slot, mixed.get(role, 0.0) * scale)
        for index, slot in self.subtractive:
            _send(frame, start, slot, 255.0 - colour[index] * scale)


def _send(frame: bytearray, start: int, slot: Slot, value: float) -> None:
    offset, span, fine = slot
    if fine is not None:
        wide = max(0, min(65535, int(value * 257 + 0.5)))
        frame[start + offset], frame[start + fine] = wide >> 8, wide & 0xFF
    else:
        frame[start + offset] = span.byte(value)


@lru_cache(maxsize=4096)
def writer(profile: FixtureProfile) -> ModeWriter:
    plan = plan_mode(profile)

    def slots(role: str) -> tuple[Slot, ...]:
        return tuple((c.offset, c.span, c.fine) for c in plan.channels if c.drive == role and c.span is not None)

    emitters = tuple((role, slot) for role in plan.emitters for slot in slots(role))
    rgb = {"red", "green", "blue"} <= set(plan.emitters)
    return ModeWriter(
        plan=plan,
        rest=plan.rest(),
        dimmers=slots("dimmer"),
        emitters=emitters,
        extras=tuple(e for e in ("white", "amber") if e in plan.emitters) if rgb else (),
        single=bool(emitters) and not rgb,
        subtractive=tuple((i, slot) for i, role in enumerate(SUBTRACTIVE) for slot in slots(role)) if plan.subtractive else (),
        pan=slots("pan"),
        tilt=slots("tilt"),
    )
