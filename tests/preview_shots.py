"""Write the README's pictures of preview.html for Macbeth (rules mode), from headless Chromium:

- docs/preview-desk.png: the whole desk at one cue (prompt book, 3D stage, current cue, stage plan);
- docs/prompt-book.png: the prompt book around a cue, its flag lit;
- docs/stage-storm.png, docs/stage-taper.png, docs/stage-court.png: the 3D stage from the house in the storm of the
  first scene (at one of its strikes), the night of the sleepwalking scene with its taper, and a bright court.

`PYTHONPATH=. .venv/bin/python -m tests.preview_shots [DIR]` (default docs/). The cues are found in the plan, not
numbered: the first cue with lightning, the opening of the scene whose text carries a taper, the brightest opening
of a scene in a palace.
"""

import argparse
import io
import tempfile
from pathlib import Path

from PIL import Image

from phases.contracts import LightingInstruction
from phases.hardware import effects
from tests.preview_pages import Planned, opened, planned, write_preview

ROOT = Path(__file__).resolve().parent.parent


def save(png: bytes, path: Path, colours: int = 192) -> None:
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=colours, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path}: {image.width}x{image.height}, {path.stat().st_size // 1024} KB")


def storm_moment(play: Planned) -> tuple[int, float]:
    """The first cue with lightning, and a moment in it when a strike is lit."""
    for k, cue in enumerate(play.plan):
        group = next((g for g in cue.groups if g.parameters.effect and g.parameters.effect.type == "lightning"), None)
        if group is None:
            continue
        storm = group.parameters.effect
        assert storm is not None
        span = cue.time_window.end - cue.time_window.start
        for strike in effects.strikes(storm, span):
            if strike.at_ms / 1000 > 3:  # past the cue's own fade
                return k, cue.time_window.start + strike.at_ms / 1000 + 0.02
    raise SystemExit("the plan has no lightning")


def opening(play: Planned, fits: object) -> int:
    scenes = {s.scene_id: s for s in play.scenes}
    found = [k for k, c in enumerate(play.plan) if c.called_on.kind == "scene_start" and fits(scenes[c.scene_id], c)]  # type: ignore[operator]
    if not found:
        raise SystemExit("no scene of the plan fits")
    return found[0]


def key_level(cue: LightingInstruction) -> float:
    return max((g.parameters.intensity for g in cue.groups if g.group_id == "front_wash"), default=0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    play = planned("macbeth")
    storm, strike_at = storm_moment(play)
    taper = opening(play, lambda s, c: "taper" in s.text.lower() and s.time_of_day in ("night", "midnight"))
    place = {s.scene_id: (s.location or "").lower() for s in play.scenes}
    openings = [k for k, c in enumerate(play.plan) if c.called_on.kind == "scene_start"]
    bright = max(openings, key=lambda k: ("palace" in place[play.plan[k].scene_id], key_level(play.plan[k])))
    with tempfile.TemporaryDirectory() as tmp, opened(write_preview(Path(tmp), "Macbeth", play.scenes, play.plan)) as page:
        page.evaluate(f"window.cueflowPreview.showCue({taper}); window.cueflowPreview.stage3d.settled()")
        # the book from the standby of the taper's sequence down to its flag
        page.evaluate(
            """(() => { const box = document.getElementById('book-pages'), flag = document.querySelector('#book a.flag.current');
              const top = e => e.getBoundingClientRect().top;
              const above = [...document.querySelectorAll('#book .stby')].filter(s => top(s) <= top(flag));
              const from = above.length ? above[above.length - 1] : flag;
              box.scrollTop += top(from) - top(box) - 60; })()"""
        )
        save(page.pw.screenshot(type="png"), args.out / "preview-desk.png", 160)
        save(page.pw.locator("#book").screenshot(type="png"), args.out / "prompt-book.png", 96)
        for name, how in (("storm", f"seek({strike_at})"), ("taper", f"showCue({taper})"), ("court", f"showCue({bright})")):
            page.evaluate(f"window.cueflowPreview.{how}; window.cueflowPreview.stage3d.settled()")
            save(page.pw.locator("#stage3d-canvas").screenshot(type="png"), args.out / f"stage-{name}.png")


if __name__ == "__main__":
    main()
