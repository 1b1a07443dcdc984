"""A fixture definition (from QLC+ or the Open Fixture Library): its modes as Phase 8 profiles."""

import re
from dataclasses import dataclass, field

from pydantic import ValidationError

from phases.contracts.rig import Capability

from .errors import RigError
from .profiles import FINE_OF, Channel, FixtureProfile

CAPABILITY_OF_ROLE: dict[str, Capability] = {
    "dimmer": "intensity",
    "red": "color",
    "cyan": "color",
    "color_temperature": "color_temperature",
    "pan": "pan_tilt",
    "tilt": "pan_tilt",
    "zoom": "zoom",
    "gobo": "gobo",
    "strobe": "strobe",
    "shutter": "strobe",
}
EMITTERS = ("red", "green", "blue", "white", "amber", "uv", "lime")


def slug(text: str) -> str:
    value = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return value or "x"


@dataclass(frozen=True)
class FixtureDefinition:
    manufacturer: str
    model: str
    kind: str  # QLC+ type or OFL category: "Color Changer", "Moving Head", "Dimmer", ...
    modes: dict[str, tuple[Channel, ...]]
    source: str  # the file it came from
    notes: tuple[str, ...] = field(default=())
    travel: tuple[float | None, float | None] = (None, None)  # pan and tilt travel in degrees, when the file says

    def mode_name(self, mode: str | None) -> str:
        """The mode asked for (matched without regard to case), or the only mode when none is asked for."""
        if mode is None:
            if len(self.modes) == 1:
                return next(iter(self.modes))
            raise RigError(f"{self.manufacturer} {self.model}: say which mode ({', '.join(self.modes)})")
        for name in self.modes:
            if name.strip().lower() == mode.strip().lower():
                return name
        raise RigError(f"{self.manufacturer} {self.model} has no mode {mode!r} (modes: {', '.join(self.modes)}; {self.source})")

    def profile(self, mode: str | None) -> FixtureProfile:
        name = self.mode_name(mode)
        channels = _playable(self.modes[name])
        try:
            return FixtureProfile(
                name=slug(f"{self.manufacturer}_{self.model}_{name}"),
                description=f"{self.manufacturer} {self.model}, mode {name} ({len(channels)} channels), from {self.source}",
                channels=channels,
                manufacturer=self.manufacturer,
                model=self.model,
                mode=name,
                pan_degrees=self.travel[0] if any(c.role == "pan" for c in channels) else None,
                tilt_degrees=self.travel[1] if any(c.role == "tilt" for c in channels) else None,
            )
        except ValidationError as exc:
            raise RigError(f"{self.manufacturer} {self.model} mode {name}: {exc.errors()[0]['msg']}") from None


def _playable(channels: tuple[Channel, ...]) -> tuple[Channel, ...]:
    """Channels the renderer cannot drive consistently become 'other' (held at their default)."""
    roles = [c.role for c in channels]
    out = list(channels)
    for i, c in enumerate(channels):
        coarse = FINE_OF.get(c.role)
        if coarse is not None and coarse not in roles:
            out[i] = c.model_copy(update={"role": "other"})
    if not {"red", "green", "blue"} <= set(roles):
        out = [c.model_copy(update={"role": "other"}) if c.role in ("red", "green", "blue") else c for c in out]
        out = [c.model_copy(update={"role": "other"}) if c.role.split("_")[0] in ("red", "green", "blue") else c for c in out]
    return tuple(out)


def capabilities(profile: FixtureProfile) -> list[Capability]:
    """The contract's capabilities of a mode. Every fixture cueflow patches has intensity."""
    found: list[Capability] = ["intensity"]
    for channel in profile.channels:
        cap = CAPABILITY_OF_ROLE.get(channel.role)
        if cap == "color" and not (profile.mixes_colour or profile.subtractive):
            continue
        if cap is not None and cap not in found:
            found.append(cap)
    return found


def lights(profile: FixtureProfile) -> bool:
    """Whether cueflow can set the fixture's level: a dimmer or colour emitters."""
    return profile.has("dimmer") or profile.mixes_colour or any(profile.has(e) for e in ("white", "amber"))
