"""A PNG timeline of the plan for reports: scenes coloured by emotion above each group's intensity curve.

Drawn with Pillow at twice the size and reduced (a 2x2 box filter), which smooths the curves and the text. It was
drawn with matplotlib, whose import and figure took about 0.6 s of every run's CPU for one chart.
"""

import io
import re
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from phases.contracts import LightingInstruction, Rig, Scene

from .curves import group_curves
from .html import group_colour, palette

BACKGROUND = "#161b22"
INK = "#e6edf3"
DIM = "#8b949e"
FRAME = "#30363d"
GRID = "#21262d"
SCALE = 2  # drawn at twice the size, then reduced

TICK_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200)
HEIGHT_IN = 4.6
# The layout, as fractions of the image: the plot area, and the emotion band's share of its height.
LEFT, RIGHT, TOP, BOTTOM = 0.05, 0.99, 0.08, 0.80
BAND_SHARE, GAP_SHARE = 1 / 7, 0.012


def _tick_step(total: float) -> int:
    return next((step for step in TICK_STEPS if total / step <= 12), TICK_STEPS[-1])


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


class _Canvas:
    """An ImageDraw in output pixels: coordinates and sizes are scaled to the supersampled image."""

    def __init__(self, width: int, height: int) -> None:
        self.image = Image.new("RGB", (width * SCALE, height * SCALE), BACKGROUND)
        self.draw = ImageDraw.Draw(self.image)

    def rect(self, box: tuple[float, float, float, float], fill: str) -> None:
        x0, y0, x1, y1 = (round(v * SCALE) for v in box)
        self.draw.rectangle((x0, y0, max(x0, x1 - 1), max(y0, y1 - 1)), fill=fill)

    def frame(self, box: tuple[float, float, float, float]) -> None:
        self.draw.rectangle(tuple(round(v * SCALE) for v in box), outline=FRAME, width=SCALE)

    def line(self, points: Sequence[tuple[float, float]], colour: str, width: float) -> None:
        self.draw.line([(x * SCALE, y * SCALE) for x, y in points], fill=colour, width=round(width * SCALE), joint="curve")

    def text(self, xy: tuple[float, float], text: str, colour: str, size: int, anchor: str = "la") -> float:
        """Draw the text; return its width in output pixels."""
        font = _font(size * SCALE)
        self.draw.text((xy[0] * SCALE, xy[1] * SCALE), text, fill=colour, font=font, anchor=anchor)
        return self.draw.textlength(text, font=font) / SCALE

    def vertical_text(self, xy: tuple[float, float], text: str, colour: str, size: int) -> None:
        """Text read bottom to top, centred on xy."""
        font = _font(size * SCALE)
        left, top, right, bottom = self.draw.textbbox((0, 0), text, font=font)
        label = Image.new("RGB", (right - left + 2, bottom - top + 2), BACKGROUND)
        ImageDraw.Draw(label).text((1 - left, 1 - top), text, fill=colour, font=font)
        label = label.rotate(90, expand=True)
        self.image.paste(label, (round(xy[0] * SCALE - label.width / 2), round(xy[1] * SCALE - label.height / 2)))

    def png(self) -> bytes:
        buffer = io.BytesIO()
        self.image.reduce(SCALE).save(buffer, format="PNG", optimize=False)
        return buffer.getvalue()


def timeline_png(
    title: str, scenes: Sequence[Scene], plan: Sequence[LightingInstruction], rig: Rig, width_px: int = 1400, dpi: int = 100
) -> bytes:
    """Render the timeline plot and return the PNG's bytes (the caller writes it, atomically)."""
    colours = palette()
    group_ids = rig.group_ids()
    total = max((s.time_window.end for s in scenes), default=1.0) or 1.0
    width, height = width_px, round(HEIGHT_IN * dpi)
    canvas = _Canvas(width, height)
    x0, x1 = LEFT * width, RIGHT * width
    top, bottom = TOP * height, BOTTOM * height
    band_bottom = top + (bottom - top) * BAND_SHARE
    axes_top = band_bottom + (bottom - top) * GAP_SHARE

    def x_at(seconds: float) -> float:
        return x0 + (x1 - x0) * min(max(seconds / total, 0.0), 1.0)

    def y_at(level: float) -> float:  # the axis runs from -2 % to 105 %, as a little air around 0 and full
        return bottom - (bottom - axes_top) * (level + 0.02) / 1.07

    printable = re.sub(r"[\x00-\x1f\x7f]", " ", title)  # control characters have no glyph
    canvas.text((x0, top - 6), printable, INK, 15, anchor="ld")
    for percent in range(0, 101, 20):
        y = y_at(percent / 100)
        canvas.line([(x0, y), (x1, y)], GRID, 0.8)
        canvas.text((x0 - 5, y), f"{percent}%", DIM, 11, anchor="rm")
    canvas.vertical_text((x0 - 52, (axes_top + bottom) / 2), "intensity", DIM, 12)
    step = _tick_step(total)
    for tick in range(0, int(total) + 1, step):
        canvas.text((x_at(tick), bottom + 5), _clock(tick), DIM, 11, anchor="ma")

    emotions_used: dict[str, str] = {}
    for k, scene in enumerate(scenes):
        emotion = scene.emotion.primary if scene.emotion else "none"
        colour = colours["emotions"].get(emotion, colours["no_emotion"])
        emotions_used[emotion] = colour
        start, end = x_at(scene.time_window.start), x_at(scene.time_window.end)
        canvas.rect((start, top, end, band_bottom), colour)
        canvas.line([(start, top), (start, band_bottom)], BACKGROUND, 1)
        canvas.line([(start, axes_top), (start, bottom)], FRAME, 0.8)
        if (scene.time_window.end - scene.time_window.start) / total > 0.025:
            canvas.text((start + 4, (top + band_bottom) / 2), str(k + 1), "#ffffff", 10, anchor="lm")
    for group_id, points in group_curves(plan, group_ids).items():
        if points:
            canvas.line([(x_at(t), y_at(level)) for t, level in points], group_colour(group_id, group_ids), 2)
    canvas.frame((x0, top, x1, band_bottom))
    canvas.frame((x0, axes_top, x1, bottom))

    legend_y = bottom + 32  # the groups' curves on one row, the scenes' emotions on the next
    x = x0
    for group_id in group_ids:
        canvas.line([(x, legend_y), (x + 22, legend_y)], group_colour(group_id, group_ids), 3)
        x += 28 + canvas.text((x + 28, legend_y), group_id, DIM, 11, anchor="lm") + 16
    x = x0
    for emotion, colour in emotions_used.items():
        canvas.rect((x, legend_y + 16, x + 14, legend_y + 28), colour)
        x += 20 + canvas.text((x + 20, legend_y + 22), emotion, DIM, 11, anchor="lm") + 16
    return canvas.png()
