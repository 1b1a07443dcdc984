"""Phase 3: lighting-design knowledge (rules, colours, rig) as data, and retrieval for a scene."""

from .errors import KnowledgeError
from .loading import DATA_DIR, KnowledgeBase, load_knowledge
from .retrieval import ScenePosition, retrieve, scene_tags

__all__ = ["DATA_DIR", "KnowledgeBase", "KnowledgeError", "ScenePosition", "load_knowledge", "retrieve", "scene_tags"]
