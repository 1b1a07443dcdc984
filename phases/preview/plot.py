"""A PNG timeline of the plan for reports: scenes coloured by emotion above each group's intensity curve."""

import io
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: files only

from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from phases.contracts import LightingInstruction, Rig, Scene  # noqa: E402

from .curves import group_curves  # noqa: E402
from .html import group_colour, palette  # noqa: E402

BACKGROUND = "#161b22"
INK = "#e6edf3"
DIM = "#8b949e"


TICK_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200)


def _tick_step(total: float) -> int:
    return next((step for step in TICK_STEPS if total / step <= 12), TICK_STEPS[-1])


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def timeline_png(
    title: str, scenes: Sequence[Scene], plan: Sequence[LightingInstruction], rig: Rig, width_px: int = 1400, dpi: int = 100
) -> bytes:
    """Render the timeline plot and return the PNG's bytes (the caller writes it, atomically)."""
    colours = palette()
    group_ids = rig.group_ids()
    total = max((s.time_window.end for s in scenes), default=1.0) or 1.0
    fig = Figure(figsize=(width_px / dpi, 4.6), dpi=dpi, facecolor=BACKGROUND)
    band, axes = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [1, 6], "hspace": 0.05})
    for ax in (band, axes):
        ax.set_facecolor(BACKGROUND)
        for spine in ax.spines.values():
            spine.set_color("#30363d")
        ax.tick_params(colors=DIM, labelsize=8)
    emotions_used: dict[str, str] = {}
    for k, scene in enumerate(scenes):
        emotion = scene.emotion.primary if scene.emotion else "none"
        colour = colours["emotions"].get(emotion, colours["no_emotion"])
        emotions_used[emotion] = colour
        start, end = scene.time_window.start, scene.time_window.end
        band.axvspan(start, end, color=colour, linewidth=0)
        band.axvline(start, color=BACKGROUND, linewidth=0.8)
        if (end - start) / total > 0.025:
            band.text(start + total * 0.003, 0.5, str(k + 1), color="white", fontsize=7, va="center")
        axes.axvline(start, color="#30363d", linewidth=0.6)
    band.set_yticks([])
    band.set_ylim(0, 1)
    printable = re.sub(r"[\x00-\x1f\x7f]", " ", title)  # control characters have no glyph
    band.set_title(printable, color=INK, fontsize=11, loc="left", parse_math=False)  # a "$" in a file name is text
    for group_id, points in group_curves(plan, group_ids).items():
        xs, ys = zip(*points, strict=True) if points else ((), ())
        axes.plot(xs, ys, color=group_colour(group_id, group_ids), linewidth=1.4, label=group_id)
    axes.set_xlim(0, total)
    axes.set_ylim(-0.02, 1.05)
    axes.set_ylabel("intensity", color=DIM, fontsize=9)
    axes.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.xaxis.set_major_locator(matplotlib.ticker.MultipleLocator(_tick_step(total)))
    axes.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: _clock(x)))
    axes.grid(axis="y", color="#21262d", linewidth=0.6)
    group_legend = axes.legend(loc="upper left", bbox_to_anchor=(0, -0.12), ncol=len(group_ids), frameon=False, fontsize=8)
    for text in group_legend.get_texts():
        text.set_color(DIM)
    handles = [Patch(color=c, label=e) for e, c in emotions_used.items()]
    emotion_legend = axes.legend(
        handles=handles, loc="upper right", bbox_to_anchor=(1, -0.12), ncol=min(len(handles), 8), frameon=False, fontsize=8
    )
    for text in emotion_legend.get_texts():
        text.set_color(DIM)
    axes.add_artist(group_legend)
    fig.subplots_adjust(left=0.05, right=0.99, top=0.92, bottom=0.2)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor=BACKGROUND)
    return buffer.getvalue()
