"""A play's genre read from its whole text, for when the production names none: the title first ("The Tragedy
of ..."), then what the play does (deaths in its directions, weddings and dances in its last act, the crowns and
places of a history, the oracles and wrecks of a romance). The words and thresholds are data (data/genre.yaml)."""

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from phases.data_files import parse_yaml

DATA_FILE = Path(__file__).parent / "data" / "genre.yaml"
_WORD = re.compile(r"[a-z]+")
_COUNTS = ("deaths", "last_act_deaths", "last_act_weddings", "history_per_10k", "romance_per_10k", "weddings_per_death")


@dataclass(frozen=True)
class GenreRule:
    genre: str
    bounds: dict[str, tuple[float | None, float | None]]  # count -> (min, max)


@dataclass(frozen=True)
class GenreWords:
    title_lines: int
    min_words: int
    title: dict[str, re.Pattern[str]]
    deaths: re.Pattern[str]
    words: dict[str, frozenset[str]]
    rules: tuple[GenreRule, ...]


@dataclass(frozen=True)
class PlayPart:
    """What the reader needs of one scene: its act, its stage directions and its words."""

    act: int | None
    directions: list[str]
    text: str


@cache
def genre_words() -> GenreWords:
    raw = parse_yaml(DATA_FILE.read_text(encoding="utf-8"))
    try:
        rules = []
        for item in raw["rules"]:
            bounds = {k: (v.get("min"), v.get("max")) for k, v in item.items() if k != "genre"}
            if unknown := set(bounds) - set(_COUNTS):
                raise ValueError(f"rule for {item['genre']}: unknown count {sorted(unknown)}")
            rules.append(GenreRule(str(item["genre"]), bounds))
        return GenreWords(
            title_lines=int(raw["title_lines"]),
            min_words=int(raw["min_words"]),
            title={k: re.compile(v, re.IGNORECASE) for k, v in raw["title"].items()},
            deaths=re.compile(raw["deaths"], re.IGNORECASE),
            words={k: frozenset(str(w).lower() for w in raw["words"][k]) for k in ("weddings", "history", "romance")},
            rules=tuple(rules),
        )
    except (KeyError, TypeError, ValueError, AttributeError, re.error) as exc:
        raise RuntimeError(f"{DATA_FILE}: {exc}") from None


def read_genre(front: str, parts: list[PlayPart]) -> tuple[str | None, str | None]:
    """(genre, what decided it), or (None, None) when the play says too little."""
    words = genre_words()
    title = [line.strip() for line in front.split("\n") if line.strip()][: words.title_lines]
    for genre, pattern in words.title.items():
        for line in title:
            if pattern.search(line):
                return genre, f'the title: "{line[:120]}"'
    acts = [p.act for p in parts if p.act is not None]
    if not parts or not acts:
        return None, None
    last = max(acts)
    counted = [Counter(_WORD.findall(p.text.lower())) for p in parts]
    text_words = sum(sum(c.values()) for c in counted)
    if text_words < words.min_words:
        return None, None

    def said(kind: str, only_last: bool = False) -> int:
        return sum(c[w] for p, c in zip(parts, counted, strict=True) if not only_last or p.act == last for w in words.words[kind])

    deaths = sum(len(words.deaths.findall(d)) for p in parts for d in p.directions)
    last_deaths = sum(len(words.deaths.findall(d)) for p in parts if p.act == last for d in p.directions)
    weddings = said("weddings", only_last=True)
    counts = {
        "deaths": deaths,
        "last_act_deaths": last_deaths,
        "last_act_weddings": weddings,
        "history_per_10k": 1e4 * said("history") / text_words,
        "romance_per_10k": 1e4 * said("romance") / text_words,
        "weddings_per_death": weddings / max(last_deaths, 1),
    }
    for rule in words.rules:
        if all(_within(counts[name], low, high) for name, (low, high) in rule.bounds.items()):
            said = ", ".join(f"{name.replace('_', ' ')} {counts[name]:.3g}" for name in rule.bounds)
            return rule.genre, f"the play: {said}"
    return None, None


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)
