"""Write docs/magic-sheet.png: the preview's magic sheet for Macbeth, from headless Chromium.

`PYTHONPATH=. .venv/bin/python -m tests.magic_sheet_png [OUT.png] [--cue N]` plans Macbeth in rules mode, opens its
preview, goes to cue N (default: the 7th, torches at night) and screenshots the magic sheet.
"""

import argparse
import base64
import io
import tempfile
from pathlib import Path

from PIL import Image

import phases.decision
import phases.emotion
import phases.knowledge
import phases.parsing
import phases.preview
from tests.browser import Chromium
from tests.conftest import PLAYS

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", nargs="?", type=Path, default=ROOT / "docs" / "magic-sheet.png")
    parser.add_argument("--cue", type=int, default=7, help="which cue of the plan (1-based) to show")
    args = parser.parse_args()
    parsed = phases.parsing.parse_file(PLAYS / "macbeth.txt")
    scenes = [s.model_copy(update={"emotion": phases.emotion.detect_emotion(s)}) for s in parsed.scenes]
    kb = phases.knowledge.load_knowledge()
    knowledge = [phases.knowledge.retrieve(s, kb, phases.knowledge.ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
    plan = phases.decision.LightingDecisionEngine().plan(scenes, knowledge)
    cue = sorted(plan, key=lambda c: c.time_window.start)[args.cue - 1]
    with tempfile.TemporaryDirectory() as tmp, Chromium(width=1280, height=1600) as browser:
        page_file = Path(tmp) / "preview.html"
        page_file.write_text(phases.preview.render_preview("Macbeth", scenes, plan, kb.rig, list(kb.colours.values())))
        page = browser.open_page()
        page.goto(page_file.as_uri())
        # a moment after the cue's fades, so the sheet shows the cue's own levels
        done = max((g.transition.delay + g.transition.duration) if g.transition else 0 for g in cue.groups)
        t = min(cue.time_window.start + done + 1, (cue.time_window.start + cue.time_window.end) / 2)
        page.evaluate(f"window.cueflowPreview.seek({t})")
        box = page.evaluate(
            """(() => { const s = document.getElementById("magic"); s.scrollIntoView();
              const r = s.getBoundingClientRect();
              return { x: r.left, y: r.top + window.scrollY, w: r.width, h: r.height }; })()"""
        )
        shot = page.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": box["x"], "y": box["y"], "width": box["w"], "height": box["h"], "scale": 1},
        )
    image = Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    image.quantize(colors=128).save(args.out, optimize=True)
    print(f"{args.out}: {image.width}x{image.height}, {args.out.stat().st_size // 1024} KB, cue {cue.cue_number:g} ({cue.label})")


if __name__ == "__main__":
    main()
