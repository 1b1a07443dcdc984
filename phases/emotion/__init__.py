"""Phase 2: the emotion of a scene, read offline.

The reader compares the scene, chunk by chunk, with prototype sentences per label in a static embedding model
(phases/embedding/model/, distilled from all-MiniLM-L6-v2) and mixes in the cue-word lexicon. If the model files
cannot be read, the lexicon alone answers and the method says so.
"""

import logging

from phases.contracts import Emotion, Scene
from phases.embedding import ModelMissingError

from .classifier import classify, classify_many
from .lexicon import EmotionDataError, read_emotion

__all__ = ["EmotionDataError", "ModelMissingError", "classify", "classify_many", "detect_emotion", "read_emotion"]
_log = logging.getLogger(__name__)


def detect_emotion(scene: Scene) -> Emotion:
    """Read the whole scene: its dialogue, directions and heading."""
    text = scene.text if not scene.heading or scene.heading in scene.text else f"{scene.heading}\n{scene.text}"
    try:
        return classify(text)
    except ModelMissingError as exc:
        _log.warning("%s; falling back to the lexicon", exc)
        return read_emotion(text).model_copy(update={"method": "lexicon (embedding model unavailable)"})
