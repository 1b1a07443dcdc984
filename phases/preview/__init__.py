"""Phase 5: a self-contained HTML preview of the lighting plan, and a PNG timeline plot for reports."""

from .curves import group_curves
from .html import preview_data, render_preview
from .plot import timeline_png

__all__ = ["group_curves", "preview_data", "render_preview", "timeline_png"]
