"""Where a scene's stage directions and speeches are in its text, in the layouts play texts use: bracketed
directions or First Folio direction lines; speakers in capitals (`HAMLET.`, `THESEUS`), abbreviated alone on a
line (`Ham.`), or abbreviated before the words (`  Orl. As I remember`). A speech that carries on after a
direction (`[Exit Messala.]` and Titinius goes on talking) is a speech of the same speaker."""

import bisect
import re
from dataclasses import dataclass

from .stage_data import stage_vocabulary

_BRACKETED = re.compile(r"\[([^\[\]]{1,800})\]")
# A bracket the text never closes ("[Retreat. Flourish. Enter, with drum..." to the blank line).
_UNCLOSED = re.compile(r"^[ \t]*\[([^\[\]\n]{1,200}(?:\n[^\[\]\n]{1,200}){0,3})(?=\n[ \t]*\n|\n?\Z)", re.MULTILINE)
# A bracket closed in mid-sentence whose direction runs on over the next lines to a bracket of its own ("[Enter
# certain Reapers...: they join]" / "with the Nymphs in a graceful dance; ... they heavily vanish.]").
_RUNS_ON = re.compile(r"[ \t]*\n((?:[ \t]*[^\[\]\s][^\[\]\n]*\n){0,5}[ \t]*[^\[\]\s][^\[\]\n]*)\]")
_PARENTHESISED = re.compile(r"^[ \t]*\(([^()\n]{1,300})\)[ \t]*$", re.MULTILINE)
_TRANSITION = re.compile(r"^[ \t]*>?[ \t]*((?:[A-Z]+[ .]+)*(?:TO|BLACK|OUT|FADE)[A-Z ]*)[:.]?[ \t]*$", re.MULTILINE)
_CAPS_ALONE = re.compile(r"^[ \t]*([A-Z][A-Z'’ \-]{0,40}[A-Z])\.?[ \t]*\n(?=[ \t]*\S)", re.MULTILINE)
_CAPS_INLINE = re.compile(r"^[ \t]*([A-Z][A-Z'’\-]*(?: [A-Z][A-Z'’\-]*){0,3})(?:\.[ \t]+|[ \t]{2,}|\t)(?=\S)", re.MULTILINE)
_ABBREVIATED_ALONE = re.compile(
    r"(?:^|\n[ \t]*\n)[ \t]*((?:\d\.?[ \t]*)?[A-Z][A-Za-z'’\-]*(?:\.?[ \t]*[A-Z][A-Za-z'’\-]*){0,2})\.[ \t]*\n(?=[ \t]*\S)"
)
_FOLIO_INLINE = re.compile(
    r"^[ \t]+((?:\d\.?[ \t]*)?[A-Z][A-Za-z'’\-]*(?:\.?[ \t]*[A-Z][A-Za-z'’\-]*){0,2})\.[ \t]+(?=\S)", re.MULTILINE
)
# The same at the margin ("Rom. But soft, what light"): a speaker only when the name comes back again and again.
_ABBREVIATED_INLINE = re.compile(r"^([A-Z][a-z'’\-]{1,12}(?:\.[A-Z][a-z'’\-]{1,12})?)\.[ \t]+(?=\S)", re.MULTILINE)


@dataclass(frozen=True)
class Direction:
    offset: int
    end: int
    text: str  # whitespace collapsed

    @property
    def is_exit(self) -> bool:
        return bool(stage_vocabulary().exit.search(self.text))

    @property
    def is_enter(self) -> bool:
        return bool(stage_vocabulary().enter.search(self.text))


@dataclass(frozen=True)
class Speech:
    offset: int
    speaker: str
    lines: int = 1  # lines of text spoken before the next speech or direction
    continued: bool = False  # the speaker goes on after a direction, with no speaker line of its own
    offstage: bool = False  # "[Within.] Who's there?": heard, not seen


def _collapse(text: str) -> str:
    """Whitespace collapsed, and a text's italics markup taken off ("_Enter Ghost._" is "Enter Ghost.")."""
    return " ".join(text.replace("_", " ").replace("*", " ").split())


def find_directions(text: str) -> list[Direction]:
    found = [_run_on(text, Direction(m.start(), m.end(), _collapse(m.group(1)))) for m in _BRACKETED.finditer(text)]
    found += [Direction(m.start(), m.end(), _collapse(m.group(1))) for m in _UNCLOSED.finditer(text)]
    found = [d for d in found if len(d.text) >= 3]  # "[n]": an editor's note mark, not a direction
    if not found:  # no bracketed directions: the First Folio's own lines
        found = _direction_lines(text)
    else:  # brackets for some ("[_Exit._]") and their own paragraph for others (" Enter Ghost.")
        found += _direction_lines(text, paragraphs_only=True)
    found += [Direction(m.start(), m.end(), _collapse(m.group(1))) for m in _PARENTHESISED.finditer(text)]
    found += [Direction(m.start(), m.end(), _collapse(m.group(1))) for m in _TRANSITION.finditer(text)]
    return sorted((d for d in found if d.text), key=lambda d: d.offset)


def _run_on(text: str, direction: Direction) -> Direction:
    """The direction with the lines it runs on to, when its bracket closed before its sentence did."""
    if direction.text.endswith((".", "!", "?")):
        return direction
    more = _RUNS_ON.match(text, direction.end)
    if not more:
        return direction
    return Direction(direction.offset, more.end(), _collapse(direction.text + " " + more.group(1)))


def _direction_lines(text: str, paragraphs_only: bool = False) -> list[Direction]:
    """First Folio directions: a line that opens with Enter, Exit, Flourish... and the unindented lines that
    carry it on (`Enter Duke Senior: Amyens, and two or three Lords like` / `Forresters.`). In a text that
    brackets some of its directions, only such a line that opens a paragraph (never a line of verse)."""
    opener = stage_vocabulary().opener
    found: list[Direction] = []
    lines = text.split("\n")
    at = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        opens_paragraph = index == 0 or not lines[index - 1].strip()
        if opener.match(line) and not _FOLIO_INLINE.match(line) and (opens_paragraph or not paragraphs_only):
            start, end, parts = at + len(line) - len(line.lstrip()), at + len(line), [line.strip()]
            while (
                not parts[-1].endswith(".")
                and index + 1 < len(lines)
                and lines[index + 1].strip()
                and not lines[index + 1][:1].isspace()
                and not opener.match(lines[index + 1])
                and len(parts) < 3
            ):
                index += 1
                at = end + 1
                end = at + len(lines[index])
                parts.append(lines[index].strip())
            found.append(Direction(start, end, _collapse(" ".join(parts))))
        at += len(line) + 1
        index += 1
    return found


def find_speeches(text: str, directions: list[Direction] | None = None) -> list[Speech]:
    """Every speech in order, each with its speaker and the number of its lines."""
    directions = find_directions(text) if directions is None else directions
    not_speakers = stage_vocabulary().not_speakers
    caps = [(m.start(), m.group(1).strip()) for m in _CAPS_ALONE.finditer(text)]
    caps += [(m.start(), m.group(1).strip()) for m in _CAPS_INLINE.finditer(text)]
    caps = [(at, name) for at, name in caps if name.split()[0] not in not_speakers and name not in not_speakers]
    if len(caps) >= 2 or not caps and not _has_abbreviations(text):
        marks = caps
    else:  # abbreviated speakers: only names that come back (a one-word line "Farewell." is not a speaker)
        marks = [(m.start(1), m.group(1)) for m in _ABBREVIATED_ALONE.finditer(text)]
        marks += [(m.start(1), m.group(1)) for m in _FOLIO_INLINE.finditer(text)]
        counts: dict[str, int] = {}
        for _, name in marks:  # "Orlando.", "Orlan." and "Orl." are one speaker
            counts[name[:2].upper()] = counts.get(name[:2].upper(), 0) + 1
        marks = [(at, n) for at, n in marks if counts[n[:2].upper()] >= 2 and n.upper() not in not_speakers] or caps
    if not marks:
        marks = _margin_abbreviations(text, not_speakers)
    marks = sorted(set(marks))
    spans = sorted((d.offset, d.end) for d in directions)
    starts = [start for start, _ in spans]
    marks = [(at, " ".join(name.split())) for at, name in marks if not _within(at, spans, starts)]
    return _with_continuations(text, marks, directions)


def _margin_abbreviations(text: str, not_speakers: frozenset[str]) -> list[tuple[int, str]]:
    """Abbreviated speakers at the margin, before their words: names that open two lines or more, at least two
    of them (a verse line opening "Come." once is not a speaker)."""
    found = [(m.start(1), m.group(1)) for m in _ABBREVIATED_INLINE.finditer(text)]
    counts: dict[str, int] = {}
    for _, name in found:
        counts[name] = counts.get(name, 0) + 1
    names = {n for n, count in counts.items() if count >= 2 and n.upper() not in not_speakers}
    return [(at, n) for at, n in found if n in names] if len(names) >= 2 else []


def _has_abbreviations(text: str) -> bool:
    return bool(_FOLIO_INLINE.search(text) or _ABBREVIATED_ALONE.search(text))


def _within(at: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    """Is `at` inside a direction (spans sorted by start; a direction's text is never a speaker's line)."""
    index = bisect.bisect_right(starts, at) - 1
    return index >= 0 and at < max(end for _, end in spans[max(0, index - 2) : index + 1])


def _with_continuations(text: str, marks: list[tuple[int, str]], directions: list[Direction]) -> list[Speech]:
    """Speeches with their line counts, and the speaker's words that go on after a direction. A speech that opens
    with "[Within.]" is spoken offstage."""
    events = sorted(
        [(at, 1, name, None) for at, name in marks]
        + [(d.offset, 0, "", d) for d in directions]
        + [(d.end, 2, "", d) for d in directions]
    )
    within = stage_vocabulary().sound_only
    speeches: list[Speech] = []
    speaker: str | None = None
    heard = False
    for index, (at, kind, name, _) in enumerate(events):
        later = index + 1
        while later < len(events) and events[later][0] == at and events[later][1] == kind:
            later += 1  # (the same mark twice)
        following = events[later] if later < len(events) else None
        end = following[0] if following else len(text)
        if kind == 1:
            speaker = name
            lines = _spoken_lines(text, at, end, first_is_name=True)
            offstage = (
                following is not None
                and following[1] == 0
                and following[3] is not None
                and bool(within.search(following[3].text))
                and not text[at:end].split("\n", 1)[-1].strip(" \t\n.:" + name)
            )
            speeches.append(Speech(at, name, lines, offstage=offstage))
            heard = offstage
            continue
        if kind == 0 or speaker is None:
            continue
        lines = _spoken_lines(text, at, end, first_is_name=False)
        if lines:
            start = at + len(text[at:end]) - len(text[at:end].lstrip())
            speeches.append(Speech(start, speaker, lines, continued=True, offstage=heard))
    return speeches


def _spoken_lines(text: str, start: int, end: int, first_is_name: bool) -> int:
    """Non-blank lines of speech between two marks (a speaker line alone on its line is not speech)."""
    chunk = text[start:end]
    rows = [r for r in chunk.split("\n") if r.strip()]
    if first_is_name and rows and not re.search(r"[.:][ \t]+\S", rows[0]) and rows[0].strip().rstrip(".").isupper():
        rows = rows[1:]
    elif first_is_name and rows and re.match(r"^[ \t]*\S+\.[ \t]*$", rows[0]):
        rows = rows[1:]
    return len(rows)
