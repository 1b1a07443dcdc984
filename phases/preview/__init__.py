"""Phase 5: a self-contained HTML preview of the lighting plan, and a PNG timeline plot for reports."""

from typing import Any

from .curves import group_curves
from .html import preview_data, render_preview

__all__ = ["group_curves", "preview_data", "render_preview", "timeline_png"]


def __getattr__(name: str) -> Any:
    # matplotlib takes about a second to import: load the plot only when someone asks for it.
    if name == "timeline_png":
        from .plot import timeline_png

        return timeline_png
    raise AttributeError(name)
