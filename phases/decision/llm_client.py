"""A minimal OpenAI-compatible chat-completions client over httpx: one request per call, no retries here."""

from typing import Any

import httpx

from .llm_settings import LlmSettings


class LlmCallError(RuntimeError):
    """One request failed. `retryable` says whether trying again may help (timeouts, 429, 5xx, transport errors)."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


class ChatClient:
    def __init__(self, settings: LlmSettings) -> None:
        self.settings = settings
        headers = {"Content-Type": "application/json"}
        if settings.api_key is not None:
            headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
        self._http = httpx.Client(base_url=settings.base_url, headers=headers, timeout=settings.timeout_seconds)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "ChatClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def complete(self, messages: list[dict[str, str]]) -> str:
        """The first choice's message content. Raises LlmCallError with a one-line reason."""
        body: dict[str, Any] = {
            "model": self.settings.model,
            "messages": messages,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
            "response_format": {"type": "json_object"},
        }
        try:
            response = self._http.post("/chat/completions", json=body)
        except httpx.TimeoutException:
            raise LlmCallError(f"no answer within {self.settings.timeout_seconds:g} s", retryable=True) from None
        except httpx.ConnectError:
            # Nothing listens there: retrying each scene would only add the backoff to every scene of the run.
            raise LlmCallError(f"cannot connect to {self.settings.base_url}", retryable=False) from None
        except httpx.HTTPError as exc:
            raise LlmCallError(f"transport error: {exc.__class__.__name__}", retryable=True) from None
        if response.status_code != 200:
            retryable = response.status_code == 429 or response.status_code >= 500
            raise LlmCallError(f"HTTP {response.status_code} from the endpoint", retryable=retryable)
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise LlmCallError("the endpoint's reply is not a chat completion", retryable=True) from None
        if not isinstance(content, str):
            raise LlmCallError("the chat completion has no text content", retryable=True)
        return content
