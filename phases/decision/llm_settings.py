"""Where the LLM mode's endpoint, model, key and limits come from: explicit values, then environment, then data/llm.yaml."""

import os
import re
from collections.abc import Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from phases.contracts.validation import field_error
from phases.data_files import load_yaml_model

from .settings import DATA, DecisionDataError

ENV_BASE_URL = "CUEFLOW_LLM_BASE_URL"
ENV_MODEL = "CUEFLOW_LLM_MODEL"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class LlmDefaults(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str = Field(min_length=1)
    model: str = Field(min_length=1)
    api_key_env: str = Field(pattern=_ENV_NAME.pattern)
    timeout_seconds: float = Field(gt=0, le=600)
    max_retries: int = Field(ge=0, le=10)
    backoff_seconds: float = Field(ge=0, le=60)
    temperature: float = Field(ge=0, le=2)
    max_tokens: int = Field(ge=64, le=32000)
    max_scene_chars: int = Field(ge=200)
    max_rules_in_prompt: int = Field(ge=0, le=50)
    max_reasoning_chars: int = Field(ge=0)
    max_focus_chars: int = Field(ge=1)


class LlmSettings(LlmDefaults):
    """Everything one LLM-mode engine needs. The key is a SecretStr so it never shows in a repr or a log."""

    api_key: SecretStr | None = None

    @classmethod
    def resolve(
        cls,
        base_url: str | None = None,
        model: str | None = None,
        api_key_env: str | None = None,
        timeout_seconds: float | None = None,
        max_retries: int | None = None,
        environ: Mapping[str, str] | None = None,
        **overrides: object,
    ) -> "LlmSettings":
        """Explicit arguments win, then CUEFLOW_LLM_BASE_URL / CUEFLOW_LLM_MODEL, then data/llm.yaml."""
        env = os.environ if environ is None else environ
        values = llm_defaults().model_dump()
        values.update(overrides)
        values["base_url"] = (base_url or env.get(ENV_BASE_URL) or values["base_url"]).rstrip("/")
        values["model"] = model or env.get(ENV_MODEL) or values["model"]
        values["api_key_env"] = api_key_env or values["api_key_env"]
        if timeout_seconds is not None:
            values["timeout_seconds"] = timeout_seconds
        if max_retries is not None:
            values["max_retries"] = max_retries
        key = env.get(values["api_key_env"]) if _ENV_NAME.match(values["api_key_env"]) else None
        values["api_key"] = key or None
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            where, message = field_error(exc)
            raise DecisionDataError(f"LLM settings: field {where}: {message}") from None


@lru_cache(maxsize=1)
def llm_defaults() -> LlmDefaults:
    return load_yaml_model(DATA / "llm.yaml", LlmDefaults, DecisionDataError)
