"""Where a stage manager finds a cue in the script: its page, its line, and the word the GO is called on.

One reading for the cue sheet and the preview's prompt book, so both show the same page and GO word.
Pages: a script read from a PDF keeps the PDF's own pages (Phase 1 records where each begins); any other
script is paged at `lines_per_page` lines (default: a standard typescript page, data/cue_sheet.yaml).
The GO word is a spoken word or a word of a stage direction: never a speaker's name, the scene's heading
or the title page before it. Cues called on no words (a follow, the house going out) have no GO word.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.contracts import CueTrigger, Scene
from phases.data_files import load_yaml_model

from .errors import ExportError

WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
# A speaker's prefix at the start of a line: "MACBETH.", "FIRST WITCH:", "LADY MACBETH" alone on its line.
CAPS_SPEAKER = re.compile(r"^[ \t]*([A-Z][A-Z0-9'\u2019&\- ]{0,40}?)[ \t]*(?:[.:](?=\s|$)|$)", re.MULTILINE)


class PageSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    lines_per_page: int = Field(ge=10, le=500)
    # Moments at the end of the show or of an act: their cue sits at the end of its scene, not its start.
    end_moments: list[str]


@lru_cache(maxsize=1)
def page_settings() -> PageSettings:
    return load_yaml_model(Path(__file__).parent / "data" / "pages.yaml", PageSettings, ExportError)


@dataclass(frozen=True)
class CueMark:
    """A cue's place in the script: what the cue sheet prints and the prompt book marks."""

    page: int | None
    line: int | None  # the script line (from 1, as Phase 1 counts them)
    go_word: str  # "" when the cue is called on no word
    start: int | None  # where the GO word sits in the scene's text (character offsets), None without one
    end: int | None


def page_of(scene: Scene | None, line: int | None, lines_per_page: int | None = None) -> int | None:
    """The page `line` is on: the PDF's page when the script was a PDF, else counted at lines_per_page."""
    if line is None:
        return None
    source = scene.source if scene is not None else None
    if source is not None and source.start_page is not None:
        return source.start_page + sum(1 for n in source.page_lines if n <= line)
    return (line - 1) // (lines_per_page or page_settings().lines_per_page) + 1


def _heading_end(scene: Scene) -> int:
    """Where the scene's own text begins: after its heading, and after the title page that may come before it."""
    if not scene.heading:
        return 0
    words = WORD.findall(scene.heading)
    if not words:
        return 0
    found = re.search(r"\W+".join(re.escape(w) for w in words), scene.text)
    if found is None:
        return 0
    end = scene.text.find("\n", found.end())
    return len(scene.text) if end < 0 else end


def _speakers(scene: Scene) -> set[str]:
    names = {c.strip().upper() for c in scene.characters}
    names |= {d.character.strip().upper() for d in scene.dialogue}
    return {n for n in names if n}


def _speaker_spans(scene: Scene, start: int, stop: int) -> list[tuple[int, int]]:
    """Character spans of speaker prefixes between start and stop: a line opening with one of the scene's
    characters, or with capitals ending in '.' or ':' (the play's own convention), or capitals alone on it."""
    names = _speakers(scene)
    spans = []
    for match in CAPS_SPEAKER.finditer(scene.text, start, stop):
        name = " ".join(match.group(1).split())
        if name in names or (len(name) >= 2 and any(ch.isalpha() for ch in name)):
            spans.append((match.start(1), match.end()))
    return spans


def go_word_span(scene: Scene, at: int) -> tuple[int, int] | None:
    """The first spoken or direction word at or after `at`, past any speaker's name and never in the heading
    or the title page before it; None if there is none."""
    text = scene.text
    at = max(at, _heading_end(scene))
    stop = min(len(text), at + 4000)  # the GO word is near where the cue points: never search the whole scene
    skipped = _speaker_spans(scene, text.rfind("\n", 0, at) + 1, stop)
    for match in WORD.finditer(text, at, stop):
        if not any(a <= match.start() < b for a, b in skipped):
            return match.start(), match.end()
    return None


def _line_at(scene: Scene, offset: int) -> int | None:
    if scene.source is None:
        return None
    return scene.source.start_line + scene.text.count("\n", 0, offset)


def cue_marks(
    cues: Sequence[tuple[Scene | None, CueTrigger]], lines_per_page: int | None = None
) -> list[CueMark]:
    """The marks of a cue list in show order: a follow sits where the cue it follows sits, with no GO word."""
    marks: list[CueMark] = []
    for scene, trigger in cues:
        if trigger.kind == "follow" and marks:
            marks.append(CueMark(marks[-1].page, marks[-1].line, "", None, None))
        else:
            marks.append(cue_mark(scene, trigger, lines_per_page))
    return marks


def cue_mark(scene: Scene | None, trigger: CueTrigger, lines_per_page: int | None = None) -> CueMark:
    """Page, line and GO word of a cue called on `trigger` in `scene` (the cue's own scene)."""
    settings = page_settings()
    line = trigger.script_line
    span: tuple[int, int] | None = None
    if scene is not None and trigger.kind != "follow":
        if trigger.char_offset is not None and trigger.char_offset <= len(scene.text):
            span = go_word_span(scene, trigger.char_offset)
        elif trigger.kind == "scene_start":
            span = go_word_span(scene, _heading_end(scene))
    if scene is not None:
        if span is not None:
            line = _line_at(scene, span[0]) or line
        elif line is None and scene.source is not None:
            at_end = trigger.kind == "structure" and trigger.moment in settings.end_moments
            line = scene.source.end_line if at_end else _line_at(scene, _heading_end(scene))
    word = scene.text[span[0] : span[1]] if scene is not None and span is not None else ""
    return CueMark(
        page=page_of(scene, line, lines_per_page),
        line=line,
        go_word=word,
        start=span[0] if span else None,
        end=span[1] if span else None,
    )
