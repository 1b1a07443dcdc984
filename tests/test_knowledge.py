"""Phase 3: the knowledge files load and validate, and retrieval finds the rules a scene needs."""

import re
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from phases.contracts import Emotion, Scene, TimeWindow
from phases.embedding import split_words
from phases.knowledge import DATA_DIR, KnowledgeBase, KnowledgeError, ScenePosition, load_knowledge, retrieve
from phases.knowledge.retrieval import _keyword_regex, _rule_index
from phases.parsing import parse_file


def _scene(text: str, **fields: object) -> Scene:
    return Scene(scene_id="scene_002", script_type="raw_drama", time_window=TimeWindow(start=0, end=60), text=text, **fields)


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(DATA_DIR, target)
    return target


def _edit_yaml(directory: Path, name: str, edit: Callable[[list[dict[str, object]]], object]) -> None:
    path = directory / name
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(entries)
    path.write_text(yaml.safe_dump(entries), encoding="utf-8")


def _edit_rules(directory: Path, index: int, **changes: object) -> None:
    _edit_yaml(directory, "rules.yaml", lambda rules: rules[index].update(changes))


# --- loading and validation ---------------------------------------------------------------------------


def test_knowledge_base_has_at_least_60_sourced_rules(kb: KnowledgeBase):
    assert len(kb.rules) >= 60
    assert all(rule.source.strip() for rule in kb.rules)
    assert {r.context_type for r in kb.rules} >= {"emotion", "scene_function", "genre", "location", "time_of_day", "technique"}


def test_no_rule_names_a_colour_the_table_lacks(kb: KnowledgeBase):
    named = {name for rule in kb.rules for name in rule.palette}
    assert named, "rules name no colours at all"
    assert named <= set(kb.colours), sorted(named - set(kb.colours))
    for name in named:
        assert kb.colour(name).name == name


def test_unknown_colour_is_an_error_not_white(kb: KnowledgeBase):
    with pytest.raises(KnowledgeError, match="'ultra_magenta' is not in the colour table"):
        kb.colour("ultra_magenta")


def test_rule_naming_an_unknown_colour_fails_to_load(tmp_path: Path):
    directory = _copy_data(tmp_path)
    _edit_rules(directory, 2, palette=["congo_blue", "ultra_magenta"])
    with pytest.raises(KnowledgeError, match=r"^rules\.yaml: field 2\.palette: colour 'ultra_magenta'"):
        load_knowledge(directory)


def test_bad_field_in_rules_names_the_file_and_the_field(tmp_path: Path):
    directory = _copy_data(tmp_path)
    _edit_rules(directory, 5, priority=42)
    with pytest.raises(KnowledgeError, match=r"^rules\.yaml: field 5\.priority: "):
        load_knowledge(directory)


def test_missing_source_names_the_file_and_the_field(tmp_path: Path):
    directory = _copy_data(tmp_path)
    _edit_yaml(directory, "rules.yaml", lambda rules: rules[0].pop("source"))
    with pytest.raises(KnowledgeError, match=r"^rules\.yaml: field 0\.source: Field required"):
        load_knowledge(directory)


def test_bad_colour_table_names_the_file_and_the_field(tmp_path: Path):
    directory = _copy_data(tmp_path)
    _edit_yaml(directory, "colours.yaml", lambda colours: colours[1].update(rgb=[300, 0, 0]))
    with pytest.raises(KnowledgeError, match=r"^colours\.yaml: field 1"):
        load_knowledge(directory)


def test_invalid_yaml_names_the_file(tmp_path: Path):
    directory = _copy_data(tmp_path)
    (directory / "colours.yaml").write_text("- {name: [unclosed\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"^colours\.yaml: invalid YAML"):
        load_knowledge(directory)


# --- retrieval -----------------------------------------------------------------------------------------


def test_night_exterior_fear_scene_gets_rules_of_three_context_types(kb: KnowledgeBase):
    scene = _scene(
        "Thunder. The WITCHES circle the fire on the blasted heath. BANQUO draws his sword and backs away.",
        heading="EXT. THE HEATH - NIGHT",
        location="THE HEATH",
        time_of_day="night",
        emotion=Emotion(primary="fear", primary_confidence=0.8, valence=-0.75, arousal=0.8, method="test"),
    )
    found = retrieve(scene, kb, ScenePosition(3, 10), genre="tragedy")
    ids = [s.rule.rule_id for s in found.rules]
    assert {"emotion.fear", "time.night"} <= set(ids)
    assert any(i.startswith("location.") for i in ids)
    assert len({s.rule.context_type for s in found.rules}) >= 3
    assert found.fixture_ids and found.kb_version == kb.version
    assert [s.score for s in found.rules] == sorted((s.score for s in found.rules), reverse=True)


def test_paraphrase_terrifying_and_dark_reaches_fear_and_low_light_rules(kb: KnowledgeBase):
    # No emotion from Phase 2 and no heading: only the meaning of the words can lead there.
    found = retrieve(_scene("The place is terrifying and dark."), kb)
    ids = [s.rule.rule_id for s in found.rules]
    assert "emotion.fear" in ids[:3]
    low_light = [s.rule for s in found.rules if s.rule.intensity and s.rule.intensity.max <= 0.45]
    assert {r.rule_id for r in low_light} >= {"emotion.fear", "time.night"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Everyone weeps at the graveside.", "emotion.sadness"),
        ("They laugh and celebrate, a merry wedding party.", "emotion.joy"),
        ("A spine-chilling, shadowy place where something horrible lurks.", "emotion.fear"),
        ("Thunder, a downpour, and the wind howls.", "function.storm"),
    ],
)
def test_retrieval_works_on_paraphrase(kb: KnowledgeBase, text: str, expected: str):
    ids = [s.rule.rule_id for s in retrieve(_scene(text), kb).rules]
    assert expected in ids[:4], ids


def test_rule_index_is_built_once_per_knowledge_version(kb: KnowledgeBase):
    assert _rule_index(kb) is _rule_index(kb)


def test_keyword_counting_matches_a_regex_count(kb: KnowledgeBase, macbeth: Path):
    index = _rule_index(kb)
    body = parse_file(macbeth).scenes[15].text.lower()
    words = Counter(split_words(body))
    phrases = Counter(index.phrases.findall(body)) if index.phrases else Counter()
    for rule, counter in zip(kb.rules, index.counters, strict=True):
        pattern = _keyword_regex(rule.keywords)
        expected = len(pattern.findall(body)) if pattern else 0
        # The regex counts the longest keyword at each place; the counter counts each keyword: equal when
        # no keyword of a rule sits inside another of the same rule at the same place.
        nested = any(re.search(rf"\b{re.escape(a)}\b", b) for a in rule.keywords for b in rule.keywords if a != b)
        if not nested:
            assert counter.count(words, phrases) == expected, rule.rule_id


def test_long_play_scenes_retrieve_from_their_whole_text(kb: KnowledgeBase, macbeth: Path):
    scenes = parse_file(macbeth).scenes
    cave = next(s for s in scenes if "Cave" in (s.heading or ""))
    ids = [s.rule.rule_id for s in retrieve(cave, kb, ScenePosition(15, len(scenes)), genre="tragedy").rules]
    assert "location.cave" in ids and "function.supernatural" in ids
