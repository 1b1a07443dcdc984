"""Phase 5: a self-contained HTML preview of the lighting plan."""

from .html import preview_data, render_preview

__all__ = ["preview_data", "render_preview"]
