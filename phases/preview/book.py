"""The prompt book: each scene's text with every cue's flag at its GO words, standbys, and act, scene and line references.

A flag sits where the stage manager calls the cue: the words of the line or direction it is called on (found near
the trigger's character offset), the top of the scene for a scene's opening state, beside the cue before it for a
follow, and for show-structure cues without words (preset, house, interval, curtain call) before or after the text.
Standbys come as a deputy stage manager writes them: one at the top of each scene for its cues, as the cue sheet
prints it, and one a few lines before a GO that comes long after the one before it.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from phases.contracts import CueTrigger, LightingInstruction, Scene
from phases.data_files import load_yaml_model

from .errors import PreviewError

BEFORE_THE_TEXT = frozenset({"preset", "house_half", "house_out"})


class BookSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    search_chars: int = Field(ge=0, le=5000, description="How far past the trigger's offset its words are looked for.")
    standby_lines: int = Field(ge=1, le=100, description="A standby this many lines before a GO ...")
    standby_gap_lines: int = Field(ge=1, le=500, description="... that comes at least this many lines after the GO before.")
    group_lines: int = Field(ge=0, le=100, description="GOs within this many lines of a standby's first cue share it.")


@lru_cache(maxsize=1)
def book_settings() -> BookSettings:
    return load_yaml_model(Path(__file__).parent / "data" / "book.yaml", BookSettings, PreviewError)


@dataclass(frozen=True)
class Flag:
    cue: int  # the cue's index in show order
    at: int  # where its GO words start in the scene's text
    end: int  # where they end (== at when the cue has no words of its own)


def go_words(text: str, trigger: CueTrigger) -> tuple[int, int] | None:
    """Where the words a cue is called on sit in its scene's text, or None when it has none there."""
    if trigger.char_offset is None and not trigger.text:
        return None
    words = " ".join((trigger.text or "").split())
    at = min(trigger.char_offset or 0, len(text))
    if words:
        # The trigger's text is the line with single spaces (and perhaps its speaker), perhaps shortened: find its
        # first words against the text's own spacing and line breaks, near the offset first, then anywhere; then
        # take in as much of the rest as the text has.
        said = words.split(": ", 1)[-1]
        for lo, hi in ((at, at + book_settings().search_chars + len(said)), (0, len(text))):
            found = _find_spaced(text, said[:60], lo, hi)
            if found is not None:
                end = _match_spaced(text, said, found[0])
                return found[0], max(found[1], end)
    if trigger.char_offset is None:
        return None
    end = text.find("\n", at)
    return at, (len(text) if end < 0 else end)


def _match_spaced(text: str, words: str, start: int) -> int:
    """How far `words` match the text from `start` (any run of whitespace in the text matching one space): the end of
    the last whole word matched."""
    i, j, end = start, 0, start
    while j < len(words) and i < len(text):
        if words[j] == " ":
            if not text[i].isspace():
                break
            end = i
            while i < len(text) and text[i].isspace():
                i += 1
            j += 1
        elif text[i] == words[j]:
            i, j = i + 1, j + 1
        else:
            break
    return i if j == len(words) else end


def _find_spaced(text: str, words: str, lo: int, hi: int) -> tuple[int, int] | None:
    """`words` in text[lo:hi], where any run of whitespace in the text matches one space."""
    if not words:
        return None
    head = words.split(" ", 1)[0]
    start = text.find(head, lo, hi)
    while start >= 0:
        end = _match_spaced(text, words, start)
        if text[start:end] and " ".join(text[start:end].split()) == words:
            return start, end
        start = text.find(head, start + 1, hi)
    return None


def line_at(scene: Scene, char: int) -> int | None:
    """The script line (1-based, of the normalised script) a character of the scene's text is on."""
    if scene.source is None:
        return None
    return scene.source.start_line + scene.text.count("\n", 0, char)


def book_flags(scene: Scene, cues: Sequence[tuple[int, LightingInstruction]]) -> list[Flag]:
    """Each of the scene's cues (index in show order, cue) at its place in the scene's text, in show order."""
    flags: list[Flag] = []
    text = scene.text
    for index, cue in cues:
        trigger = cue.called_on
        previous = flags[-1].at if flags else 0
        if trigger.kind == "follow":
            flags.append(Flag(index, previous, previous))
            continue
        if trigger.kind == "scene_start":
            first = text.find("\n")
            flags.append(Flag(index, 0, len(text) if first < 0 else first))
            continue
        span = go_words(text, trigger)
        if span is None:
            if trigger.kind == "structure" and trigger.moment in BEFORE_THE_TEXT:
                span = (0, 0)
            elif trigger.kind == "structure":
                span = (len(text), len(text))
            else:
                span = (previous, previous)
        flags.append(Flag(index, *span))
    return flags


def standbys(scene: Scene, flags: Sequence[Flag]) -> list[dict[str, object]]:
    """Where standbys go in the scene's text, each with the cues (indices) it warns."""
    if not flags:
        return []
    settings = book_settings()
    text = scene.text
    out: list[dict[str, object]] = [{"at": 0, "cues": [f.cue for f in flags], "scene": True}]
    line_of = [text.count("\n", 0, f.at) for f in flags]
    k = 1
    while k < len(flags):
        if line_of[k] - line_of[k - 1] < settings.standby_gap_lines:
            k += 1
            continue
        group = [k]
        while group[-1] + 1 < len(flags) and line_of[group[-1] + 1] - line_of[k] <= settings.group_lines:
            group.append(group[-1] + 1)
        target = max(line_of[k - 1] + 1, line_of[k] - settings.standby_lines)
        out.append({"at": _line_start(text, target), "cues": [flags[g].cue for g in group], "scene": False})
        k = group[-1] + 1
    return out


def _line_start(text: str, line: int) -> int:
    at = 0
    for _ in range(line):
        nxt = text.find("\n", at)
        if nxt < 0:
            return at
        at = nxt + 1
    return at


def prompt_book(scenes: Sequence[Scene], ordered: Sequence[LightingInstruction]) -> list[dict[str, object]]:
    """Per scene, in order: its references, its text, its cues' flags and its standbys (cue indices in show order)."""
    by_scene: dict[str, list[tuple[int, LightingInstruction]]] = {s.scene_id: [] for s in scenes}
    for index, cue in enumerate(ordered):
        scene_id = cue.scene_id if cue.scene_id in by_scene else _nearest(scenes, cue)
        if scene_id is not None:
            by_scene[scene_id].append((index, cue))
    book = []
    for scene in scenes:
        flags = book_flags(scene, by_scene[scene.scene_id])
        book.append(
            {
                "id": scene.scene_id,
                "act": scene.act,
                "heading": scene.heading or scene.location or scene.scene_id,
                "line0": scene.source.start_line if scene.source else None,
                "text": scene.text,
                "flags": [{"cue": f.cue, "at": f.at, "end": f.end, "line": line_at(scene, f.at)} for f in flags],
                "standbys": standbys(scene, flags),
            }
        )
    return book


def _nearest(scenes: Sequence[Scene], cue: LightingInstruction) -> str | None:
    start = cue.time_window.start
    inside = [s for s in scenes if s.time_window.start <= start]
    return (inside[-1] if inside else scenes[0]).scene_id if scenes else None
