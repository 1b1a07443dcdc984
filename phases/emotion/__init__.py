"""Phase 2: the emotion of a scene, read offline.

The reader compares the scene, chunk by chunk, with prototype sentences per label in a static embedding model
(phases/embedding/model/, distilled from all-MiniLM-L6-v2) and mixes in the cue-word lexicon. If the model files
cannot be read, the lexicon alone answers and the method says so.
"""

import logging

from phases.contracts import Emotion, Scene
from phases.embedding import ModelMissingError

from .beats import SceneRead, read_scene
from .classifier import classify, classify_many
from .lexicon import EmotionDataError, read_emotion

__all__ = [
    "EmotionDataError",
    "ModelMissingError",
    "classify",
    "classify_many",
    "detect_emotion",
    "read_emotion",
    "read_scene_emotion",
]
_log = logging.getLogger(__name__)


def detect_emotion(scene: Scene) -> Emotion:
    """Read the whole scene: its dialogue, directions and heading."""
    return _read(scene).emotion


def read_scene_emotion(scene: Scene) -> Scene:
    """The scene with its overall emotion and its beats filled in."""
    read = _read(scene)
    return scene.model_copy(update={"emotion": read.emotion, "beats": read.beats})


def _read(scene: Scene) -> SceneRead:
    prefix = "" if not scene.heading or scene.heading in scene.text else scene.heading
    try:
        return read_scene(scene.text, prefix)
    except ModelMissingError as exc:
        _log.warning("%s; falling back to the lexicon", exc)
        text = f"{prefix}\n{scene.text}" if prefix else scene.text
        emotion = read_emotion(text).model_copy(update={"method": "lexicon (embedding model unavailable)"})
        return SceneRead(emotion=emotion, beats=[])
