"""A designer's prompt-book calls for a play (a gold file): where the cues go, and each scene's time of day.

Phase 7 scores a plan against one when it is given. The shape is the one in ../shared/data/gold/README.md.
"""

from typing import Literal

from pydantic import Field

from ._base import Contract

GoldTime = Literal["dawn", "morning", "day", "noon", "afternoon", "dusk", "evening", "night", "midnight", "unknown"]
GoldCueKind = Literal[
    "light_named",
    "storm",
    "supernatural",
    "death",
    "fight_alarum",
    "isolation",
    "entrance_state",
    "music_dance",
    "time_change",
    "restore",
    "other",
]
SCENE_NUMBER = r"^\d+\.\d+$"


class GoldScene(Contract):
    scene: str = Field(pattern=SCENE_NUMBER, description="act.scene as the headings print them.")
    heading: str = ""
    time: GoldTime = "unknown"
    time_source: Literal["own", "carried", "none"] = "none"
    time_evidence: str = ""
    interior: bool | None = None
    look: str = ""


class GoldCue(Contract):
    scene: str = Field(pattern=SCENE_NUMBER)
    anchor: str = Field(min_length=1, max_length=200, description="A verbatim substring of one line, unique in its scene.")
    kind: GoldCueKind = "other"
    must: bool
    why: str = ""


class GoldMustNot(Contract):
    scene: str = Field(pattern=SCENE_NUMBER)
    anchor: str = Field(min_length=1, max_length=200)
    why: str = ""


class GoldCalls(Contract):
    """One play's gold file."""

    play: str = Field(min_length=1)
    scenes: list[GoldScene] = Field(default_factory=list, max_length=2000)
    cues: list[GoldCue] = Field(default_factory=list, max_length=20000)
    must_not: list[GoldMustNot] = Field(default_factory=list, max_length=20000)
