"""Progress events for whoever runs the pipeline in-process (the CLI prints them)."""

from collections.abc import Callable

Listener = Callable[[str, dict[str, object]], None]
_listeners: list[Listener] = []


def set_listener(listener: Listener | None) -> None:
    _listeners.clear()
    if listener is not None:
        _listeners.append(listener)


def emit(event: str, **data: object) -> None:
    for listener in _listeners:
        listener(event, data)
