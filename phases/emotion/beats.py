"""A scene read as beats: windows of its text cut where it turns (an entrance, an exit, a death, a direction),
each read by the classifier and moved by what its own directions say, then neighbours that read alike merged.
The scene's overall read is the word-weighted mix of its windows. Cut words and factors: data/beats.yaml."""

import re
from dataclasses import dataclass
from functools import lru_cache

from phases.contracts import Emotion, EmotionBeat
from phases.data_files import parse_yaml

from .classifier import batch_label_scores, emotion_from_scores, settings
from .lexicon import DATA, EmotionDataError, taxonomy

BASELINE_FILE = DATA / "label_baseline.yaml"

_BRACKETED = re.compile(r"\[[^\[\]]{1,2000}\]|\([^()]{1,2000}\)", re.S)
_HEADING = re.compile(r"^\s*(?:ACT|Act|SCENE|Scene|Actus|Scena|Scoena|Scaena)\b")
_SPEAKER = re.compile(r"^\s*[A-Z][A-Z'’\- ]*[A-Z]\.?\s*$")
_HAS_WORD = re.compile(r"\w")
_NOT_NEWLINE = re.compile(r"[^\n]")


@dataclass(frozen=True)
class DirectionCue:
    name: str
    pattern: re.Pattern[str]
    factors: dict[str, float]


@dataclass(frozen=True)
class BeatSettings:
    cut: re.Pattern[str]
    opener: re.Pattern[str]
    min_words: int
    max_words: int
    cues: tuple[DirectionCue, ...]
    prose_share: float
    prose_factors: dict[str, float]


@lru_cache(maxsize=1)
def beat_settings() -> BeatSettings:
    raw = parse_yaml((DATA / "beats.yaml").read_text(encoding="utf-8"))
    known = set(taxonomy())
    try:
        words = sorted((str(w) for w in raw["cut_words"]), key=len, reverse=True)
        alternation = "|".join(re.escape(w) for w in words)
        cues = tuple(
            DirectionCue(str(c["name"]), re.compile(c["pattern"], re.IGNORECASE), {k: float(v) for k, v in c["factors"].items()})
            for c in raw["direction_cues"]
        )
        prose = {k: float(v) for k, v in raw["prose"]["factors"].items()}
        settings = BeatSettings(
            cut=re.compile(rf"^[ \t]*[\[(]?[ \t]*(?:{alternation})\b", re.MULTILINE),
            opener=re.compile(rf"^[ \t]*[\[(]?[ \t]*(?:{alternation})\b"),
            min_words=int(raw["min_words"]),
            max_words=int(raw["max_words"]),
            cues=cues,
            prose_share=float(raw["prose"]["share"]),
            prose_factors=prose,
        )
    except (KeyError, TypeError, ValueError, re.error) as exc:
        raise EmotionDataError(f"beats.yaml: {exc}") from None
    unknown = sorted(({k for c in cues for k in c.factors} | set(prose)) - known)
    if unknown:
        raise EmotionDataError(f"beats.yaml: labels not in taxonomy.yaml: {unknown}")
    return settings


def windows(text: str, conf: BeatSettings | None = None) -> list[tuple[int, int]]:
    """(start, end) spans covering the text: cut at turning lines, small pieces joined, long ones halved."""
    conf = conf or beat_settings()
    if not text:
        return []
    cuts = sorted({0, *(m.start() for m in conf.cut.finditer(text))})
    spans = [(a, b) for a, b in zip(cuts, [*cuts[1:], len(text)], strict=True) if b > a]
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined and _words(text, *joined[-1]) < conf.min_words:
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    if len(joined) > 1 and _words(text, *joined[-1]) < conf.min_words:
        last = joined.pop()
        joined[-1] = (joined[-1][0], last[1])
    out: list[tuple[int, int]] = []
    for span in joined:
        out.extend(_halve(text, span, conf.max_words))
    return out


def _halve(text: str, span: tuple[int, int], max_words: int) -> list[tuple[int, int]]:
    start, end = span
    if _words(text, start, end) <= max_words:
        return [span]
    middle = (start + end) // 2
    before = text.rfind("\n\n", start + 1, middle)
    after = text.find("\n\n", middle, end - 1)
    options = [p + 2 for p in (before, after) if p > 0]
    if not options:
        newline = text.find("\n", middle, end - 1)
        options = [newline + 1] if newline > 0 else []
    if not options:
        return [span]
    cut = min(options, key=lambda p: abs(p - middle))
    if cut <= start or cut >= end:
        return [span]
    return _halve(text, (start, cut), max_words) + _halve(text, (cut, end), max_words)


def _words(text: str, start: int, end: int) -> int:
    return text.count(" ", start, end) + text.count("\n", start, end)


def directions_of(window: str, conf: BeatSettings) -> str:
    """The directing text of a window: bracketed directions and lines that open like a direction or heading."""
    return "\n".join(_Layout(window, conf).directions(0, len(window)))


def prose_share(window: str) -> float:
    """Share of speech lines that run on in lower case: prose, not verse."""
    return _Layout(window, beat_settings()).prose_share(0, len(window))


class _Layout:
    """Where a text's directions and its speech lines are, found once for the whole scene."""

    def __init__(self, text: str, conf: BeatSettings) -> None:
        self.bracketed = [(m.start(), m.group(0)) for m in _BRACKETED.finditer(text)] if ("[" in text or "(" in text) else []
        self.lines: list[tuple[int, str]] = []  # direction lines
        self.speech: list[tuple[int, bool]] = []  # speech lines: (offset, runs on in lower case)
        unbracketed = _BRACKETED.sub(lambda m: _NOT_NEWLINE.sub(" ", m.group(0)), text) if self.bracketed else text
        offset = 0
        for raw, plain in zip(text.split("\n"), unbracketed.split("\n"), strict=True):
            if conf.opener.match(raw) or _HEADING.match(raw):
                self.lines.append((offset, raw))
            else:
                stripped = plain.strip()
                if stripped and _HAS_WORD.search(stripped) and not _SPEAKER.match(stripped):
                    self.speech.append((offset, stripped[0].islower()))
            offset += len(raw) + 1

    def directions(self, start: int, end: int) -> list[str]:
        return [t for at, t in self.bracketed if start <= at < end] + [t for at, t in self.lines if start <= at < end]

    def prose_share(self, start: int, end: int) -> float:
        flags = [lower for at, lower in self.speech if start <= at < end]
        return sum(flags) / len(flags) if len(flags) >= 6 else 0.0


def adjust(scores: dict[str, float], directing: str, prose: float, conf: BeatSettings) -> dict[str, float]:
    """Move the classifier's scores by what a window's directions (and its prose) say; renormalise."""
    factors: dict[str, float] = {}
    for cue in conf.cues:
        if directing and cue.pattern.search(directing):
            for label, f in cue.factors.items():
                factors[label] = factors.get(label, 1.0) * f
    if prose >= conf.prose_share:
        for label, f in conf.prose_factors.items():
            factors[label] = factors.get(label, 1.0) * f
    if not factors:
        return scores
    moved = {label: value * factors.get(label, 1.0) for label, value in scores.items()}
    total = sum(moved.values()) or 1.0
    return {label: value / total for label, value in moved.items()}


@lru_cache(maxsize=1)
def baseline() -> dict[str, float]:
    """Each label's usual share in play text (data/label_baseline.yaml); all ones when the file is absent."""
    if not BASELINE_FILE.exists():
        return {label: 1.0 for label in taxonomy()}
    raw = parse_yaml(BASELINE_FILE.read_text(encoding="utf-8"))
    try:
        values = {str(k): float(v) for k, v in raw.items()}
    except (AttributeError, TypeError, ValueError) as exc:
        raise EmotionDataError(f"label_baseline.yaml: {exc}") from None
    if set(values) != set(taxonomy()) or min(values.values()) <= 0:
        raise EmotionDataError("label_baseline.yaml: expected a positive share for every taxonomy label")
    return values


def window_scores(text: str, prefix: str = "") -> tuple[list[dict[str, float]], list[tuple[int, int]], list[int]]:
    """Scores per window (moved by its directions), the windows, and their word counts."""
    conf = beat_settings()
    spans = windows(text, conf) or [(0, len(text))]
    pieces = [text[a:b] for a, b in spans]
    if prefix:
        pieces[0] = f"{prefix}\n{pieces[0]}"
    raw = batch_label_scores(pieces)
    layout = _Layout(text, conf)
    scores = []
    # What the scene opens on before anyone speaks (the place, a storm, a battle) holds for all of it.
    opening = layout.directions(0, layout.speech[0][0] if layout.speech else len(text))
    if prefix:
        opening.append(prefix)
    for (start, end), s in zip(spans, raw, strict=True):
        directing = [*opening, *layout.directions(max(start, 1), end)]
        scores.append(adjust(s, "\n".join(directing), layout.prose_share(start, end), conf))
    return scores, spans, [max(_words(p, 0, len(p)), 1) for p in pieces]


def against_baseline(scores: dict[str, float]) -> dict[str, float]:
    """A label's score over its usual share in plays (to a power), renormalised: what stands out wins."""
    power = settings().baseline_power
    if not power:
        return scores
    usual = baseline()
    moved = {label: value / usual.get(label, 1.0) ** power for label, value in scores.items()}
    total = sum(moved.values()) or 1.0
    return {label: value / total for label, value in moved.items()}


@dataclass(frozen=True)
class SceneRead:
    emotion: Emotion
    beats: list[EmotionBeat]


def read_scene(text: str, prefix: str = "") -> SceneRead:
    """The scene's overall emotion and its beats. `prefix` (the heading, when the text lacks it) is read with the
    first window but not counted in the character offsets."""
    moved, spans, weights = window_scores(text, prefix)
    scores = [against_baseline(s) for s in moved]
    overall = _mix(scores, weights)
    if not _HAS_WORD.search(text):
        return SceneRead(emotion=emotion_from_scores(overall, words=0), beats=[])  # nothing to cut into beats
    beats: list[tuple[int, int, list[dict[str, float]], list[int]]] = []
    for (start, end), s, w in zip(spans, scores, weights, strict=True):
        label = _top(s)
        if beats and _top(_mix(beats[-1][2], beats[-1][3])) == label:
            beats[-1] = (beats[-1][0], end, [*beats[-1][2], s], [*beats[-1][3], w])
        else:
            beats.append((start, end, [s], [w]))
    emotion = emotion_from_scores(overall, words=len(text.split()))
    if len(beats) == 1:  # one feeling throughout: the beat is the scene's own read
        return SceneRead(emotion=emotion, beats=[EmotionBeat(start_char=beats[0][0], end_char=beats[0][1], emotion=emotion)])
    return SceneRead(
        emotion=emotion,
        beats=[
            EmotionBeat(start_char=a, end_char=b, emotion=emotion_from_scores(_mix(s, w), words=len(text[a:b].split())))
            for a, b, s, w in beats
        ],
    )


def _mix(scores: list[dict[str, float]], weights: list[int]) -> dict[str, float]:
    if len(scores) == 1:
        return scores[0]
    total = sum(weights) or 1
    out: dict[str, float] = {}
    for s, w in zip(scores, weights, strict=True):
        for label, value in s.items():
            out[label] = out.get(label, 0.0) + value * w / total
    return out


def _top(scores: dict[str, float]) -> str:
    return max(sorted(scores), key=lambda label: scores[label])
