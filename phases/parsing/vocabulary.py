"""The word lists of phases/parsing/data/vocabulary.yaml, as regular-expression alternations."""

from functools import cache
from pathlib import Path

import yaml

VOCABULARY_FILE = Path(__file__).parent / "data" / "vocabulary.yaml"


@cache
def _vocabulary() -> dict[str, list[str]]:
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise RuntimeError(f"{VOCABULARY_FILE}: expected a mapping of names to lists")
    return {key: [str(item) for item in value] for key, value in data.items()}


def words(name: str) -> list[str]:
    return list(_vocabulary()[name])


def alternation(name: str) -> str:
    """`(?:a|b|c)` for the list `name`; longest entries first so `MOMENTS LATER` wins over `LATER`."""
    return "(?:" + "|".join(sorted(_vocabulary()[name], key=len, reverse=True)) + ")"
