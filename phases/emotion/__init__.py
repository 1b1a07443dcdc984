"""Phase 2: the emotion of a scene, read offline."""

from phases.contracts import Emotion, Scene

from .lexicon import EmotionDataError, read_emotion

__all__ = ["EmotionDataError", "detect_emotion", "read_emotion"]


def detect_emotion(scene: Scene) -> Emotion:
    """Read the whole scene: its dialogue, directions and heading."""
    return read_emotion(scene.text)
