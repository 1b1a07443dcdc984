"""The time-of-day vocabulary of data/time_of_day.yaml, compiled: words with their tense rules, the clock, the
thresholds. Patterns are searched in lower-cased text with straight apostrophes (see `prepare`)."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from phases.data_files import parse_yaml

from .vocabulary import TIMES_OF_DAY

DATA_FILE = Path(__file__).parent / "data" / "time_of_day.yaml"
Tense = Literal["present", "future", "past", "hypothetical"]
Sky = Literal["overcast", "clear"]
_ORDINALS = ("first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth").split()
_NUMBERS = ("one two three four five six seven eight nine ten eleven twelve").split()


@dataclass(frozen=True)
class TimeWord:
    index: int
    pattern: re.Pattern[str]
    now: str | None
    future: str | None
    past: str | None
    weight: float
    now_weight: float
    where: Literal["dialogue", "direction"]
    tense: Literal["present", "future"] | None  # None: read from the sentence
    moves: bool
    needs: frozenset[str]  # the trigger words its pattern spells: every match holds one
    sky: Sky | None = None  # words about the sky rather than the hour: a sunless day, the sun breaking through


@dataclass(frozen=True)
class Clock:
    weight: float
    pattern: re.Pattern[str]
    needs: tuple[str, ...]
    context_hour: dict[str, int]
    back_hours: int
    night_until: int
    by_hour: tuple[str, ...]
    unknown: dict[int, str]
    appointment: re.Pattern[str]

    def time_at(self, hour: int, context: str | None, half: str | None = None, same_moment: bool = False) -> str | None:
        """The time of day a clock's hour (1-12) names, placed after the time the scene is in; `half` ("am" or
        "pm", when the words say it) places it outright. `same_moment`: the context is what the words around
        the clock say of the same moment, so the hour is the one nearest it, before or after."""
        if not 1 <= hour <= 12:
            return None
        if half in ("am", "pm"):
            return self.by_hour[hour % 12 + (12 if half == "pm" else 0)]
        if context is None or context not in self.context_hour:
            return self.unknown.get(hour)
        now = self.context_hour[context]
        candidates = (hour % 12, hour % 12 + 12)

        def distance(candidate: int) -> tuple[int, int]:
            back = (now - candidate) % 24
            if same_moment:  # the nearer hour; as near either way, the later one
                return min(back, 24 - back), back <= 12
            return (back if back <= self.back_hours else (candidate - now) % 24), 0

        return self.by_hour[min(candidates, key=distance)]

    def half_of(self, match: re.Match[str]) -> str | None:
        """'am' or 'pm' when the words name the half of the day ("p.m.", "in the morning", "i' the morn"); "at
        night" is the small hours up to `night_until`, else the evening."""
        said = next((match.group(g) for g in ("ampm", "half", "shalf", "ohalf") if match.group(g)), "").replace(".", "")
        if not said:
            return None
        if said == "am" or "morn" in said:
            return "am"
        if said.endswith("night"):
            hour = self.hour_of(match)
            return "am" if hour is not None and hour % 12 < self.night_until else "pm"
        return "pm"

    def hour_of(self, match: re.Match[str]) -> int | None:
        word = match.group("hour") or match.group("struck")
        if word:
            return int(word) if word.isdigit() else _NUMBERS.index(word) + 1
        ordinal = match.group("ordinal")
        return _ORDINALS.index(ordinal) + 1 if ordinal else None


@dataclass(frozen=True)
class TimeVocabulary:
    decide_at: float
    derived_decide_at: float
    refine_at: float
    margin: float
    repeat_share: float
    repeat_cap: float
    classes: dict[str, str]
    opening_decay: float
    last_part: float
    opening_part: float
    clears_stage: re.Pattern[str]
    enters: re.Pattern[str]
    clause_chars: int
    tense: tuple[tuple[Tense, re.Pattern[str]], ...]
    hypothetical_before: re.Pattern[str]
    quoted_after: re.Pattern[str]
    negation: re.Pattern[str]
    negation_words: int
    negation_after: re.Pattern[str]
    clock: Clock
    words: tuple[TimeWord, ...]
    trigger_words: tuple[str, ...]
    in_directions: re.Pattern[str]  # any word a direction may hold, as one scan
    follows: dict[str, frozenset[str]]
    before_change: dict[str, str]
    sky_keeps: frozenset[str]
    carried_on: dict[str, str]

    def light(self, time: str | None) -> str | None:
        """'light' or 'dark'."""
        return self.classes.get(time or "")

    def negated(self, speech: str, left: int, start: int, end: int, right: int) -> bool:
        """A negation just before the words in their clause (never across a comma), or just after them."""
        before = speech[max(left, speech.rfind(",", left, start) + 1) : start].split()
        near = " ".join(before[-self.negation_words :]) if before else ""
        return bool(self.negation.search(near) or self.negation_after.match(speech, end, right))


def bounded(pattern: str) -> re.Pattern[str]:
    """A pattern ending on a word boundary in prepared text, a space standing for any run of white space. The
    start is checked by `starts_word` (a look-behind at the front would cost re its fast scan for the first
    letters: 10 to 100 times slower)."""
    spaced = re.sub(r"(?<!\\) ", r"\\s+", pattern)
    return re.compile(rf"(?:{spaced})(?!\w)(?!-\w)(?!'s\b)")


def starts_word(text: str, at: int) -> bool:
    """A match at `at` starts a word: not inside one, nor the second half of "night-gown"."""
    if at == 0:
        return True
    before = text[at - 1]
    if before.isalnum() or before in "_'":
        return False
    return not (before == "-" and at >= 2 and text[at - 2].isalnum())


def finditer(pattern: re.Pattern[str], text: str, start: int = 0, end: int | None = None) -> list[re.Match[str]]:
    """Whole-word matches of a `bounded` pattern."""
    found = pattern.finditer(text, start, len(text) if end is None else end)
    return [m for m in found if starts_word(text, m.start())]


def prepare(text: str) -> str:
    """Lower case with straight apostrophes, the same length as `text` so offsets hold."""
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.replace("’", "'").replace("‘", "'")


def _branches(pattern: str) -> list[str]:
    """A pattern's top-level alternatives."""
    branches, depth, start = [], 0, 0
    for i, c in enumerate(pattern):
        if c == "(" and pattern[i - 1 : i] != "\\":
            depth += 1
        elif c == ")" and pattern[i - 1 : i] != "\\":
            depth -= 1
        elif c == "|" and depth == 0:
            branches.append(pattern[start:i])
            start = i + 1
    return [*branches, pattern[start:]]


def _time(value: object, where: str) -> str | None:
    if value is None:
        return None
    if value not in TIMES_OF_DAY:
        raise ValueError(f"{where}: {value!r} is not a time of day ({', '.join(TIMES_OF_DAY)})")
    return str(value)


@cache
def time_vocabulary() -> TimeVocabulary:
    raw = parse_yaml(DATA_FILE.read_text(encoding="utf-8"))
    try:
        triggers = [str(w).lower() for w in raw["triggers"]]
        words = []
        for index, item in enumerate(raw["words"]):
            where = f"words[{index}]"
            tense = item.get("tense")
            if tense not in (None, "present", "future") or item["where"] not in ("dialogue", "direction"):
                raise ValueError(f"{where}: tense must be present or future, where dialogue or direction")
            if item.get("sky") not in (None, "overcast", "clear"):
                raise ValueError(f"{where}: sky must be overcast or clear")
            branches = _branches(str(item["pattern"]))  # directions are short and read whole: no triggers needed
            if item["where"] == "dialogue" and not all(any(w in branch for w in triggers) for branch in branches):
                raise ValueError(f"{where}: a branch of its pattern spells none of the triggers")
            needs = frozenset(w for w in triggers if any(w in branch for branch in branches))
            words.append(
                TimeWord(
                    index=index,
                    pattern=bounded(str(item["pattern"])),
                    now=_time(item.get("now"), where),
                    future=_time(item.get("future"), where),
                    past=_time(item.get("past"), where),
                    weight=float(item["weight"]),
                    now_weight=float(item.get("now_weight", item["weight"])),
                    where=item["where"],
                    tense=tense,
                    moves=bool(item.get("moves", False)),
                    needs=needs,
                    sky=item.get("sky"),
                )
            )
        clock = raw["clock"]
        by_hour = tuple(_time(t, "clock.by_hour") or "" for t in clock["by_hour"])
        if len(by_hour) != 24:
            raise ValueError("clock.by_hour: 24 times, one per hour from midnight")
        return TimeVocabulary(
            decide_at=float(raw["decide_at"]),
            derived_decide_at=float(raw["derived_decide_at"]),
            refine_at=float(raw["refine_at"]),
            margin=float(raw["margin"]),
            repeat_share=float(raw["repeat_share"]),
            repeat_cap=float(raw["repeat_cap"]),
            classes={_time(k, "classes") or "": str(v) for k, v in raw["classes"].items()},
            opening_decay=float(raw["opening_decay"]),
            last_part=float(raw["last_part"]),
            opening_part=float(raw["opening_part"]),
            clears_stage=re.compile(raw["clears_stage"], re.IGNORECASE),
            enters=re.compile(raw["enters"], re.IGNORECASE),
            clause_chars=int(raw["clause_chars"]),
            tense=tuple((kind, re.compile(raw["tense"][kind])) for kind in ("hypothetical", "past", "future")),
            hypothetical_before=re.compile(raw["tense"]["hypothetical_before"]),
            quoted_after=re.compile(raw["quoted_after"], re.IGNORECASE),
            negation=re.compile(raw["negation"]["pattern"]),
            negation_words=int(raw["negation"]["words_before"]),
            negation_after=re.compile(raw["negation"]["after"]),
            clock=Clock(
                weight=float(clock["weight"]),
                pattern=bounded(str(clock["pattern"])),
                needs=tuple(str(n) for n in clock["needs"]),
                context_hour={str(k): int(v) for k, v in clock["context_hour"].items()},
                back_hours=int(clock["back_hours"]),
                night_until=int(clock["night_until"]),
                by_hour=by_hour,
                unknown={int(k): _time(v, "clock.unknown") or "" for k, v in (clock["unknown"] or {}).items()},
                appointment=re.compile(clock["appointment"]),
            ),
            words=tuple(words),
            trigger_words=tuple(triggers),
            in_directions=re.compile("|".join(f"(?:{w.pattern.pattern})" for w in words if w.where == "direction")),
            follows={_time(k, "follows") or "": frozenset(_time(v, "follows") for v in vs) for k, vs in raw["follows"].items()},
            before_change={_time(k, "before") or "": _time(v, "before") or "" for k, v in raw["before_change"].items()},
            sky_keeps=frozenset(_time(t, "sky_keeps") or "" for t in raw["sky_keeps"]),
            carried_on={_time(k, "carried_on") or "": _time(v, "carried_on") or "" for k, v in raw["carried_on"].items()},
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise RuntimeError(f"{DATA_FILE}: {exc}") from None
