"""What a stage manager calls each cue on: where in the script, the words, and the line in context."""

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.contracts import CueTrigger, Scene, ShowMoment
from phases.data_files import load_yaml_model

from .cue_list import ConsoleCue, ConsoleShow, number_text, seconds_text
from .errors import ExportError


class SheetWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    moments: dict[ShowMoment, str]
    context_chars: int = Field(ge=20, le=2000)


@lru_cache(maxsize=1)
def sheet_words() -> SheetWords:
    return load_yaml_model(Path(__file__).parent / "data" / "cue_sheet.yaml", SheetWords, ExportError)


@dataclass(frozen=True)
class CueCall:
    cue: ConsoleCue
    act: int | None
    scene_id: str
    scene_heading: str
    line: int | None  # the script line it is called on
    called_on: str  # "line: ...", "direction: ...", "follow 2.5 s after 10", "scene start", "house out"
    context_before: str  # the script text just before the words it is called on
    context_words: str  # the words themselves (what the DSM marks in the book)
    context_after: str
    time: str  # "up 5 / down 3", with delays
    follow: str  # "" or "auto 2.5 s after 10"


def _line_of(scene: Scene | None, trigger: CueTrigger) -> int | None:
    if trigger.script_line is not None:
        return trigger.script_line
    if scene is not None and scene.source is not None:
        if trigger.char_offset is not None:
            return scene.source.start_line + scene.text.count("\n", 0, trigger.char_offset)
        return scene.source.start_line
    return None


def _context(scene: Scene | None, trigger: CueTrigger) -> tuple[str, str, str]:
    if scene is None:
        return "", trigger.text or "", ""
    text = scene.text
    if trigger.char_offset is not None and trigger.char_offset <= len(text):
        at = trigger.char_offset
        words = trigger.text or ""
        found = text.find(words, at, at + sheet_words().context_chars + len(words)) if words else -1
        if found >= 0:  # the words inside the line the offset points at (a speech prefix, say, comes first)
            at, end = found, found + len(words)
        else:
            end = text.find("\n", at)
            end = len(text) if end < 0 else end
            words = text[at:end]
        before = text[max(0, at - sheet_words().context_chars) : at]
        after = text[end : end + sheet_words().context_chars // 2]
        return " ".join(before.split()), " ".join(words.split()), " ".join(after.split())
    if trigger.kind == "scene_start":
        first = text.strip().split("\n", 1)[0]
        return "", " ".join(first.split())[: sheet_words().context_chars], ""
    return "", trigger.text or "", ""


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
    calls: list[CueCall] = []
    for index, cue in enumerate(show.cues):
        scene = show.scenes.get(cue.scene_id)
        trigger = cue.called_on
        previous = show.cues[index - 1] if index else None
        follow = ""
        if cue.follow_wait is not None and previous is not None:
            follow = f"auto {seconds_text(cue.follow_wait)} s after {number_text(previous.number)}"
        if trigger.kind == "structure" and trigger.moment:
            called = sheet_words().moments[trigger.moment]
        elif trigger.kind == "follow":
            called = follow or "follow"
        elif trigger.kind == "scene_start":
            called = "scene start"
        else:
            called = f"{trigger.kind}: {trigger.text}" if trigger.text else trigger.kind
        before, words, after = _context(scene, trigger)
        calls.append(
            CueCall(
                cue=cue,
                act=scene.act if scene is not None else None,
                scene_id=cue.scene_id,
                scene_heading=(scene.heading if scene is not None and scene.heading else cue.scene_id),
                line=calls[-1].line if trigger.kind == "follow" and calls else _line_of(scene, trigger),
                called_on=called,
                context_before=before,
                context_words=words,
                context_after=after,
                time=_time(cue),
                follow=follow,
            )
        )
    return calls
