"""A look under construction: per-group level, colour, effect and focus, before it becomes a contract."""

from dataclasses import dataclass, field

from phases.contracts import Effect


@dataclass
class GroupState:
    intensity: float
    colour: str
    effect: Effect | None = None
    focus_area: str | None = None
    pair: tuple[str, float, str] | None = None  # McCandless: (colour, share of the level, fixture-id token) of the other half
    isolate: str | None = None  # the one front area held while the others fall away

    def copy(self) -> "GroupState":
        return GroupState(self.intensity, self.colour, self.effect, self.focus_area, self.pair, self.isolate)


@dataclass
class Look:
    groups: dict[str, GroupState]
    transition_type: str | None = None  # forced by an explicit cue: "cut" or "fade"
    speed: str | None = None  # forced by an explicit cue
    honoured: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def copy(self) -> "Look":
        return Look(groups={g: s.copy() for g, s in self.groups.items()})
