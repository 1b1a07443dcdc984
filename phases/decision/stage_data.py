"""The stage vocabulary (data/stage.yaml): how a direction's action, the people on stage and light named in the
dialogue are read. Loaded once, its patterns compiled."""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from phases.data_files import load_yaml_model

from .settings import DATA, DecisionDataError
from .word_forms import address_pattern, imperative_pattern, phrase_pattern, statement_pattern, word_alternation

Action = Literal[
    "blackout", "lights_up", "storm", "lightning", "thunder", "shot", "vanish", "lower", "apparition", "swoon",
    "wound", "death", "sleep", "wake", "light_in", "light_out", "fight", "retreat", "dance", "unmask", "charm",
    "upper", "reveal", "place", "inner_play", "invisible", "presence", "masque", "transform", "impact", "bout",
]  # fmt: skip
SpokenAction = Literal[
    "light_in", "light_out", "fire", "glimmer", "fog", "darken", "upper", "news", "invisible", "storm", "spectral",
    "ended", "clear", "quicken", "charm",
]  # fmt: skip


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Layout(_Frozen):
    direction_openers: list[str] = Field(min_length=1)
    effect_openers: list[str]
    not_speakers: list[str]
    line_width: int = Field(ge=20, le=400)
    old_spellings: dict[str, str]
    screenplay_heading: str
    screenplay_transition: str
    character_cue: str

    @field_validator("screenplay_heading", "screenplay_transition", "character_cue")
    @classmethod
    def _regex(cls, value: str) -> str:
        re.compile(value)
        return value


class PopulationWords(_Frozen):
    not_people: str
    role: str
    the_rest: str
    train: str
    attended: str
    chorus: list[str] = Field(min_length=1)
    misprinted_exit: str
    bare_exit: str

    @field_validator("not_people", "role", "the_rest", "train", "attended", "misprinted_exit", "bare_exit")
    @classmethod
    def _regex(cls, value: str) -> str:
        re.compile(value, re.IGNORECASE)  # as stage_vocabulary compiles it: re's cache keeps it
        return value


class Grammar(_Frozen):
    irregular: dict[str, list[str]]
    slots: dict[str, str]


class ActionEntry(_Frozen):
    """A direction's action: a regex, verb phrases read in every form (word_forms.py), or both."""

    action: Action
    pattern: str | None = None
    verbs: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _some(self) -> "ActionEntry":
        if self.pattern is None and not self.verbs:
            raise ValueError(f"action {self.action}: a pattern or verbs")
        return self


class SpokenEntry(_Frozen):
    """Light named in the dialogue: a regex; a command (verbs alone, as written); a statement (a subject and a verb
    in the present); or an address (a call and its imperative)."""

    action: SpokenAction
    pattern: str | None = None
    subjects: list[str] = Field(default_factory=list)
    calls: list[str] = Field(default_factory=list)
    verbs: list[str] = Field(default_factory=list)
    determiners: str | None = None  # a slot: the subject only after one of its words ("the day", not "our day")

    @model_validator(mode="after")
    def _one_form(self) -> "SpokenEntry":
        if self.pattern is not None and (self.verbs or self.subjects or self.calls) or self.subjects and self.calls:
            raise ValueError(f"spoken {self.action}: one of a pattern, commands (verbs), subjects and verbs, calls and verbs")
        if self.pattern is None and not self.verbs:
            raise ValueError(f"spoken {self.action}: a pattern or verbs")
        return self


class StageVocabulary(_Frozen):
    layout: Layout
    grammar: Grammar
    population: PopulationWords
    sound_only: str
    enter: str
    exit: str
    all_but: str
    transit: str
    crowd: str
    masked: str
    name_separators: str
    set_down: str
    in_hand: str
    not_names: list[str]
    actions: list[ActionEntry] = Field(min_length=1)
    heading_actions: list[Action]
    carried_off: str
    inner_play_end: str
    spoken: list[SpokenEntry]
    spoken_words: list[str] = Field(min_length=1)
    not_now: str
    not_yet: str
    negation: str
    spoken_max_lines: dict[SpokenAction, int]
    moments_end_spoken: list[str]
    moments_clear: list[str]
    ended_closes: list[str]
    clear_closes: list[str]
    alone_min_lines: int = Field(ge=1, le=100)
    alone_brief_lines: int = Field(ge=0, le=200)
    alone_return_lines: int = Field(ge=0, le=200)
    narrow_to: int = Field(ge=1, le=20)
    narrow_from: int = Field(ge=2, le=50)
    narrow_leaving: int = Field(ge=1, le=50)

    @field_validator(
        "sound_only", "enter", "exit", "all_but", "transit", "crowd", "masked", "name_separators", "set_down", "in_hand",
        "inner_play_end", "not_now", "not_yet", "carried_off", "negation",
    )  # fmt: skip
    @classmethod
    def _regex(cls, value: str) -> str:
        re.compile(value, re.IGNORECASE)
        return value

    # Checked with the flags stage_vocabulary compiles them with, so that its compile is a hit in re's cache:
    # each process compiled these ~190 patterns twice on its first scene.
    @model_validator(mode="after")
    def _patterns(self) -> "StageVocabulary":
        for entry in self.actions:
            re.compile(_action_pattern(entry, self.grammar), re.IGNORECASE)
        for entry in self.spoken:
            re.compile(_action_pattern(entry, self.grammar), re.IGNORECASE | re.MULTILINE)
        return self


def _action_pattern(entry: ActionEntry | SpokenEntry, grammar: Grammar) -> str:
    """The entry as one regex: its pattern, or its grammar read into one."""
    slots, irregular = grammar.slots, grammar.irregular
    if isinstance(entry, SpokenEntry) and entry.subjects:
        return statement_pattern(entry.subjects, entry.verbs, slots, irregular, entry.determiners)
    if isinstance(entry, SpokenEntry) and entry.calls:
        return address_pattern(entry.calls, entry.verbs, slots)
    if isinstance(entry, SpokenEntry) and entry.verbs:
        return imperative_pattern(entry.verbs, slots)
    verbs = phrase_pattern(entry.verbs, slots, irregular) if entry.verbs else None
    return "|".join(f"(?:{p})" for p in (entry.pattern, verbs) if p)


@dataclass(frozen=True)
class Stage:
    """The vocabulary compiled: each pattern once, case-insensitive."""

    opener: re.Pattern[str]  # an unbracketed direction line (case-sensitive)
    effect_line: re.Pattern[str]  # a short unbracketed line of sound or action ending with a stop ("Wrastle.")
    not_speakers: frozenset[str]
    line_width: int
    old_spellings: dict[str, str]
    old_spelling: re.Pattern[str]  # any of them, a whole word
    screenplay_heading: re.Pattern[str]  # a screenplay's scene heading (INT. / EXT.)
    screenplay_transition: re.Pattern[str]  # FADE IN:, CUT TO:
    character_cue: re.Pattern[str]  # a screenplay's speaker, over the dialogue
    sound_only: re.Pattern[str]
    enter: re.Pattern[str]
    exit: re.Pattern[str]
    all_but: re.Pattern[str]
    transit: re.Pattern[str]
    crowd: re.Pattern[str]
    masked: re.Pattern[str]
    name_separators: re.Pattern[str]
    set_down: re.Pattern[str]
    in_hand: re.Pattern[str]
    not_names: frozenset[str]
    not_people: re.Pattern[str]
    role: re.Pattern[str]
    the_rest: re.Pattern[str]
    train: re.Pattern[str]
    attended: re.Pattern[str]
    chorus: frozenset[str]
    chorus_role: re.Pattern[str]
    misprinted_exit: re.Pattern[str]
    bare_exit: re.Pattern[str]
    actions: tuple[tuple[re.Pattern[str], Action], ...]
    any_action: re.Pattern[str]
    heading_actions: frozenset[str]
    carried_off: re.Pattern[str]
    inner_play_end: re.Pattern[str]
    spoken: tuple[tuple[re.Pattern[str], SpokenAction], ...]
    spoken_by_word: dict[str, tuple[int, ...]]  # a word -> the `spoken` entries it can start
    spoken_words: re.Pattern[str]
    not_now: re.Pattern[str]
    not_yet: re.Pattern[str]
    negation: re.Pattern[str]
    spoken_max_lines: dict[str, int]
    moments_end_spoken: frozenset[str]
    moments_clear: frozenset[str]
    ended_closes: tuple[str, ...]
    clear_closes: tuple[str, ...]
    alone_min_lines: int
    alone_brief_lines: int
    alone_return_lines: int
    narrow_to: int
    narrow_from: int
    narrow_leaving: int


@lru_cache(maxsize=1)
def stage_vocabulary() -> Stage:
    try:
        data = load_yaml_model(DATA / "stage.yaml", StageVocabulary, DecisionDataError)
    except re.error as exc:  # pragma: no cover - raised inside validation as a ValidationError
        raise DecisionDataError(f"stage.yaml: {exc}") from None
    flags = re.IGNORECASE
    openers = "|".join(data.layout.direction_openers)
    action_patterns = [(_action_pattern(e, data.grammar), e.action) for e in data.actions]
    spoken_patterns = [(_action_pattern(e, data.grammar), e.action) for e in data.spoken]
    actions = tuple((re.compile(p, flags), a) for p, a in action_patterns)
    spoken = tuple((re.compile(p, flags | re.MULTILINE), a) for p, a in spoken_patterns)
    by_word: dict[str, list[int]] = {}  # a word on a line -> the spoken entries worth trying on it
    for index, entry in enumerate(data.spoken):
        own = [w for phrase in (*entry.subjects, *entry.calls) for w in phrase.split()] or data.spoken_words
        for word in own:
            by_word.setdefault(word.lower(), []).append(index)
    words = list(by_word)
    effects = "|".join(data.layout.effect_openers)
    people = data.population
    chorus = "|".join(map(re.escape, people.chorus))
    return Stage(
        opener=re.compile(rf"^[ \t]*(?:{openers})\b"),
        effect_line=re.compile(rf"^[ \t]*(?:{effects})\b[^!?\n]{{0,80}}\.[ \t]*$"),
        not_speakers=frozenset(w.upper() for w in data.layout.not_speakers),
        line_width=data.layout.line_width,
        old_spellings={old.lower(): new for old, new in data.layout.old_spellings.items()},
        old_spelling=re.compile(
            r"\b(?:" + "|".join(map(re.escape, sorted(data.layout.old_spellings, key=len, reverse=True))) + r")\b", flags
        ),
        screenplay_heading=re.compile(data.layout.screenplay_heading),
        screenplay_transition=re.compile(data.layout.screenplay_transition),
        character_cue=re.compile(data.layout.character_cue),
        sound_only=re.compile(data.sound_only, flags),
        enter=re.compile(data.enter, flags),
        exit=re.compile(data.exit, flags),
        all_but=re.compile(data.all_but, flags),
        transit=re.compile(data.transit, flags),
        crowd=re.compile(data.crowd, flags),
        masked=re.compile(data.masked, flags),
        name_separators=re.compile(data.name_separators, flags),
        set_down=re.compile(data.set_down, flags),
        in_hand=re.compile(data.in_hand, flags),
        not_names=frozenset(w.upper() for w in data.not_names),
        not_people=re.compile(people.not_people, flags),
        role=re.compile(people.role, flags),
        the_rest=re.compile(people.the_rest, flags),
        train=re.compile(people.train, flags),
        attended=re.compile(people.attended, flags),
        chorus=frozenset(w.upper() for w in people.chorus),
        chorus_role=re.compile(rf"\b(?:as|like)\s+(?:the\s+|a\s+)?(?:{chorus})\b", flags),
        misprinted_exit=re.compile(people.misprinted_exit, flags),
        bare_exit=re.compile(people.bare_exit, flags),
        actions=actions,
        any_action=re.compile("|".join(f"(?:{p})" for p, _ in action_patterns), flags),
        heading_actions=frozenset(data.heading_actions),
        carried_off=re.compile(data.carried_off, flags),
        inner_play_end=re.compile(data.inner_play_end, flags),
        spoken=spoken,
        spoken_by_word={word: tuple(dict.fromkeys(indices)) for word, indices in by_word.items()},
        spoken_words=re.compile(r"\b(?:" + word_alternation(words) + r")\b", flags),
        not_now=re.compile(data.not_now, flags),
        not_yet=re.compile(data.not_yet, flags),
        negation=re.compile(data.negation, flags),
        spoken_max_lines=dict(data.spoken_max_lines),
        moments_end_spoken=frozenset(data.moments_end_spoken),
        moments_clear=frozenset(data.moments_clear),
        ended_closes=tuple(data.ended_closes),
        clear_closes=tuple(data.clear_closes),
        alone_min_lines=data.alone_min_lines,
        alone_brief_lines=data.alone_brief_lines,
        alone_return_lines=data.alone_return_lines,
        narrow_to=data.narrow_to,
        narrow_from=data.narrow_from,
        narrow_leaving=data.narrow_leaving,
    )
