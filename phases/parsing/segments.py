"""The intermediate shape every reader produces: where each scene starts and what its heading says."""

from dataclasses import dataclass, field
from itertools import accumulate

from phases.contracts import DialogueLine, ScriptType


@dataclass(slots=True)
class Line:
    number: int  # 1-based
    start: int  # char offset of the line's first character
    text: str


@dataclass
class Segment:
    start: int  # char offset where the scene begins
    script_type: ScriptType
    content_start: int | None = None  # where its own text begins, past any front matter
    heading: str | None = None
    reader: str = ""  # which reader found it; decides how its text is read
    location: str | None = None
    place_inherited: bool = False  # the heading named no place: the scene goes on where the last one was
    place_stated: bool = False  # the place was read from its first lines: its own, not carried on
    time_of_day: str | None = None
    start_time: float | None = None  # seconds, when the script states it
    end_time: float | None = None
    characters: list[str] = field(default_factory=list)
    dialogue: list[DialogueLine] = field(default_factory=list)
    directions: list[str] = field(default_factory=list)  # heading remainders, stage directions, action
    cues: list[str] = field(default_factory=list)  # explicit lighting found by the reader itself
    body: str | None = None  # the scene's own text when it does not come from a span (JSON input)
    dialogue_words: int = 0
    action_words: int = 0


def split_lines(text: str) -> list[Line]:
    raws = text.split("\n")
    starts = [0]
    starts.extend(accumulate(len(raw) + 1 for raw in raws[:-1]))
    return [Line(number, start, raw) for number, (start, raw) in enumerate(zip(starts, raws, strict=True), start=1)]


def add_character(segment: Segment, name: str) -> None:
    if name not in segment.characters:
        segment.characters.append(name)
