"""Phase 4: decide each group's intensity, colour and transition for a scene."""

from .engine import LightingDecisionEngine
from .settings import DecisionDataError, EngineSettings, engine_settings

__all__ = ["DecisionDataError", "EngineSettings", "LightingDecisionEngine", "engine_settings"]
