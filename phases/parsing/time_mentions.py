"""Where a scene's text names a time of day, and what each mention says about now.

The scene's own text (never the front matter or the list of persons) is split into stage directions and
speech; songs and letters read aloud are other voices and are left out. Each time word in the speech is read
with the tense of its sentence: a present statement says what time it is, a time to come or gone says what it
is not yet or no longer ("Will you sup with me to-night?" is said by day), a hypothetical says nothing.
"""

import bisect
import re
from dataclasses import dataclass
from typing import Literal

from .patterns import (
    ABBREVIATED_SPEAKER,
    ACT,
    BARE_SPEAKER,
    CHARACTER_CUE,
    DIRECTION_LINE,
    EFFECT_LINE,
    FOLIO_SPEAKER,
    PLAY_PART,
    PLAY_SPEAKER,
    SCENE,
    SLUG,
    STAGE_DIRECTION,
)
from .time_words import Sky, Tense, TimeVocabulary, TimeWord, finditer, prepare, time_vocabulary

Tier = Literal["now", "derived"]
_STOPS = re.compile(r"[.;!?:|]")
_BOUNDARY = "|"  # written into the speech mask where a speaker or a direction interrupts a sentence


@dataclass(frozen=True)
class Mention:
    offset: int  # in the scene's text
    end: int
    time: str | None  # None: a clock's hour, placed once the time around it is known
    tier: Tier
    weight: float
    entry: int  # which word list entry (-1: the clock), so a repeated entry counts once, with a little more
    source: Literal["dialogue", "direction"]
    moves: bool
    words: str  # the sentence around it, verbatim
    hour: int | None = None
    note: str = ""  # how the tense read it, for the evidence: "to come", "gone", "supposed"
    half: str | None = None  # a clock's "am" or "pm" when its words say it
    sky: Sky | None = None  # the words say the sky is overcast (a sunless day) or clears
    starts: int | None = None  # where its words start: its clause, on the line the time word is on


@dataclass(frozen=True)
class Direction:
    offset: int
    end: int
    text: str


@dataclass(frozen=True)
class SceneWords:
    mentions: list[Mention]
    directions: list[Direction]
    own_start: int
    length: int  # of the scene's text


def read_words(text: str, own_start: int, play: bool, directions: list[str] | None = None) -> SceneWords:
    """Every time mention in the scene's own text (from own_start), in order."""
    vocab = time_vocabulary()
    lowered = prepare(text)
    blanks: list[tuple[int, int, bool]] = [(0, own_start, False)] if own_start else []
    if play:
        found = _split_play(text, own_start, blanks)
    else:
        found = _split_other(text, own_start, blanks, directions or [])
    speech = _speech(lowered, blanks)
    mentions = [m for d in found for m in _direction_mentions(d, lowered, vocab)]
    mentions += _speech_mentions(text, speech, vocab)
    mentions += _clock_mentions(text, speech, vocab, {(m.offset, m.end) for m in mentions if m.moves})
    mentions.sort(key=lambda m: (m.offset, m.entry))
    return SceneWords(mentions=mentions, directions=found, own_start=own_start, length=len(text))


def _speech(lowered: str, blanks: list[tuple[int, int, bool]]) -> str:
    """The text with the blanked stretches as spaces (a `|` where a speaker or a direction breaks a sentence)."""
    parts, cursor = [], 0
    for start, end, boundary in sorted(blanks):
        start = max(start, cursor)
        if end <= start:
            continue
        parts.append(lowered[cursor:start])
        parts.append((_BOUNDARY if boundary else " ") + " " * (end - start - 1))
        cursor = end
    parts.append(lowered[cursor:])
    return "".join(parts)


# A line that may be structure, found from the newline before it (a literal first: re scans for it fast).
_LINE_STARTS = re.compile(
    "\n(?:"
    + "|".join(
        "(?:" + re.sub(r"\(\?P<\w+>", "(?:", p.pattern).removeprefix("^") + ")"
        for p in (ACT, SCENE, PLAY_PART, DIRECTION_LINE, EFFECT_LINE, PLAY_SPEAKER, FOLIO_SPEAKER)
    )
    + ")",
    re.MULTILINE,
)
_AFTER_BLANK = re.compile(r"\n[ \t]*\n(?=[^\n]*\S)")
_ENTERS = re.compile(r"\benter", re.IGNORECASE)


def _split_play(text: str, own_start: int, blanks: list[tuple[int, int, bool]]) -> list[Direction]:
    """Directions (bracketed or on lines of their own) and speech of a play; speaker names and headings go into
    `blanks`, so what is left is the speech. A song or a letter read aloud ("[Sings.]", "SONG.", "[Reads.]") is
    blanked too, up to the next speaker.

    Only the lines that can be structure are looked at (headings, directions, speakers, songs), in order: most
    lines of a play are verse and are never touched."""
    quoting = time_vocabulary().quoted_after
    found: list[Direction] = []
    events: list[tuple[int, int, str]] = []  # (start, end, kind) in order
    if "[" in text or "(" in text:
        for match in STAGE_DIRECTION.finditer(text, own_start):
            direction = Direction(match.start(), match.end(), " ".join(match.group(0).strip("[]()").split()))
            found.append(direction)
            blanks.append((match.start(), match.end(), True))
            if quoting.search(direction.text):
                kind = "entering quote" if _ENTERS.search(direction.text) else "quote"
                events.append((match.end(), match.end(), kind))
    bracket_starts = [d.offset for d in found]
    starts = {m.start() + 1 for m in _LINE_STARTS.finditer(text, max(0, own_start - 1))}
    if own_start == 0 or text[own_start - 1] == "\n":
        starts.add(own_start)
    starts |= {m.end() for m in _AFTER_BLANK.finditer(text, max(0, own_start - 1))}
    for start in sorted(starts):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        raw = text[start:end]
        inside = bisect.bisect_right(bracket_starts, start) - 1
        if inside >= 0 and found[inside].offset < start and end <= found[inside].end:
            continue  # a line inside a bracketed direction
        if ACT.match(raw) or SCENE.match(raw) or PLAY_PART.match(raw):
            events.append((start, end, "heading"))
        elif DIRECTION_LINE.match(raw) or EFFECT_LINE.match(raw):
            found.append(Direction(start, end, " ".join(raw.split())))
            quoted = quoting.search(raw)
            events.append((start, end, ("entering quote" if _ENTERS.search(raw) else "quote") if quoted else "direction"))
        else:
            speaker = PLAY_SPEAKER.match(raw) or FOLIO_SPEAKER.match(raw)
            if speaker is None and _after_blank(text, start) and _before_text(text, end):
                speaker = ABBREVIATED_SPEAKER.match(raw) or BARE_SPEAKER.match(raw)
            if speaker is not None:
                said = speaker.groupdict().get("line")
                name_end = start + (speaker.start("line") if said else len(raw))
                song = bool(quoting.fullmatch(speaker.group("name").lower()))  # "SONG."
                events.append((start, name_end, "song" if song else "speaker"))
    events.sort()
    quoted_from: int | None = None  # where the song or letter being blanked started
    singer_next = False  # "Enter AUTOLYCUS, singing.": the next speaker is the one singing
    for start, end, kind in events:
        if quoted_from is not None and kind not in ("quote", "entering quote"):
            blanks.append((quoted_from, max(quoted_from, start), False))
            quoted_from = None
        if start < end and kind != "speaker" and kind != "song":  # a heading or a direction line
            blanks.append((start, end, True))
        if kind in ("heading", "direction"):
            quoted_from, singer_next = None, False
        elif kind in ("quote", "entering quote"):  # "[Sings.]": to the next speaker; "Enter X, singing": X's speech
            quoted_from, singer_next = end, kind == "entering quote"
        elif kind == "song":
            blanks.append((start, end, True))
            quoted_from, singer_next = end, True
        else:  # a speaker: the singer announced by the direction before sings on
            blanks.append((start, end, True))
            quoted_from, singer_next = (end, False) if singer_next else (None, False)
    if quoted_from is not None:
        blanks.append((quoted_from, len(text), False))
    return sorted(found, key=lambda d: d.offset)


def _after_blank(text: str, start: int) -> bool:
    before = text.rfind("\n", 0, max(start - 1, 0))
    return start == 0 or not text[before + 1 : start - 1].strip()


def _before_text(text: str, end: int) -> bool:
    after = text.find("\n", end + 1)
    return bool(text[end + 1 : len(text) if after < 0 else after].strip())


def _split_other(text: str, own_start: int, blanks: list[tuple[int, int, bool]], directions: list[str]) -> list[Direction]:
    """A screenplay, a run-sheet or prose: its reader's directions (action) found in order, character cues and
    slug lines blanked, the rest speech."""
    found: list[Direction] = []
    cursor = own_start
    for direction in directions:
        words = direction.split()
        if not words:
            continue
        # the reader joined the action's lines with spaces: find it across the line breaks
        match = re.compile(r"\s+".join(map(re.escape, words))).search(text, cursor)
        if match is None:
            continue
        found.append(Direction(match.start(), match.end(), " ".join(words)))
        blanks.append((match.start(), match.end(), True))
        cursor = match.end()
    offset = own_start
    for raw in text[own_start:].split("\n"):
        start, end = offset, offset + len(raw)
        offset = end + 1
        if SLUG.match(raw) or (CHARACTER_CUE.match(raw) and raw.strip().upper() == raw.strip() and len(raw.strip()) <= 40):
            blanks.append((start, end, True))
    return found


def _direction_mentions(direction: Direction, lowered: str, vocab: TimeVocabulary) -> list[Mention]:
    if not vocab.in_directions.search(lowered, direction.offset, direction.end):
        return []  # most directions ("Enter Banquo.", "Exit.") name no time
    result = []
    for word in vocab.words:
        if word.where != "direction" or word.now is None:
            continue
        found = finditer(word.pattern, lowered, direction.offset, direction.end)
        if found:
            match = found[0]
            result.append(
                Mention(
                    match.start(), match.end(), word.now, "now", word.weight, word.index, "direction", word.moves,
                    direction.text[:160],
                )  # fmt: skip
            )
    return result


def _speech_mentions(text: str, speech: str, vocab: TimeVocabulary) -> list[Mention]:
    """Each word-list match in the speech, each entry searched only around the trigger words it spells."""
    near = {}
    for trigger in vocab.trigger_words:  # str.find: far faster than one regex of alternatives
        positions = _find_all(speech, trigger)
        if positions:
            near[trigger] = _near(positions, len(speech))
    result = []
    for word in vocab.words:
        if word.where != "dialogue":
            continue
        present = [need for need in word.needs if need in near]
        if not present:
            continue
        spans = near[present[0]] if len(present) == 1 else _merged(sorted(s for n in present for s in near[n]))
        for start, end in spans:
            for match in finditer(word.pattern, speech, start, end):
                mention = _read_tense(word, match, text, speech, vocab)
                if mention is not None:
                    result.append(mention)
    return result


def _find_all(text: str, word: str) -> list[int]:
    at, found = text.find(word), []
    while at >= 0:
        found.append(at)
        at = text.find(word, at + len(word))
    return found


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    result: list[tuple[int, int]] = []
    for start, end in spans:
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(end, result[-1][1]))
        else:
            result.append((start, end))
    return result


def _near(positions: list[int], length: int, reach: int = 90) -> list[tuple[int, int]]:
    """The stretches within `reach` of the positions (in order), merged: a match is never longer than that."""
    spans: list[tuple[int, int]] = []
    for position in positions:
        start, end = max(0, position - reach), min(length, position + reach)
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def _clock_mentions(text: str, speech: str, vocab: TimeVocabulary, taken: set[tuple[int, int]]) -> list[Mention]:
    clock = vocab.clock
    if not any(n in speech for n in clock.needs):
        return []
    result = []
    at = sorted(i for need in clock.needs for i in _find_all(speech, need))
    for match in (m for start, end in _near(at, len(speech)) for m in finditer(clock.pattern, speech, start, end)):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue  # "hath told twelve" at midnight is already a mention of its own
        hour = clock.hour_of(match)
        left, right = _clause(speech, match.start(), match.end(), vocab.clause_chars)
        if hour is None or _tense(speech, left, right, match, vocab) != "present":
            continue
        if clock.appointment.search(speech, max(left, match.start() - 24), match.start()):
            continue  # "by eight o'clock", "towards three or four o'clock": an hour set for later
        result.append(
            Mention(
                match.start(), match.end(), None, "now", clock.weight, -1, "dialogue", False,
                _verbatim(text, speech, left, right), hour=hour, half=clock.half_of(match),
            )  # fmt: skip
        )
    return result


def _read_tense(word: TimeWord, match: re.Match[str], text: str, speech: str, vocab: TimeVocabulary) -> Mention | None:
    left, right = _clause(speech, match.start(), match.end(), vocab.clause_chars)
    if vocab.negated(speech, left, match.start(), match.end(), right):
        return None  # "it is not day", "Not shine to-day!": says nothing of now
    tense: Tense = word.tense or _tense(speech, left, right, match, vocab)
    if word.tense == "present" and vocab.hypothetical_before.search(speech, left, match.start()):
        tense = "hypothetical"  # "when the day is done": no day's end now
    weight = word.weight
    if tense == "present":
        time, tier, note, weight = word.now, "now", "", word.now_weight
    elif tense == "past":
        time, tier, note = word.past, "derived", "gone"
    else:  # a time to come, or one wished for or supposed: not now
        time, tier, note = word.future, "derived", "to come" if tense == "future" else "supposed"
    if time is None:
        return None
    moves = word.moves and tier == "now"
    return Mention(
        match.start(), match.end(), time, tier, weight, word.index, "dialogue", moves,  # type: ignore[arg-type]
        _verbatim(text, speech, left, right), note=note, sky=word.sky if tier == "now" else None,
        starts=_words_start(text, left, match.start()),
    )  # fmt: skip


def _words_start(text: str, left: int, at: int) -> int:
    """The first word of the clause around a time word, no further back than the start of its line ("The iron
    tongue of midnight hath told twelve", "I do hear the morning lark")."""
    start = max(left, text.rfind("\n", 0, at) + 1)
    while start < at and not (text[start].isalnum() or text[start] in "'‘’"):
        start += 1
    return start


def _clause(speech: str, start: int, end: int, reach: int) -> tuple[int, int]:
    """The sentence around [start, end): back to the last stop and on to the next, at most `reach` either side."""
    lo = max(0, start - reach)
    stops = [m.end() for m in _STOPS.finditer(speech, lo, start)]
    left = stops[-1] if stops else lo
    stop = _STOPS.search(speech, end, min(len(speech), end + reach))
    right = stop.start() + (1 if stop and speech[stop.start()] in "?!" else 0) if stop else min(len(speech), end + reach)
    return left, right


def _tense(speech: str, left: int, right: int, match: re.Match[str], vocab: TimeVocabulary) -> Tense:
    """A hypothetical anywhere in the sentence governs it ("if ... to-night"); otherwise the past or future word
    nearest the time word decides ("hath heard your praises, and this night he means to burn": the night to come);
    none is the present."""
    before = speech[left : match.start()]
    if vocab.hypothetical_before.search(before):
        return "hypothetical"
    around = before + " " + speech[match.end() : right]
    at = len(before)  # where the time word stood
    nearest: tuple[int, Tense] | None = None
    for kind, pattern in vocab.tense:
        for found in pattern.finditer(around):
            if kind == "hypothetical":
                return kind
            distance = max(found.start() - at, at - found.end(), 0)
            if nearest is None or distance < nearest[0]:
                nearest = (distance, kind)
    return nearest[1] if nearest is not None else "present"


def _verbatim(text: str, speech: str, left: int, right: int) -> str:
    """The spoken words between left and right as written (speaker names and directions left out)."""
    kept = "".join(c if speech[i] not in " |" else " " for i, c in enumerate(text[left:right], start=left))
    return " ".join(kept.split()).strip(" ,-")[:160]
