"""The stage vocabulary (data/stage.yaml): how a direction's action, the people on stage and light named in the
dialogue are read. Loaded once, its patterns compiled."""

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from phases.data_files import load_yaml_model

from .settings import DATA, DecisionDataError

Action = Literal[
    "blackout", "lights_up", "storm", "lightning", "thunder", "shot", "vanish", "lower", "apparition", "swoon",
    "wound", "death", "sleep", "wake", "light_in", "light_out", "fight", "retreat", "dance", "unmask", "charm",
    "upper", "reveal", "place", "inner_play", "impact",
]  # fmt: skip
SpokenAction = Literal["light_in", "light_out", "fire", "glimmer", "fog", "darken", "upper", "news", "invisible"]


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
        re.compile(value)
        return value


class ActionEntry(_Frozen):
    pattern: str
    action: Action


class SpokenEntry(_Frozen):
    pattern: str
    action: SpokenAction


class StageVocabulary(_Frozen):
    layout: Layout
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
    inner_play_end: str
    spoken: list[SpokenEntry]
    spoken_words: list[str] = Field(min_length=1)
    not_now: str
    not_yet: str
    spoken_max_lines: dict[SpokenAction, int]
    alone_min_lines: int = Field(ge=1, le=100)
    alone_brief_lines: int = Field(ge=0, le=200)
    alone_return_lines: int = Field(ge=0, le=200)
    narrow_to: int = Field(ge=1, le=20)
    narrow_from: int = Field(ge=2, le=50)
    narrow_leaving: int = Field(ge=1, le=50)

    @field_validator(
        "sound_only", "enter", "exit", "all_but", "transit", "crowd", "masked", "name_separators", "set_down", "in_hand",
        "inner_play_end", "not_now", "not_yet",
    )  # fmt: skip
    @classmethod
    def _regex(cls, value: str) -> str:
        re.compile(value)
        return value

    @field_validator("actions", "spoken")
    @classmethod
    def _patterns(cls, value: list[ActionEntry] | list[SpokenEntry]) -> list:  # type: ignore[type-arg]
        for entry in value:
            re.compile(entry.pattern)
        return value


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
    inner_play_end: re.Pattern[str]
    spoken: tuple[tuple[re.Pattern[str], SpokenAction], ...]
    any_spoken: re.Pattern[str]
    spoken_words: re.Pattern[str]
    not_now: re.Pattern[str]
    not_yet: re.Pattern[str]
    spoken_max_lines: dict[str, int]
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
    effects = "|".join(data.layout.effect_openers)
    people = data.population
    chorus = "|".join(map(re.escape, people.chorus))
    actions = tuple((re.compile(e.pattern, flags), e.action) for e in data.actions)
    spoken = tuple((re.compile(e.pattern, flags | re.MULTILINE), e.action) for e in data.spoken)
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
        any_action=re.compile("|".join(f"(?:{e.pattern})" for e in data.actions), flags),
        inner_play_end=re.compile(data.inner_play_end, flags),
        spoken=spoken,
        any_spoken=re.compile("|".join(f"(?:{e.pattern})" for e in data.spoken), flags | re.MULTILINE),
        spoken_words=re.compile(r"\b(?:" + "|".join(map(re.escape, data.spoken_words)) + r")\b", flags),
        not_now=re.compile(data.not_now, flags),
        not_yet=re.compile(data.not_yet, flags),
        spoken_max_lines=dict(data.spoken_max_lines),
        alone_min_lines=data.alone_min_lines,
        alone_brief_lines=data.alone_brief_lines,
        alone_return_lines=data.alone_return_lines,
        narrow_to=data.narrow_to,
        narrow_from=data.narrow_from,
        narrow_leaving=data.narrow_leaving,
    )
