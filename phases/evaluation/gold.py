"""Scoring a cue list against a designer's gold calls, by the rule in the gold files' README.

A gold cue's line is the script line holding its anchor, searched within its scene. A must cue is found when a
cue other than a structure cue is called within 2 lines of it; precision counts the internal cues (not scene
starts, structure cues or follows) within 2 lines of any gold cue; a must-not moment is cued when an internal cue
lies within 1 line of it. Time of day compares light against dark, on the time the scene's base cue assumed.
"""

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from phases.contracts import GoldCalls, LightingInstruction, Scene
from phases.contracts.validation import field_error

from .thresholds import vocabulary

INTERNAL_EXCLUDED = ("scene_start", "structure", "follow")
GOLD_FILE_LIMIT = 4 * 1024 * 1024  # the three dev plays' files are 20-40 KB


class GoldFileError(ValueError):
    """A gold file that cannot be read or is not of the gold shape: one line, naming the file."""


def load_gold(path: Path) -> GoldCalls:
    """A gold file: a regular JSON file of at most GOLD_FILE_LIMIT bytes, in the GoldCalls shape."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO opens at once here, then is refused below
    except OSError as exc:
        raise GoldFileError(f"{path}: {exc.strerror or exc}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise GoldFileError(f"{path}: not a regular file")
        if info.st_size > GOLD_FILE_LIMIT:
            raise GoldFileError(f"{path}: {info.st_size} bytes; a gold file is at most {GOLD_FILE_LIMIT} bytes")
        raw = handle.read(GOLD_FILE_LIMIT + 1)
    try:
        return GoldCalls.model_validate_json(raw)
    except ValidationError as exc:
        where, message = field_error(exc)
        raise GoldFileError(f"{path}: not a gold file: {where}: {message}"[:300]) from None
_SCENE_NUMBER = re.compile(r"^\s*(?:scene|scena|scoena|sc\.)\s+([ivxlc]+|\d+)\b", re.IGNORECASE)
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


@dataclass(frozen=True)
class GoldMoment:
    """A gold cue or must-not moment, placed on a script line (None: its anchor is not in its scene)."""

    scene: str
    anchor: str
    line: int | None
    must: bool = False
    kind: str = "other"


@dataclass
class GoldScore:
    play: str
    moments: list[GoldMoment] = field(default_factory=list)
    must_not: list[GoldMoment] = field(default_factory=list)
    found: list[GoldMoment] = field(default_factory=list)
    missed: list[GoldMoment] = field(default_factory=list)
    internal: list[LightingInstruction] = field(default_factory=list)
    near_gold: list[LightingInstruction] = field(default_factory=list)
    must_not_cued: list[GoldMoment] = field(default_factory=list)
    dated: int = 0
    time_right: int = 0
    time_wrong: list[tuple[str, str, str]] = field(default_factory=list)  # (scene, gold time, plan time or "none")
    unplaced: list[str] = field(default_factory=list)  # gold scenes or anchors not found in the script

    @property
    def must_count(self) -> int:
        return sum(1 for m in self.moments if m.must)

    @property
    def recall(self) -> float | None:
        return len(self.found) / self.must_count if self.must_count else None

    @property
    def precision(self) -> float | None:
        return len(self.near_gold) / len(self.internal) if self.internal else None

    @property
    def time_agreement(self) -> float | None:
        return self.time_right / self.dated if self.dated else None


def _roman(numeral: str) -> int:
    if numeral.isdigit():
        return int(numeral)
    values = [_ROMAN[c] for c in numeral.lower()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def scene_numbers(scenes: Sequence[Scene]) -> dict[str, Scene]:
    """act.scene for each scene: the number its heading prints, else its place in the act."""
    numbered: dict[str, Scene] = {}
    place: dict[int | None, int] = {}
    for scene in scenes:
        place[scene.act] = place.get(scene.act, 0) + 1
        match = _SCENE_NUMBER.match(scene.heading or "")
        number = _roman(match.group(1)) if match else place[scene.act]
        numbered.setdefault(f"{scene.act or 1}.{number}", scene)
    return numbered


def anchor_line(scene: Scene, anchor: str) -> int | None:
    """The script line of the anchor's first occurrence in the scene (whitespace-tolerant), or None."""
    at = scene.text.find(anchor)
    if at < 0:
        words = anchor.split()
        found = re.search(r"\s+".join(map(re.escape, words)), scene.text) if words else None
        if found is None:
            return None
        at = found.start()
    base = scene.source.start_line if scene.source else 1
    return base + scene.text.count("\n", 0, at)


def light_or_dark(time: str | None) -> str | None:
    """'dark', 'light', or None for an unknown time."""
    classes = vocabulary().time_classes
    return next((name for name, times in classes.items() if time in times), None)


def score_against_gold(scenes: Sequence[Scene], plan: Sequence[LightingInstruction], gold: GoldCalls) -> GoldScore:
    score = GoldScore(play=gold.play)
    numbered = scene_numbers(scenes)

    def place(scene_number: str, anchor: str) -> int | None:
        scene = numbered.get(scene_number)
        line = anchor_line(scene, anchor) if scene else None
        if line is None:
            score.unplaced.append(f"{scene_number}: {anchor}")
        return line

    score.moments = [GoldMoment(c.scene, c.anchor, place(c.scene, c.anchor), c.must, c.kind) for c in gold.cues]
    score.must_not = [GoldMoment(m.scene, m.anchor, place(m.scene, m.anchor)) for m in gold.must_not]

    called = [c.called_on.script_line for c in plan if c.called_on.kind != "structure" and c.called_on.script_line]
    score.internal = [c for c in plan if c.called_on.kind not in INTERNAL_EXCLUDED and c.called_on.script_line]
    gold_lines = [m.line for m in score.moments if m.line is not None]
    for moment in score.moments:
        if not moment.must:
            continue
        hit = moment.line is not None and any(abs(line - moment.line) <= 2 for line in called)
        (score.found if hit else score.missed).append(moment)
    score.near_gold = [
        c for c in score.internal if any(abs((c.called_on.script_line or 0) - line) <= 2 for line in gold_lines)
    ]
    internal_lines = [c.called_on.script_line or 0 for c in score.internal]
    score.must_not_cued = [
        m for m in score.must_not if m.line is not None and any(abs(line - m.line) <= 1 for line in internal_lines)
    ]

    base_time = {
        c.scene_id: c.metadata.time_of_day if c.metadata else None for c in plan if c.called_on.kind == "scene_start"
    }
    for gold_scene in gold.scenes:
        expected = light_or_dark(gold_scene.time)
        scene = numbered.get(gold_scene.scene)
        if expected is None:
            continue
        if scene is None:
            score.unplaced.append(f"{gold_scene.scene}: no such scene")
            continue
        score.dated += 1
        assumed = base_time.get(scene.scene_id)
        if light_or_dark(assumed) == expected:
            score.time_right += 1
        else:
            score.time_wrong.append((gold_scene.scene, gold_scene.time, assumed or "none"))
    return score
