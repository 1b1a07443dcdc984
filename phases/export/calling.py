"""What a stage manager calls each cue on: the page and line, the GO word in its context, and the standbys.

A standby is given for each sequence of cues: cues that come within `standby.gap_lines` script lines of the
one before (a follow always goes with its cue) are called from one standby, given `standby.lead_lines`
lines before the first of them.
"""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.contracts import CueTrigger, Scene, ShowMoment
from phases.data_files import load_yaml_model

from .cue_list import ConsoleCue, ConsoleShow, number_text, seconds_text
from .errors import ExportError
from .pages import CueMark, cue_marks, page_of


class Standby(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    gap_lines: int = Field(ge=0, le=1000)
    lead_lines: int = Field(ge=0, le=1000)


class SheetWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    moments: dict[ShowMoment, str]
    context_chars: int = Field(ge=20, le=2000)
    standby: Standby


@lru_cache(maxsize=1)
def sheet_words() -> SheetWords:
    return load_yaml_model(Path(__file__).parent / "data" / "cue_sheet.yaml", SheetWords, ExportError)


@dataclass(frozen=True)
class CueCall:
    cue: ConsoleCue
    act: int | None
    scene_id: str
    scene_heading: str
    page: int | None  # the script's page (the PDF's own, or counted at lines per page)
    line: int | None  # the script line the GO word is on
    go_word: str  # the word the stage manager says GO on; "" for a follow or a show moment
    called_on: str  # "line: ...", "direction: ...", "follow 2.5 s after 10", "scene start", "house out"
    context_before: str  # the script text just before the GO word
    context_words: str  # the GO word (what the DSM marks in the book)
    context_after: str
    time: str  # "up 5 / down 3", with delays
    follow: str  # "" or "auto 2.5 s after 10"
    standby: str  # on the first cue of a sequence: "Standby LX 7 to 9"; "" on the others
    standby_page: int | None
    standby_line: int | None


def _context(scene: Scene | None, trigger: CueTrigger, mark: CueMark) -> tuple[str, str, str]:
    if scene is None or mark.start is None or mark.end is None:
        return "", "", ""
    text, chars = scene.text, sheet_words().context_chars
    before = text[max(0, mark.start - chars) : mark.start]
    after = text[mark.end : mark.end + chars // 2]
    return " ".join(before.split()), text[mark.start : mark.end], " ".join(after.split())


def standby_text(numbers: list[float]) -> str:
    """"Standby LX 7", "Standby LX 7 and 8", "Standby LX 7 to 9 (4 cues)"."""
    texts = [number_text(n) for n in numbers]
    if len(texts) == 1:
        return f"Standby LX {texts[0]}"
    if len(texts) == 2:
        return f"Standby LX {texts[0]} and {texts[1]}"
    return f"Standby LX {texts[0]} to {texts[-1]} ({len(texts)} cues)"


def sequences(lines: list[int | None], follows: list[bool], gap_lines: int) -> list[list[int]]:
    """Indexes of the cues called from one standby: each within gap_lines of the one before, follows included."""
    runs: list[list[int]] = []
    for index, (line, follow) in enumerate(zip(lines, follows, strict=True)):
        before = lines[runs[-1][-1]] if runs else None
        near = line is not None and before is not None and 0 <= line - before <= gap_lines
        if runs and (follow or near):
            runs[-1].append(index)
        else:
            runs.append([index])
    return runs


def _time(cue: ConsoleCue) -> str:
    def one(name: str, t: float, d: float) -> str:
        return f"{name} {seconds_text(t)}" + (f" (delay {seconds_text(d)})" if d else "")

    if (cue.up_time, cue.up_delay) == (cue.down_time, cue.down_delay):
        text = one("", cue.up_time, cue.up_delay).strip()
    else:
        text = f"{one('up', cue.up_time, cue.up_delay)} / {one('down', cue.down_time, cue.down_delay)}"
    return text + (f", {len(cue.parts)} parts" if cue.parts else "")


def parts_text(cue: ConsoleCue) -> str:
    """'part 1: 1.5 s; part 2: 5.5 s after 2 s' for a cue whose groups move on their own times."""
    return "; ".join(
        f"part {p.number}: {seconds_text(p.time)} s" + (f" after {seconds_text(p.delay)} s" if p.delay else "") for p in cue.parts
    )


def cue_calls(show: ConsoleShow) -> list[CueCall]:
    settings = sheet_words()
    lines_per_page = show.lines_per_page
    marks = cue_marks([(show.scenes.get(c.scene_id), c.called_on) for c in show.cues], lines_per_page)
    follows = [c.called_on.kind == "follow" and i > 0 for i, c in enumerate(show.cues)]
    standbys: dict[int, tuple[str, int | None, int | None]] = {}
    for run in sequences([m.line for m in marks], follows, settings.standby.gap_lines):
        first = run[0]
        scene = show.scenes.get(show.cues[first].scene_id)
        line = marks[first].line
        at = None if line is None else max(1, line - settings.standby.lead_lines)
        if at is not None and scene is not None and scene.source is not None:
            at = max(at, scene.source.start_line)
        standbys[first] = (standby_text([show.cues[i].number for i in run]), page_of(scene, at, lines_per_page), at)
    calls: list[CueCall] = []
    for index, (cue, mark) in enumerate(zip(show.cues, marks, strict=True)):
        scene = show.scenes.get(cue.scene_id)
        trigger = cue.called_on
        previous = show.cues[index - 1] if index else None
        follow = ""
        if cue.follow_wait is not None and previous is not None:
            follow = f"auto {seconds_text(cue.follow_wait)} s after {number_text(previous.number)}"
        if trigger.kind == "structure" and trigger.moment:
            called = settings.moments[trigger.moment]
        elif trigger.kind == "follow":
            called = follow or "follow"
        elif trigger.kind == "scene_start":
            called = "scene start"
        else:
            called = f"{trigger.kind}: {trigger.text}" if trigger.text else trigger.kind
        before, words, after = _context(scene, trigger, mark)
        standby, standby_page, standby_line = standbys.get(index, ("", None, None))
        calls.append(
            CueCall(
                cue=cue,
                act=scene.act if scene is not None else None,
                scene_id=cue.scene_id,
                scene_heading=(scene.heading if scene is not None and scene.heading else cue.scene_id),
                page=mark.page,
                line=mark.line,
                go_word=mark.go_word,
                called_on=called,
                context_before=before,
                context_words=words,
                context_after=after,
                time=_time(cue),
                follow=follow,
                standby=standby,
                standby_page=standby_page,
                standby_line=standby_line,
            )
        )
    return calls
