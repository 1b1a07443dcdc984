"""Retrieve the rules that apply to a scene: filter by the scene's tags, then rank.

A rule applies when its context matches one of the scene's tags: its emotion, location, time of day, scene
function, script type, the production's genre, or a general technique. Tags come from the scene's fields and
keywords, and also from meaning: the scene's words are embedded with the offline static model of Phase 2 and
compared with each rule's words, so "terrifying and dark" reaches the fear and night rules although it names
neither. The match weight times the rule's priority gives the score; BM25 and embedding similarity between scene
and rule break ties and lift rules the text speaks of. Everything derived from the rules (regexes, BM25 index,
rule embeddings) is built once per knowledge-base version.
"""

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import bm25s
import numpy as np
import yaml

from phases.contracts import LightingRule, Scene, SceneKnowledge, ScoredRule
from phases.data_files import parse_yaml
from phases.embedding import embedder, split_words

from .errors import KnowledgeError
from .loading import DATA_DIR, KnowledgeBase

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
_WORD = re.compile(r"[a-z0-9]+")
# Meaning-based tags: a rule of these context types is tagged when the scene's embedding is close to the rule's.
_SEMANTIC_TYPES = ("time_of_day", "location", "scene_function")
# Structural contexts: they follow from the scene's place in the script, never from what its text means.
_STRUCTURAL = {("time_of_day", "continuous"), ("scene_function", "opening"), ("scene_function", "finale")}
logging.getLogger("bm25s").setLevel(logging.WARNING)


@dataclass(frozen=True)
class ScenePosition:
    index: int  # 0-based
    total: int


@dataclass(frozen=True)
class RetrievalSettings:
    bm25_share: float
    embed_share: float
    semantic_min: float
    semantic_top: int
    semantic_weight: float
    text_time_density: float


@lru_cache(maxsize=1)
def retrieval_settings() -> RetrievalSettings:
    path = DATA_DIR / "retrieval.yaml"
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
        return RetrievalSettings(**{k: int(v) if k == "semantic_top" else float(v) for k, v in raw.items()})
    except (OSError, yaml.YAMLError, TypeError, ValueError, AttributeError) as exc:
        raise KnowledgeError(f"{path.name}: {exc}") from None


@dataclass(frozen=True)
class _RuleIndex:
    """Everything retrieval derives from the rules, built once per knowledge-base version."""

    keywords: tuple[re.Pattern[str] | None, ...]  # one alternation per rule, None when it has no keywords
    counters: tuple["_KeywordCounter", ...]  # the same keywords, counted in long text by word lookup
    phrases: re.Pattern[str] | None  # every multi-word (or punctuated) keyword of every rule, in one alternation
    bm25: bm25s.BM25
    vectors: np.ndarray  # (rules, dim) centred unit embeddings of each rule's words
    scene_centre: np.ndarray  # (dim,) what every scene's embedding shares, removed before comparing


def _rule_text(rule: LightingRule) -> str:
    return " ".join([rule.context_value.replace("_", " "), " ".join(rule.keywords), rule.description])


@dataclass(frozen=True)
class _KeywordCounter:
    """Counts a rule's keywords in a scene's text: single words by lookup in the text's word counts, phrases
    (and words with inner punctuation) by regex. Far cheaper than a regex over a long scene for every rule."""

    words: frozenset[str]
    phrases: frozenset[str]

    @classmethod
    def of(cls, keywords: list[str]) -> "_KeywordCounter":
        lowered = {k.lower() for k in keywords}
        words = frozenset(k for k in lowered if _WORD.fullmatch(k))
        return cls(words=words, phrases=frozenset(lowered - words))

    def count(self, word_counts: Counter[str], phrase_counts: Counter[str]) -> int:
        hits = sum(word_counts[w] for w in self.words if w in word_counts)
        return hits + sum(phrase_counts[p] for p in self.phrases if p in phrase_counts)


def _keyword_regex(keywords: list[str]) -> re.Pattern[str] | None:
    if not keywords:
        return None
    alternatives = sorted({k.lower() for k in keywords}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(k) for k in alternatives) + r")\b")


def _build_index(rules: tuple[LightingRule, ...]) -> _RuleIndex:
    texts = [_rule_text(r) for r in rules]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    counters = tuple(_KeywordCounter.of(r.keywords) for r in rules)
    raw = embedder().embed(texts)
    vectors = raw - raw.mean(axis=0)
    vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    return _RuleIndex(
        keywords=tuple(_keyword_regex(r.keywords) for r in rules),
        counters=counters,
        phrases=_keyword_regex(sorted({p for c in counters for p in c.phrases})),
        bm25=retriever,
        vectors=vectors,
        # Scene text minus the rules' mean keeps what is particular to the scene, so a long scene's common
        # words do not decide its tags. The centre comes from the knowledge itself, not from another phase.
        scene_centre=raw.mean(axis=0),
    )


_INDEXES: dict[str, _RuleIndex] = {}


def _rule_index(kb: KnowledgeBase) -> _RuleIndex:
    """The rule index for this knowledge base, keyed on its content hash (kb.version)."""
    found = _INDEXES.get(kb.version)
    if found is None:
        if len(_INDEXES) >= 4:
            _INDEXES.clear()
        found = _INDEXES[kb.version] = _build_index(kb.rules)
    return found


@dataclass(frozen=True)
class _QueryWords:
    """A scene's words, split once and shared by the embedding, BM25 and keyword counting."""

    all: list[str]  # heading, place, time, lighting directions, emotion labels, then the text
    body: list[str]  # the text alone

    @classmethod
    def of(cls, scene: Scene) -> "_QueryWords":
        body = split_words(scene.text)
        return cls(all=split_words(_query_head(scene)) + body, body=body)


def scene_tags(
    scene: Scene,
    kb: KnowledgeBase,
    position: ScenePosition | None,
    genre: str | None,
    similarity: np.ndarray | None = None,
    words: _QueryWords | None = None,
) -> dict[tuple[str, str], tuple[float, str]]:
    """(context_type, context_value) -> (match weight 0..1, why). similarity: each rule's centred cosine
    similarity to the scene; words: the scene's split words (both computed here when not given)."""
    index = _rule_index(kb)
    conf = retrieval_settings()
    words = words or _QueryWords.of(scene)
    if similarity is None:
        similarity = _embedding_similarity(index, words.all)
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
    elif scene.genre:
        add("genre", scene.genre.lower(), 0.8, "genre read from the play")
    if scene.time_of_day and scene.time_of_day.upper() in _TIME_ALIASES:
        add("time_of_day", _TIME_ALIASES[scene.time_of_day.upper()], 1.0, "heading")
    place = " ".join(filter(None, [scene.location, scene.heading])).lower()
    directions = " ".join(scene.explicit_lighting).lower()
    body = scene.text.lower()
    body_words = Counter(words.body)
    body_phrases = Counter(index.phrases.findall(body)) if index.phrases else Counter()
    n_words = max(sum(body_words.values()), 1)
    for rule, pattern, counter in zip(kb.rules, index.keywords, index.counters, strict=True):
        if rule.script_types and scene.script_type not in rule.script_types:
            continue
        if rule.context_type == "location" and pattern and pattern.search(place):
            add("location", rule.context_value, 1.0, "location")
        elif rule.context_type == "time_of_day" and pattern and (key := ("time_of_day", rule.context_value)) not in tags:
            if pattern.search(directions) or pattern.search(place):
                add(*key, 0.7, "lighting directions")
            elif (density := 100 * counter.count(body_words, body_phrases) / n_words) >= conf.text_time_density:
                add(*key, min(0.6, 0.25 * density), "the text speaks of it")
        elif rule.context_type == "scene_function" and pattern:
            in_heading = pattern.search(place) is not None
            in_text = counter.count(body_words, body_phrases)
            density = 100 * in_text / n_words
            weight = max(0.9 if in_heading else 0.0, min(0.9, 0.25 * density))
            if weight >= 0.3:
                add("scene_function", rule.context_value, weight, f"{in_text} keyword hits in the text")
        elif rule.context_type == "technique":
            weight = 0.5 + (0.5 if pattern and pattern.search(directions) else 0.0)
            add("technique", rule.context_value, weight, "general technique")
    _add_semantic_tags(kb.rules, scene, similarity, add, conf)
    if position is not None:
        if position.index == 0:
            add("scene_function", "opening", 1.0, "first scene")
        if position.index == position.total - 1 and position.total > 1:
            add("scene_function", "finale", 1.0, "last scene")
    return tags


def _add_semantic_tags(
    rules: tuple[LightingRule, ...],
    scene: Scene,
    similarity: np.ndarray,
    add: Callable[[str, str, float, str], None],
    conf: RetrievalSettings,
) -> None:
    """Tag the rules whose words mean what the scene's words mean (top few per context type, above a floor).

    Emotion rules join in only when Phase 2 gave the scene no emotion (off or failed): then "terrifying and dark"
    still reaches the fear and low-light rules through the rules' own words."""
    kinds = _SEMANTIC_TYPES + (("emotion",) if scene.emotion is None else ())
    for kind in kinds:
        candidates = [
            (float(similarity[i]), rule)
            for i, rule in enumerate(rules)
            if rule.context_type == kind
            and similarity[i] >= conf.semantic_min
            and (kind, rule.context_value) not in _STRUCTURAL
            and not (rule.script_types and scene.script_type not in rule.script_types)
        ]
        candidates.sort(key=lambda c: (-c[0], c[1].rule_id))
        for sim, rule in candidates[: conf.semantic_top]:
            weight = conf.semantic_weight * (0.5 + 0.5 * (sim - conf.semantic_min) / (1 - conf.semantic_min))
            add(kind, rule.context_value, weight, f"meaning of the text (similarity {sim:.2f})")


def retrieve(
    scene: Scene,
    kb: KnowledgeBase,
    position: ScenePosition | None = None,
    genre: str | None = None,
    limit: int = 12,
) -> SceneKnowledge:
    index = _rule_index(kb)
    conf = retrieval_settings()
    words = _QueryWords.of(scene)
    similarity = _embedding_similarity(index, words.all)
    tags = scene_tags(scene, kb, position, genre, similarity, words)
    lexical = _bm25_scores(index, words.all)
    meaning = np.clip(similarity, 0.0, 1.0)
    scored: list[ScoredRule] = []
    for i, rule in enumerate(kb.rules):
        match = tags.get((rule.context_type, rule.context_value))
        if match is None or (rule.script_types and scene.script_type not in rule.script_types):
            continue
        weight, why = match
        score = weight * rule.priority / 10 + conf.bm25_share * lexical[i] + conf.embed_share * float(meaning[i])
        scored.append(
            ScoredRule(rule=rule, score=round(score, 4), matched_on=[f"{rule.context_type}={rule.context_value} ({why})"])
        )
    scored.sort(key=lambda s: (-s.score, s.rule.rule_id))
    chosen = scored[:limit]
    groups = {g for s in chosen for g in s.rule.group_balance} | {"front_wash"}
    fixtures = [f.fixture_id for f in kb.rig.fixtures if f.group_id in groups]
    return SceneKnowledge(scene_id=scene.scene_id, rules=chosen, fixture_ids=fixtures, kb_version=kb.version)


def _query_head(scene: Scene) -> str:
    """What the scene says about itself besides its text: heading, place, time, lighting directions, emotion."""
    parts = [scene.heading or "", scene.location or "", scene.time_of_day or "", " ".join(scene.explicit_lighting)]
    if scene.emotion:
        parts += [scene.emotion.primary, scene.emotion.secondary or ""]
    return " ".join(parts)


def _query(scene: Scene) -> str:
    return _query_head(scene) + " " + scene.text


def _embedding_similarity(index: _RuleIndex, words: list[str]) -> np.ndarray:
    """Each rule's centred cosine similarity to the scene's words."""
    vector = embedder().embed_words(words) - index.scene_centre
    vector /= max(float(np.linalg.norm(vector)), 1e-9)
    return index.vectors @ vector


def _bm25_scores(index: _RuleIndex, words: list[str]) -> np.ndarray:
    """Each rule's BM25 score against the scene's words, scaled to 0..1."""
    # Each distinct word the index knows, once (stopwords are not in the index, so they drop out here).
    vocab = index.bm25.vocab_dict
    tokens = [t for t in set(words) if t in vocab]
    if not tokens:
        return np.zeros(len(index.keywords), dtype=np.float32)
    scores = index.bm25.get_scores(sorted(tokens))
    return scores / float(max(scores.max(), 1e-9))
