"""A fixture's level and colour -> the channel values of its mode, as the DMX renderer sets them for a
steady state (the QLC+ workspace stores each cue's state as values, since QLC+ knows no intent)."""

from dataclasses import dataclass

from phases.contracts import Colour
from phases.hardware.colour_mixing import RGB, emitter_colours, mix
from phases.hardware.patch import PatchedFixture
from phases.hardware.profiles import FixtureProfile

from .levels import FixtureLook

EXTRA_EMITTERS = ("white", "amber")


def _byte(value: float) -> int:
    return max(0, min(255, int(value + 0.5)))


@dataclass(frozen=True)
class _Layout:
    defaults: tuple[int, ...]
    dimmer: int | None
    fine: int | None
    extras: tuple[str, ...]
    colour_offsets: tuple[tuple[str, int], ...]  # (role, offset) of red, green, blue and the extras present


def _layout(profile: FixtureProfile) -> _Layout:
    extras = tuple(e for e in EXTRA_EMITTERS if profile.offset(e) is not None)
    colour = tuple((r, o) for r in ("red", "green", "blue", *extras) if (o := profile.offset(r)) is not None)
    return _Layout(
        defaults=tuple(c.default for c in profile.channels),
        dimmer=profile.offset("dimmer"),
        fine=profile.offset("dimmer_fine"),
        extras=extras,
        colour_offsets=colour if profile.mixes_colour else (),
    )


class ChannelValues:
    def __init__(self, colours: dict[str, Colour]) -> None:
        self._rgb: dict[str, RGB] = {n: (float(c.rgb[0]), float(c.rgb[1]), float(c.rgb[2])) for n, c in colours.items()}
        self._emitters = emitter_colours()
        self._layouts: dict[str, _Layout] = {}
        self._mixed: dict[tuple[str, tuple[str, ...]], dict[str, float]] = {}
        self._done: dict[tuple[str, float, str | None], list[int]] = {}  # a show repeats its states

    def of(self, patched: PatchedFixture, look: FixtureLook) -> list[int]:
        """Every channel of the fixture's mode, in order: dimmer (16-bit with a fine channel), mixed colour."""
        key = (patched.profile.name, look.level, look.colour)
        values = self._done.get(key)
        if values is None:
            values = self._done[key] = self._values(patched, look)
        return values

    def _values(self, patched: PatchedFixture, look: FixtureLook) -> list[int]:
        layout = self._layouts.get(patched.profile.name)
        if layout is None:
            layout = self._layouts[patched.profile.name] = _layout(patched.profile)
        values = list(layout.defaults)
        level = look.level
        if layout.dimmer is not None:
            if layout.fine is None:
                values[layout.dimmer] = _byte(level * 255)
            else:
                wide = max(0, min(65535, int(level * 65535 + 0.5)))
                values[layout.dimmer], values[layout.fine] = wide >> 8, wide & 0xFF
        if layout.colour_offsets:
            if level > 0 and look.colour is not None:
                key = (look.colour, layout.extras)
                mixed = self._mixed.get(key)
                if mixed is None:
                    mixed = self._mixed[key] = mix(self._rgb[look.colour], layout.extras, self._emitters)
                scale = 1.0 if layout.dimmer is not None else level
                for role, offset in layout.colour_offsets:
                    values[offset] = _byte(mixed[role] * scale)
            else:
                for _, offset in layout.colour_offsets:
                    values[offset] = 0
        return values
