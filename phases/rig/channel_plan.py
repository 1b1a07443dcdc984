"""What may be sent to each channel of a fixture mode, from what its definition says each DMX range does.

A dimmer or emitter is driven only inside a run of `level` ranges (the DJScan250's "Shutter" between 6 and 128,
"Dimmer Control"), with level 0 on a `closed` value; pan and tilt inside their position range; every other
channel holds one safe value (data/safety.yaml: shutter open, no function, a white colour slot...). A dimmer
whose level run is a few values wide (the Eurolite LED PAR56's "Mode", 0-31 "Dimmer" then programs) is a mode
switch: it holds its run's bright end and the emitters carry the level. A fixture that could only be lit by
strobing or a program is held dark (`can_light`); a mode with a channel that has no safe value at all cannot be
sent anything safely (`sendable`: the rig loader leaves it out). `ModePlan.notes` says why, for rig check.
"""

from dataclasses import dataclass, replace
from functools import lru_cache

from .profiles import FINE_OF, CapabilityRange, Channel, FixtureProfile
from .xml_files import load_data

LEVEL_ROLES = ("dimmer", "red", "green", "blue", "white", "amber", "uv", "lime", "cyan", "magenta", "yellow")
EMITTERS = ("red", "green", "blue", "white", "amber", "uv", "lime")
SUBTRACTIVE = ("cyan", "magenta", "yellow")
POSITION_ROLES = ("pan", "tilt")
_IMPLIED = {role: "level" for role in LEVEL_ROLES} | {"pan": "position", "tilt": "position"}


@dataclass(frozen=True)
class Span:
    """DMX bytes for a driven value 0..255: `off` at 0, else from `dark` (just above 0) to `bright` (255)."""

    dark: int
    bright: int
    off: int

    @property
    def full(self) -> bool:
        return (self.dark, self.bright, self.off) == (0, 255, 0)

    def byte(self, value: float) -> int:
        if value <= 0:
            return self.off
        if self.full:
            return max(0, min(255, int(value + 0.5)))
        return int(self.dark + min(value, 255.0) * (self.bright - self.dark) / 255.0 + 0.5)


@dataclass(frozen=True)
class ChannelPlan:
    offset: int
    name: str
    role: str
    drive: str | None  # the role that drives it (dimmer, red, ..., pan, tilt); None when it is held
    span: Span | None
    fine: int | None  # the offset of its fine byte: the value is sent as 16 bits
    hold: int  # the value sent while held (for a driven channel: its value at rest)
    hold_kind: str  # the class of that value ("" when the channel has no safe value)
    hold_label: str  # the definition's words for it
    note: str = ""


@dataclass(frozen=True)
class ModePlan:
    channels: tuple[ChannelPlan, ...]
    dims: bool  # a driven dimmer sets the level (else the emitters are scaled by it)
    emitters: tuple[str, ...]  # emitter roles driven
    subtractive: bool  # CMY flags driven
    position: bool  # pan and tilt driven
    can_light: bool
    notes: tuple[str, ...]  # what rig check says about the mode
    sendable: bool = True  # every channel has a safe value (else the rig loader leaves the fixture out)

    @property
    def held(self) -> tuple[ChannelPlan, ...]:
        return tuple(c for c in self.channels if c.drive is None)

    def rest(self) -> bytes:
        """Every channel at rest: held values, levels at 0 (pan and tilt at their held centre)."""
        return bytes(c.hold for c in self.channels)


def _settings() -> dict[str, object]:
    return load_data("safety")


def _ranges(channel: Channel) -> tuple[CapabilityRange, ...]:
    if channel.ranges:
        return channel.ranges
    coarse = FINE_OF.get(channel.role, channel.role)
    kind = _IMPLIED.get(coarse, "neutral")  # a hand-written profile's own channel does what its role says
    return (CapabilityRange(min=0, max=255, kind=kind, label=channel.name or channel.role),)  # type: ignore[arg-type]


def _runs(ranges: tuple[CapabilityRange, ...], kind: str) -> list[tuple[int, int, bool, str]]:
    """Maximal runs of adjacent ranges of `kind`: (low, high, decreasing, first label)."""
    runs: list[tuple[int, int, bool, str]] = []
    for r in ranges:
        if r.kind != kind:
            continue
        if runs and runs[-1][1] + 1 == r.min and runs[-1][2] == r.decreasing:
            low, _, down, label = runs[-1]
            runs[-1] = (low, r.max, down, label)
        else:
            runs.append((r.min, r.max, r.decreasing, r.label))
    return runs


def _describe(value: int, channel: Channel) -> tuple[str, str]:
    found = channel.range_at(value) if channel.ranges else None
    if found is None:
        return _ranges(channel)[0].kind, channel.name or channel.role
    return found.kind, found.label


def _hold(channel: Channel) -> tuple[int, str, str]:
    """(value, class, label) of the safe value a channel holds; class "" when it has none."""
    settings = _settings()
    order: list[str] = settings["hold_order"]  # type: ignore[assignment]
    ranges = _ranges(channel)
    at_default = next((r for r in ranges if r.min <= channel.default <= r.max), None)
    if at_default is not None and at_default.kind in order and at_default.kind != "closed":
        return channel.default, at_default.kind, at_default.label
    preferred: list[str] = settings["hold_labels"]  # type: ignore[assignment]
    for kind in order:
        candidates = [r for r in ranges if r.kind == kind]
        if not candidates:
            continue
        chosen = next((r for p in preferred for r in candidates if r.label.strip().lower().startswith(p)), candidates[0])
        if kind == "position":
            value = (chosen.min + chosen.max + 1) // 2
        elif kind == "level":  # at rest: dark (a dimmer that must stay open says so by its default)
            value = chosen.max if chosen.decreasing else chosen.min
        elif kind == "setting":  # the definition's default failing that its first value: what the fixture powers up in
            value = chosen.min
        else:
            value = chosen.min
        return value, kind, chosen.label
    return channel.default, "", ""


def _level_span(channel: Channel) -> tuple[Span | None, str]:
    """The span a level is sent in, or None with the reason it cannot be."""
    ranges = _ranges(channel)
    runs = _runs(ranges, "level")
    if not runs:
        return None, "no dimmer range"
    low, high, down, label = max(runs, key=lambda run: run[1] - run[0])
    if high - low + 1 < int(_settings()["min_dimmer_span"]):  # type: ignore[call-overload]
        return None, f"its dimmer range {low}-{high} ({label!r}) is too narrow to dim with"
    dark, bright = (high, low) if down else (low, high)
    if dark == (255 if down else 0):  # the run's own dark end is the channel's end: 0 % is off
        return Span(dark, bright, dark), ""
    closed = [r for r in ranges if r.kind == "closed"]
    if closed:
        nearest = min(closed, key=lambda r: min(abs(r.min - dark), abs(r.max - dark)))
        return Span(dark, bright, nearest.min if nearest.max < dark else nearest.max), ""  # its far end: fully closed
    return Span(dark, bright, dark), f"no value is dark: level 0 sends {dark} ({label!r}, its dimmest)"


def _position_span(channel: Channel) -> Span | None:
    runs = _runs(_ranges(channel), "position")
    if not runs:
        return None
    low, high, _, _ = max(runs, key=lambda run: run[1] - run[0])
    return Span(low, high, low)


def _fine_offset(profile: FixtureProfile, index: int, role: str) -> int | None:
    """The fine byte that pairs with the coarse channel at `index` (the n-th coarse with the n-th fine)."""
    coarse = profile.offsets(role)
    fine = profile.offsets(f"{role}_fine")
    n = coarse.index(index)
    return fine[n] if n < len(fine) else None


@lru_cache(maxsize=4096)
def plan_mode(profile: FixtureProfile) -> ModePlan:
    """How every channel of this mode is sent. Cached per profile (profiles are frozen)."""
    plans: list[ChannelPlan | None] = [None] * profile.footprint
    notes: list[str] = []
    fine_used: set[int] = set()
    spans: dict[int, tuple[Span | None, str]] = {}
    for index, channel in enumerate(profile.channels):
        if channel.role in LEVEL_ROLES:
            spans[index] = _level_span(channel)
        elif channel.role in POSITION_ROLES:
            position = _position_span(channel)
            spans[index] = (position, "" if position else "no position range")
    driven = {profile.channels[i].role for i, (span, _) in spans.items() if span is not None}
    emitters = tuple(e for e in EMITTERS if e in driven)
    if set(emitters) & {"red", "green", "blue"} and not {"red", "green", "blue"} <= set(emitters):
        emitters = tuple(e for e in emitters if e not in ("red", "green", "blue"))  # no mixing without all three
    for index, (span, why) in spans.items():
        channel = profile.channels[index]
        role, name = channel.role, channel.name or channel.role
        if span is not None and role in EMITTERS and role not in emitters:
            span, why = None, "red, green and blue are not all drivable"
        if span is None:
            if role == "dimmer" and "too narrow" in why and emitters:
                value, kind, label = _hold(_narrowed(channel))
                notes.append(f"{name}: held at {value} ({label!r}): {why}; the emitters carry the level")
            else:
                value, kind, label = _hold(channel)
                notes.append(f"{name}: not driven ({why}); held at {value} ({label!r})")
            plans[index] = ChannelPlan(index, channel.name, role, None, None, None, value, kind, label, why)
            continue
        fine = _fine_offset(profile, index, role) if span.full else None
        if fine is not None:
            fine_used.add(fine)
        rest = span.off if role in LEVEL_ROLES else (span.dark + span.bright + 1) // 2
        kind, label = _describe(rest, channel)
        plans[index] = ChannelPlan(index, channel.name, role, role, span, fine, rest, kind, label, why)
        if why:
            notes.append(f"{name}: {why}")
    for index, channel in enumerate(profile.channels):
        if plans[index] is not None:
            continue
        if index in fine_used:
            plans[index] = ChannelPlan(index, channel.name, channel.role, "fine", None, None, 0, "level", channel.name)
            continue
        value, kind, label = _hold(channel)
        plans[index] = ChannelPlan(index, channel.name, channel.role, None, None, None, value, kind, label)
    channels = tuple(p for p in plans if p is not None)
    driven = {c.drive for c in channels if c.drive}
    dims = "dimmer" in driven
    subtractive = all(c in driven for c in SUBTRACTIVE) and not emitters
    unsafe = [c for c in channels if not c.hold_kind and c.drive is None]
    dark = [c for c in channels if c.drive is None and c.hold_kind == "closed"]
    for c in unsafe:
        labels = ", ".join(sorted({r.label for r in _ranges(profile.channels[c.offset])}))[:120]
        notes.append(f"{c.name or c.role}: no safe value ({labels})")
    for c in dark:
        notes.append(f"{c.name or c.role}: its only safe value is {c.hold} ({c.hold_label!r}), which is dark")
    if not (dims or emitters):
        notes.append("no dimmer or colour emitter can be driven safely: the fixture cannot be lit")
    can_light = (dims or bool(emitters)) and not unsafe and not dark
    if not can_light:  # held dark: a held level (a narrow dimmer, a head dimmer under a master) at its dark end
        channels = tuple(_darkened(c, profile.channels[c.offset]) if c.hold_kind == "level" else c for c in channels)
    return ModePlan(channels, dims, emitters, subtractive, {"pan", "tilt"} <= driven, can_light, tuple(notes), not unsafe)


def _darkened(plan: ChannelPlan, channel: Channel) -> ChannelPlan:
    found = channel.range_at(plan.hold) if channel.ranges else None
    if found is None or found.kind != "level":
        return plan if found is not None or plan.hold == 0 else replace(plan, hold=0)
    return replace(plan, hold=found.max if found.decreasing else found.min, hold_label=found.label)


def _narrowed(channel: Channel) -> Channel:
    """A narrow dimmer held at the bright end of its level run (not at the definition's default)."""
    runs = _runs(_ranges(channel), "level")
    low, high, down, _ = max(runs, key=lambda run: run[1] - run[0])
    return channel.model_copy(update={"default": low if down else high})
