"""Where a scene's stage directions and speeches are in its text, in the layouts play texts use: bracketed
directions or First Folio direction lines (`Enter Hymen, Rosalind, and Celia.`, and the short lines of sound or
action, `Wrastle.`, `Still Musicke.`); speakers in capitals (`HAMLET.`, `THESEUS`), abbreviated alone on a line
(`Ham.`), or abbreviated before the words (`  Orl. As I remember`). A speech that carries on after a direction
(`[Exit Messala.]` and Titinius goes on talking) is a speech of the same speaker. A screenplay's directions are
its action paragraphs and transitions; its speeches, a character cue over the dialogue."""

import bisect
import re
from dataclasses import dataclass

from .stage_data import Stage, stage_vocabulary

_BRACKETED = re.compile(r"\[([^\[\]]{1,800})\]")
# A bracket the text never closes ("[Retreat. Flourish. Enter, with drum..." to the blank line).
_UNCLOSED = re.compile(r"^[ \t]*\[([^\[\]\n]{1,200}(?:\n[^\[\]\n]{1,200}){0,3})(?=\n[ \t]*\n|\n?\Z)", re.MULTILINE)
# A bracket closed in mid-sentence whose direction runs on over the next lines to a bracket of its own ("[Enter
# certain Reapers...: they join]" / "with the Nymphs in a graceful dance; ... they heavily vanish.]").
_RUNS_ON = re.compile(r"[ \t]*\n((?:[ \t]*[^\[\]\s][^\[\]\n]*\n){0,5}[ \t]*[^\[\]\s][^\[\]\n]*)\]")
_PARENTHESISED = re.compile(r"^[ \t]*\(([^()\n]{1,300})\)[ \t]*$", re.MULTILINE)
_TRANSITION = re.compile(r"^[ \t]*>?[ \t]*((?:[A-Z]+[ .]+)*(?:TO|BLACK|OUT|FADE)[A-Z ]*)[:.]?[ \t]*$", re.MULTILINE)
_CAPS_ALONE = re.compile(r"^[ \t]*([A-Z][A-Z'’ \-]{0,40}[A-Z])\.?[ \t]*\n(?=[ \t]*\S)", re.MULTILINE)
_CAPS_INLINE = re.compile(r"^[ \t]*([A-Z][A-Z'’\-]*(?: [A-Z][A-Z'’\-]*){0,3})(?:[.:][ \t]+|[ \t]{2,}|\t)(?=\S)", re.MULTILINE)
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
        stage = stage_vocabulary()
        return bool(stage.exit.search(self.text) or stage.misprinted_exit.fullmatch(self.text))

    @property
    def is_enter(self) -> bool:
        stage = stage_vocabulary()
        return bool(stage.enter.search(self.text)) and not stage.misprinted_exit.fullmatch(self.text)


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


# Where a direction's sentences break: after a stop, at a dash, at "then".
_BREAKS = re.compile(r"(?<=[.;!?])\s+|\s*--\s*|[,:]?\s+then,?\s+(?=[a-z]+\b)|^then,?\s+", re.IGNORECASE)
# A name the Folio abbreviates inside a direction ("Ex. Orl. Ad.", "Enter Duke Sen. & Lord"): not a sentence's end.
_ABBREVIATED_NAME = re.compile(r"(?:^|[\s.&,])([A-Z][a-z]{0,3})\.$")


def direction_sentences(text: str) -> list[str]:
    """A direction's sentences, each stripped of its stops, old spellings in modern ones: "Exit Duke. Enter
    Orlando" is two, "Ex. Orl. Ad." and "Enter Duke Sen. & Lord, like Out-lawes." are one each (a stop after an
    abbreviated name ends nothing, unless a direction's verb follows it); "Still Musicke" is still music."""
    stage = stage_vocabulary()
    text = stage.old_spelling.sub(lambda m: stage.old_spellings[m.group(0).lower()], text)  # "Wrastle." is a wrestle
    sentences: list[str] = []
    start = 0
    cuts = list(_BREAKS.finditer(text))
    for index, cut in enumerate(cuts):
        piece, rest = text[start : cut.start()], text[cut.end() :]
        short = _ABBREVIATED_NAME.search(piece) if not cut.group(0).strip() else None
        if short and not _verb_at(short.group(1), stage) and not _verb_at(rest, stage):
            continue
        if piece.endswith(";") and stage.enter.search(piece):  # "Enter ANTONY, marching; SCARUS and Forces"
            following = rest[: cuts[index + 1].start() - cut.end()] if index + 1 < len(cuts) else rest
            if not _names_a_verb(following, stage):
                continue
        sentences.append(piece)
        start = cut.end()
    sentences.append(text[start:])
    return [s.strip(" .") for s in sentences if s.strip(" .")]


def _names_a_verb(words: str, stage: Stage) -> bool:
    return bool(stage.enter.search(words) or stage.exit.search(words) or stage.any_action.search(words))


def _verb_at(words: str, stage: Stage) -> bool:
    return bool(
        stage.enter.match(words) or stage.exit.match(words) or stage.opener.match(words) or stage.any_action.match(words)
    )


def find_directions(text: str) -> list[Direction]:
    if stage_vocabulary().screenplay_heading.search(text):
        return _screenplay(text)[0]
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
    stage = stage_vocabulary()
    opener = stage.opener
    found: list[Direction] = []
    lines = text.split("\n")
    at = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        opens_paragraph = index == 0 or not lines[index - 1].strip()
        starts = opener.match(line) or stage.effect_line.match(line)
        if starts and not _FOLIO_INLINE.match(line) and (opens_paragraph or not paragraphs_only):
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
    if stage_vocabulary().screenplay_heading.search(text):
        return _screenplay(text)[1]
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
        named = {w.upper() for d in directions for w in _NAMED.findall(d.text)}  # "Enter Dennis." names Den.
        marks = [
            (at, n)
            for at, n in marks
            if (counts[n[:2].upper()] >= 2 or _names_someone(n, named)) and n.upper() not in not_speakers
        ] or caps
    if not marks:
        marks = _margin_abbreviations(text, not_speakers)
    marks = sorted(set(marks))
    spans = sorted((d.offset, d.end) for d in directions)
    starts = [start for start, _ in spans]
    marks = [(at, " ".join(name.split())) for at, name in marks if not _within(at, spans, starts)]
    return _with_continuations(text, marks, directions)


_NAMED = re.compile(r"\b[A-Z][a-z'’\-]{2,}")


def _names_someone(mark: str, named: set[str]) -> bool:
    """A speaker heard once is one when a direction names them: "Den." after "Enter Dennis."."""
    first = mark.split(".")[0].split()[0].upper()
    return len(first) >= 3 and any(word.startswith(first) for word in named)


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
    with "[Within.]" is spoken offstage. After a bare "Exit" the one who spoke last has gone: words that follow
    with no speaker of their own are the one they spoke to (the Folio's "Exit." and Oliver goes on alone)."""
    events = sorted(
        [(at, 1, name, None) for at, name in marks]
        + [(d.offset, 0, "", d) for d in directions]
        + [(d.end, 2, "", d) for d in directions]
    )
    within = stage_vocabulary().sound_only
    speeches: list[Speech] = []
    speaker: str | None = None
    other: str | None = None  # who spoke before the speaker, someone else
    heard = False
    for index, (at, kind, name, direction) in enumerate(events):
        later = index + 1
        while later < len(events) and events[later][0] == at and events[later][1] == kind:
            later += 1  # (the same mark twice)
        following = events[later] if later < len(events) else None
        end = following[0] if following else len(text)
        if kind == 1:
            if speaker is not None and name != speaker:
                other = speaker
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
        if other is not None and direction is not None and _bare_exit(direction):
            speaker, other = other, speaker
        lines = _spoken_lines(text, at, end, first_is_name=False)
        if lines and not _end_matter(text[at:end]):  # "FINIS. As you Like it.": the end of the book, not a speech
            start = at + len(text[at:end]) - len(text[at:end].lstrip())
            speeches.append(Speech(start, speaker, lines, continued=True, offstage=heard))
    return speeches


def _end_matter(chunk: str) -> bool:
    words = _WORDS.findall(chunk[:40].upper())
    return bool(words) and words[0] in stage_vocabulary().not_speakers - {"ENTER", "EXIT", "EXEUNT"}


_WORDS = re.compile(r"[A-Z]+")


def _bare_exit(direction: Direction) -> bool:
    """ "Exit.", the Folio's "Enter.": the last speaker goes, and names nobody else."""
    return bool(stage_vocabulary().bare_exit.fullmatch(direction.text))


def _spoken_lines(text: str, start: int, end: int, first_is_name: bool) -> int:
    """Lines of speech between two marks (a speaker line alone on its line is not speech), counted as printed
    lines: prose set as one long paragraph counts a line per `line_width` characters."""
    chunk = text[start:end]
    rows = [r for r in chunk.split("\n") if r.strip()]
    if first_is_name and rows and not re.search(r"[.:][ \t]+\S", rows[0]) and rows[0].strip().rstrip(".").isupper():
        rows = rows[1:]
    elif first_is_name and rows and re.match(r"^[ \t]*\S+\.[ \t]*$", rows[0]):
        rows = rows[1:]
    width = stage_vocabulary().line_width
    return sum(-(-len(r.strip()) // width) for r in rows)


def _screenplay(text: str) -> tuple[list[Direction], list[Speech]]:
    """A screenplay's paragraphs from its first scene heading or transition: a transition (`> FADE IN:`) and each
    action paragraph are directions, a character cue over its lines a speech; the title page is neither."""
    stage = stage_vocabulary()
    starts = [m.start() for m in (stage.screenplay_heading.search(text), stage.screenplay_transition.search(text)) if m]
    directions: list[Direction] = []
    speeches: list[Speech] = []
    for block in _SCREENPLAY_BLOCK.finditer(text, min(starts)):
        rows = block.group(0).split("\n")
        first = rows[0].strip()
        if stage.screenplay_heading.match(first):
            continue
        if stage.screenplay_transition.match(first) and len(rows) == 1:
            directions.append(Direction(block.start(), block.end(), _collapse(first.lstrip(">").rstrip("<"))))
            continue
        cue = stage.character_cue.match(rows[0])
        if cue and len(rows) > 1 and first.upper() == first:
            at = block.start() + len(rows[0]) - len(rows[0].lstrip())
            spoken = [r for r in rows[1:] if not r.strip().startswith("(")]
            speeches.append(Speech(at, _collapse(cue.group("name")), len(spoken)))
            continue
        action = _collapse(" ".join(r.strip().lstrip("!") for r in rows))
        if action:
            directions.append(Direction(block.start(), block.end(), action))
    return directions, speeches


_SCREENPLAY_BLOCK = re.compile(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*")
