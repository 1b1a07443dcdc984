"""Retrieve the rules that apply to a scene: filter by the scene's tags, then rank.

A rule applies when its context matches one of the scene's tags (its emotion, location, time of day,
scene function, script type, the production's genre) or when it is a general technique. The match
weight times the rule's priority gives its score; BM25 over the rules' descriptions and keywords
against the scene's heading, cues and text breaks ties and lifts rules the text speaks of.
"""

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

import bm25s

from phases.contracts import LightingRule, Scene, SceneKnowledge, ScoredRule

from .loading import KnowledgeBase

_TIME_ALIASES = {
    "DAY": "day",
    "NOON": "day",
    "AFTERNOON": "day",
    "NIGHT": "night",
    "MIDNIGHT": "night",
    "DAWN": "dawn",
    "DAYBREAK": "dawn",
    "SUNRISE": "dawn",
    "DUSK": "dusk",
    "SUNSET": "dusk",
    "EVENING": "dusk",
    "TWILIGHT": "dusk",
    "MORNING": "morning",
    "CONTINUOUS": "continuous",
    "SAME": "continuous",
    "MOMENTS LATER": "continuous",
    "LATER": "continuous",
}
_BM25_SHARE = 0.15  # how much text similarity can add to a tag-matched score
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ScenePosition:
    index: int  # 0-based
    total: int


def scene_tags(
    scene: Scene, kb: KnowledgeBase, position: ScenePosition | None, genre: str | None
) -> dict[tuple[str, str], tuple[float, str]]:
    """(context_type, context_value) -> (match weight 0..1, why)."""
    tags: dict[tuple[str, str], tuple[float, str]] = {}

    def add(kind: str, value: str, weight: float, why: str) -> None:
        key = (kind, value)
        if weight > tags.get(key, (0.0, ""))[0]:
            tags[key] = (round(min(1.0, weight), 4), why)

    if scene.emotion is not None:
        add("emotion", scene.emotion.primary, 0.6 + 0.4 * scene.emotion.primary_confidence, "primary emotion")
        if scene.emotion.secondary:
            add(
                "emotion",
                scene.emotion.secondary,
                0.4 * (0.6 + 0.4 * (scene.emotion.secondary_confidence or 0)),
                "secondary emotion",
            )
    add("script_type", scene.script_type, 1.0, "script type")
    if genre:
        add("genre", genre.lower(), 1.0, "production genre")
    if scene.time_of_day and scene.time_of_day.upper() in _TIME_ALIASES:
        add("time_of_day", _TIME_ALIASES[scene.time_of_day.upper()], 1.0, "heading")
    place = " ".join(filter(None, [scene.location, scene.heading])).lower()
    directions = " ".join(scene.explicit_lighting).lower()
    body = scene.text.lower()
    n_words = max(len(body.split()), 1)
    for rule in kb.rules:
        if rule.script_types and scene.script_type not in rule.script_types:
            continue
        if rule.context_type == "location" and _mentions(place, rule.keywords):
            add("location", rule.context_value, 1.0, "location")
        elif rule.context_type == "time_of_day" and (key := ("time_of_day", rule.context_value)) not in tags:
            hits = _count(directions, rule.keywords) + _count(place, rule.keywords)
            if hits:
                add(*key, 0.7, "lighting directions")
        elif rule.context_type == "scene_function" and rule.keywords:
            in_heading = _count(place, rule.keywords)
            in_text = _count(body, rule.keywords)
            density = 100 * in_text / n_words
            weight = max(0.9 if in_heading else 0.0, min(0.9, 0.25 * density))
            if weight >= 0.3:
                add("scene_function", rule.context_value, weight, f"{in_text} keyword hits in the text")
        elif rule.context_type == "technique":
            weight = 0.5 + (0.5 if _mentions(directions, rule.keywords) else 0.0)
            add("technique", rule.context_value, weight, "general technique")
    if position is not None:
        if position.index == 0:
            add("scene_function", "opening", 1.0, "first scene")
        if position.index == position.total - 1 and position.total > 1:
            add("scene_function", "finale", 1.0, "last scene")
    return tags


def retrieve(
    scene: Scene,
    kb: KnowledgeBase,
    position: ScenePosition | None = None,
    genre: str | None = None,
    limit: int = 12,
) -> SceneKnowledge:
    tags = scene_tags(scene, kb, position, genre)
    similarity = _bm25_scores(kb, _query(scene))
    scored: list[ScoredRule] = []
    for index, rule in enumerate(kb.rules):
        match = tags.get((rule.context_type, rule.context_value))
        if match is None or (rule.script_types and scene.script_type not in rule.script_types):
            continue
        weight, why = match
        score = weight * rule.priority / 10 + _BM25_SHARE * similarity[index]
        scored.append(
            ScoredRule(rule=rule, score=round(score, 4), matched_on=[f"{rule.context_type}={rule.context_value} ({why})"])
        )
    scored.sort(key=lambda s: (-s.score, s.rule.rule_id))
    chosen = scored[:limit]
    groups = {g for s in chosen for g in s.rule.group_balance} | {"front_wash"}
    fixtures = [f.fixture_id for f in kb.rig.fixtures if f.group_id in groups]
    return SceneKnowledge(scene_id=scene.scene_id, rules=chosen, fixture_ids=fixtures, kb_version=kb.version)


def _query(scene: Scene) -> str:
    parts = [scene.heading or "", scene.location or "", scene.time_of_day or "", " ".join(scene.explicit_lighting)]
    if scene.emotion:
        parts += [scene.emotion.primary, scene.emotion.secondary or ""]
    parts.append(" ".join(scene.text.split()[:400]))
    return " ".join(parts)


def _mentions(text: str, keywords: list[str]) -> bool:
    return any(re.search(rf"\b{re.escape(k.lower())}\b", text) for k in keywords)


def _count(text: str, keywords: list[str]) -> int:
    return sum(len(re.findall(rf"\b{re.escape(k.lower())}\b", text)) for k in keywords)


@lru_cache(maxsize=4)
def _index(version: str, corpus: tuple[str, ...]) -> bm25s.BM25:
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(list(corpus), stopwords="en", show_progress=False), show_progress=False)
    return retriever


def _rule_text(rule: LightingRule) -> str:
    return " ".join([rule.context_value.replace("_", " "), rule.description, " ".join(rule.keywords)])


def _bm25_scores(kb: KnowledgeBase, query: str) -> list[float]:
    """Each rule's BM25 score against the query, scaled to 0..1."""
    retriever = _index(kb.version, tuple(_rule_text(r) for r in kb.rules))
    tokens = bm25s.tokenize([query], stopwords="en", show_progress=False)
    ids = tokens.ids[0]
    vocab_inv = {v: k for k, v in tokens.vocab.items()}
    words = [vocab_inv[i] for i in ids]
    scores = retriever.get_scores(words)
    top = float(max(scores.max(), 1e-9))
    return [float(s) / top for s in scores]
