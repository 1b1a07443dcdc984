"""Phase 4: decide each group's intensity, colour and transition for a scene."""

from .engine import LightingDecisionEngine
from .llm_settings import LlmSettings
from .settings import DecisionDataError, EngineSettings, engine_settings

__all__ = ["DecisionDataError", "EngineSettings", "LightingDecisionEngine", "LlmSettings", "engine_settings"]
