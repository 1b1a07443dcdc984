"""Phase 1 and 2 output: a scene of the script, with its time window and emotion."""

from typing import Literal

from pydantic import Field, model_validator

from ._base import Contract

ScriptType = Literal["timestamped_drama", "raw_drama", "event_schedule", "cue_sheet", "mixed"]

EmotionLabel = Literal[
    # the basic seven
    "anger",
    "disgust",
    "fear",
    "joy",
    "neutral",
    "sadness",
    "surprise",
    # the stage-useful ones
    "tension",
    "mystery",
    "romantic",
    "hope",
    "triumph",
    "despair",
    "serenity",
    "awe",
    "nostalgia",
    "anticipation",
    "confusion",
    "jealousy",
]


SHOW_CLOCK_LIMIT = 7 * 24 * 3600.0  # a week: a longer show clock is a mistake (or NaN/Infinity), not a show

TimeOfDay = Literal["dawn", "morning", "day", "afternoon", "dusk", "evening", "night", "midnight"]
Setting = Literal["interior", "exterior"]
TimeSource = Literal["heading", "own", "carried"]


class TimeWindow(Contract):
    """Where a scene or cue sits on the show clock, in seconds from the top of the show."""

    start: float = Field(ge=0, le=SHOW_CLOCK_LIMIT, description="Seconds from the start of the show.")
    end: float = Field(ge=0, le=SHOW_CLOCK_LIMIT, description="Seconds from the start of the show; not before start.")

    @model_validator(mode="after")
    def _ordered(self) -> "TimeWindow":
        if self.end < self.start:
            raise ValueError(f"time window ends ({self.end}) before it starts ({self.start})")
        return self

    @property
    def duration(self) -> float:
        return self.end - self.start


class Emotion(Contract):
    """The emotional read of one scene."""

    primary: EmotionLabel
    primary_confidence: float = Field(ge=0, le=1)
    secondary: EmotionLabel | None = None
    secondary_confidence: float | None = Field(default=None, ge=0, le=1)
    valence: float = Field(ge=-1, le=1, description="Unpleasant (-1) to pleasant (+1).")
    arousal: float = Field(ge=0, le=1, description="Calm (0) to agitated (1).")
    method: str = Field(min_length=1, description="How the emotion was found, e.g. 'lexicon'.")


class EmotionBeat(Contract):
    """A stretch of a scene with its own feeling: the murder inside a banquet, the grief after a victory."""

    start_char: int = Field(ge=0, description="Where the beat starts in the scene's text.")
    end_char: int = Field(ge=0, description="Where it ends (exclusive).")
    emotion: Emotion


class DialogueLine(Contract):
    character: str = Field(min_length=1)
    text: str


class SourceSpan(Contract):
    """Where the scene's text sits in the normalised script text (0-based, end exclusive)."""

    start_char: int = Field(ge=0)
    end_char: int = Field(ge=0)
    start_line: int = Field(ge=1)
    end_line: int = Field(ge=1)
    start_page: int | None = Field(
        default=None, ge=1, description="The page of the script's PDF the scene starts on; null when the script was not a PDF."
    )
    page_lines: list[int] = Field(
        default_factory=list, description="Lines of the script inside the scene where a new PDF page begins, in order."
    )


class TimeChange(Contract):
    """Time of day moving inside a scene (dawn breaks, the sun sets, midnight strikes), where the text says so."""

    start_char: int = Field(ge=0, description="Where the words that move the time start in the scene's text.")
    to: TimeOfDay = Field(description="The time of day from here on.")
    evidence: str = Field(min_length=1, max_length=200, description="The deciding words, verbatim.")
    overcast: bool = Field(
        default=False, description="From here on the sky is overcast: a light time with no sun (\"the day frowns\")."
    )


class Scene(Contract):
    scene_id: str = Field(pattern=r"^scene_\d{3,}$")
    script_type: ScriptType
    time_window: TimeWindow
    text: str
    heading: str | None = None
    act: int | None = Field(default=None, ge=1, description="The act the scene belongs to, when the script has acts.")
    location: str | None = None
    time_of_day: TimeOfDay | None = Field(
        default=None, description="When the scene plays, from its heading, directions or dialogue, or carried on from before."
    )
    time_of_day_evidence: str | None = Field(
        default=None,
        max_length=200,
        description="What decided time_of_day: the heading, a direction or a line of dialogue, or the scene it carries on from.",
    )
    time_of_day_source: TimeSource | None = Field(
        default=None,
        description="Where time_of_day comes from: the heading, the scene's own words, or carried on from the scene before.",
    )
    overcast: bool = Field(
        default=False,
        description="The scene opens under an overcast sky: a light time the text says is sunless"
        " (\"the sun will not be seen to-day\"); false for a dark time.",
    )
    time_changes: list[TimeChange] = Field(
        default_factory=list, description="Changes of time of day inside the scene, in order, each with its words."
    )
    setting: Setting | None = Field(default=None, description="Interior or exterior, from the location.")
    genre: str | None = Field(
        default=None,
        max_length=40,
        description="The play's genre as Phase 1 read it from the whole script (comedy, tragedy, history, romance);"
        " the production's own genre overrides it.",
    )
    genre_evidence: str | None = Field(default=None, max_length=200, description="What decided the genre.")
    characters: list[str] = Field(default_factory=list)
    dialogue: list[DialogueLine] = Field(default_factory=list)
    emotion: Emotion | None = Field(default=None, description="Null when Phase 2 is off or failed for this scene.")
    beats: list[EmotionBeat] = Field(default_factory=list, description="The scene's beats in order, when Phase 2 read them.")
    explicit_lighting: list[str] = Field(
        default_factory=list, description="Lighting and effect directions, verbatim from the script."
    )
    source: SourceSpan | None = None


class ParsedScript(Contract):
    """Phase 1's whole output: the scenes plus what kind of script they came from."""

    source_name: str
    script_type: ScriptType
    confidence: float = Field(ge=0, le=1)
    reader: str = Field(description="Which reader segmented it: play, screenplay, fountain, ...")
    scenes: list[Scene] = Field(min_length=1)
