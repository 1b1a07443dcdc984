"""Phase 2: offline scene emotion from the static embedding model plus the lexicon."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from phases.contracts import Emotion, Scene, TimeWindow
from phases.embedding import MODEL_DIR, ModelMissingError, StaticEmbedder, embedder
from phases.emotion import classify, detect_emotion
from phases.emotion.classifier import chunks, label_scores, prototypes, settings
from phases.emotion.evaluation import BASIC, READERS, load_passages, score
from phases.emotion.lexicon import DATA, EmotionDataError, taxonomy
from phases.parsing import parse_file

EVAL = Path(__file__).parent / "data" / "emotion_eval.yaml"


def _scene(text: str) -> Scene:
    return Scene(scene_id="scene_001", script_type="raw_drama", time_window=TimeWindow(start=0, end=60), text=text)


def test_model_files_are_committed_with_the_apache_notice():
    notice = (MODEL_DIR / "NOTICE").read_text(encoding="utf-8")
    assert "all-MiniLM-L6-v2" in notice and "Apache License, Version 2.0" in notice
    assert (MODEL_DIR / "model.safetensors").stat().st_size < 10_000_000


def test_embedder_reads_the_committed_model_and_ranks_meaning():
    model = embedder()
    vectors = model.embed(["I am terrified of the dark", "She is frightened and trembling", "The invoice is attached"])
    assert vectors.shape == (3, model.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]


def test_embedder_gives_a_zero_row_for_empty_text():
    vectors = embedder().embed(["", "joy"])
    assert not vectors[0].any() and vectors[1].any()


def test_word_cache_matches_the_tokenizer(macbeth: Path):
    model = embedder()
    text = parse_file(macbeth).scenes[7].text
    direct = [i for i in model._tokenizer.encode(text, add_special_tokens=False).ids if i != model._unk]
    assert model.token_ids([text])[0] == direct


def test_missing_model_is_a_clear_error(tmp_path: Path):
    with pytest.raises(ModelMissingError, match="could not be read"):
        StaticEmbedder(tmp_path)


def test_runtime_does_not_need_torch():
    import sys

    embedder()
    classify("A quiet morning.")
    assert "torch" not in sys.modules


def test_every_taxonomy_label_has_prototypes():
    raw = yaml.safe_load((DATA / "prototypes.yaml").read_text(encoding="utf-8"))
    assert set(raw) == set(taxonomy())
    assert all(len(v) >= 5 for v in raw.values())
    assert prototypes().centroids.shape[0] == len(taxonomy())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am so frightened. Something is moving in the dark and I cannot breathe. Help me!", {"fear", "tension"}),
        ("We won! Everybody dance, laugh, drink, this is the happiest night of our lives!", {"joy", "triumph"}),
        ("She kneels by the grave and weeps for her son, who will never come home.", {"sadness", "despair"}),
    ],
)
def test_clear_passages_read_as_expected(text, expected):
    emotion = classify(text)
    assert emotion.primary in expected
    assert emotion.method == "static-embedding+lexicon"


@pytest.mark.parametrize("text", ["", "   \n", "-- ... --"])
def test_a_scene_without_words_is_neutral(text):
    emotion = detect_emotion(_scene(text))
    assert emotion.primary == "neutral" and emotion.primary_confidence == 1.0 and emotion.secondary is None


def test_output_fields_follow_the_contract():
    emotion = detect_emotion(_scene("He roars with fury and smashes the table. Get out, you traitor!"))
    assert isinstance(emotion, Emotion)
    assert emotion.primary == "anger"
    assert emotion.valence < 0 and emotion.arousal > 0.5
    assert 0 < emotion.primary_confidence <= 1
    if emotion.secondary is not None:
        assert emotion.secondary != emotion.primary
        assert emotion.secondary_confidence is not None
        assert emotion.secondary_confidence >= settings().secondary_threshold * emotion.primary_confidence - 1e-3


def test_long_scenes_are_read_whole():
    calm = "The clerk files the letters and the post goes out at noon. " * 80
    frightened = "Help! A murderer is in the house, I am terrified, please do not kill me! " * 6
    pieces = chunks(calm + frightened, settings().chunk_words)
    assert sum(len(p.split()) for p in pieces) == len((calm + frightened).split())
    # The fear sits at the end of a scene far longer than a 512-token model window: it is still read.
    assert label_scores(calm + frightened)["fear"] > 2 * label_scores(calm)["fear"]
    assert detect_emotion(_scene(calm + frightened)).valence < detect_emotion(_scene(calm)).valence


def test_macbeth_murder_scene_reads_as_fear_or_tension(macbeth: Path):
    # The shared Macbeth text marks Act II's murder scene with no heading of its own: parse_file's scene_008
    # ("ACT II. SCENE I.") runs from the dagger soliloquy through the murder (II.2) to the knocking (II.3).
    scene = next(s for s in parse_file(macbeth).scenes if s.scene_id == "scene_008")
    assert "I have done the deed" in scene.text and "Is this a dagger" in scene.text
    assert detect_emotion(scene).primary in {"fear", "tension"}


def test_eval_set_is_large_labelled_and_covers_the_basic_seven():
    passages = load_passages(EVAL)
    assert len(passages) >= 60
    assert {p.label for p in passages} == set(BASIC)
    assert len({p.id for p in passages}) == len(passages)
    assert all(p.source for p in passages)


def test_model_beats_the_keyword_baseline_by_15_macro_f1_points():
    passages = load_passages(EVAL)
    gold = [p.label for p in passages]
    texts = [p.text for p in passages]
    model = score(gold, READERS["model"](texts))
    baseline = score(gold, READERS["keyword_baseline"](texts))
    assert model.macro_f1 - baseline.macro_f1 >= 0.15, (model, baseline)


def test_score_computes_macro_f1():
    result = score(["fear", "joy", "joy"], ["fear", "joy", "fear"], labels=("fear", "joy"))
    assert result.accuracy == pytest.approx(2 / 3)
    assert result.per_label_f1 == pytest.approx({"fear": 2 / 3, "joy": 2 / 3})


def test_bad_prototype_data_is_a_clear_error(tmp_path: Path):
    bad = tmp_path / "eval.yaml"
    bad.write_text("- {id: x, label: glee, text: hi, source: me}\n", encoding="utf-8")
    with pytest.raises(EmotionDataError, match=r"eval.yaml: field 0.label"):
        load_passages(bad)
