"""The word lists of phases/parsing/data/vocabulary.yaml, as regular-expression alternations."""

from functools import cache
from pathlib import Path

from phases.data_files import parse_yaml

VOCABULARY_FILE = Path(__file__).parent / "data" / "vocabulary.yaml"


@cache
def _vocabulary() -> dict[str, list[str]]:
    data = parse_yaml(VOCABULARY_FILE.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise RuntimeError(f"{VOCABULARY_FILE}: expected a mapping of names to lists")
    return {key: [str(item) for item in value] for key, value in data.items()}


def words(name: str) -> list[str]:
    return list(_vocabulary()[name])


def alternation(name: str) -> str:
    """`(?:a|b|c)` for the list `name`; longest entries first so `MOMENTS LATER` wins over `LATER`."""
    return "(?:" + "|".join(sorted(_vocabulary()[name], key=len, reverse=True)) + ")"


TIMES_OF_DAY = ("dawn", "morning", "day", "afternoon", "dusk", "evening", "night", "midnight")


@cache
def _time_values() -> dict[str, str | None]:
    pairs = (item.split(":", 1) for item in _vocabulary()["time_of_day_values"])
    return {word.strip().lower(): (None if value.strip() == "null" else value.strip()) for word, value in pairs}


def time_of_day_value(word: str | None, before: str | None = None) -> str | None:
    """The Scene's time_of_day for a word such as "NIGHT", "Daybreak" or "sunset"; None when it names no time.

    `before` is the time of the scene before, which CONTINUOUS or LATER carry on.
    """
    if not word:
        return None
    key = " ".join(word.lower().split())
    value = _time_values().get(key, key)
    if value == "same":
        return before
    return value if value in TIMES_OF_DAY else None
