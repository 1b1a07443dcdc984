"""preview.html in headless Chromium: `python -m bench.preview_bench [--runs 7] [--page FILE ...]`.

For a 150-cue play (the generated two-hour show of bench.cue_list_bench) and a real one (Antony and Cleopatra from
../shared, planned in rules mode), it measures what the issue asks of the page:
- open to interactive: from asking Chromium to open the file to the page having acted on a person's click on GO
  (the cue on stage changed), clicking from the moment GO is in the document; each run a fresh tab, the median of
  --runs; with the load event, the moment the 3D stage is drawn and Chromium's CPU (all its processes) to get there;
- frames per second while it plays a fade at real speed, over 4 s with the 3D stage on screen: the page's (its
  requestAnimationFrame callbacks, each of which moves every view on) and the 3D stage's (frames it drew: since the
  stage draws in a worker, it may draw fewer than the page), Chromium's CPU a frame (the GPU process, where
  SwiftShader draws the 3D stage, and the renderer, the page's own work and the stage's worker), and the median and
  95th percentile of the time the page takes to answer a seek (every view but the 3D stage's drawing, which follows
  at its next frame; a page that draws the stage on the page draws it inside the seek);
- the file's size.
The machine is shared: quote the load (`uptime`) with the figures, and compare versions interleaved.
`--page FILE` measures pages made elsewhere (an older version, for before/after figures) instead of building them.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAY = ROOT.parent / "shared" / "data" / "scripts" / "plays" / "antony_and_cleopatra.txt"
WIDTH, HEIGHT = 1400, 1000
FPS_SECONDS = 4.0

# Plays from the first cue with a fade of at least 5 s, at 1x, and counts the frames the page drew.
FPS_PROBE = """async (seconds) => {
  const p = window.cueflowPreview, cues = p.cues ? p.cues() : null;
  let start = 0;
  if (cues) { const c = cues.find(c => c.fade >= 5 && c.start > 0); if (c) start = c.start - 0.2; }
  else start = 15;
  p.seek(start);
  const speed = document.getElementById("speed"); if (speed) speed.value = "1";
  window.scrollTo(0, 0);
  const frames = [];
  const first = p.now(), drawn = p.stage3d ? p.stage3d.frames : 0;
  p.play();
  const t0 = performance.now();
  await new Promise(done => { (function tick(ts) { frames.push(ts);
    if (performance.now() - t0 < seconds * 1000) requestAnimationFrame(tick); else done(); })(performance.now()); });
  p.pause();
  const elapsed = (frames[frames.length - 1] - frames[0]) / 1000;
  return { fps: (frames.length - 1) / elapsed, frames: frames.length - 1, advanced: p.now() - first,
           stage_fps: p.stage3d ? (p.stage3d.frames - drawn) / elapsed : 0 };
}"""

# The time the page takes to answer a seek (every view; the 3D stage too when the page draws it itself), 200 moments.
FRAME_PROBE = """() => {
  const p = window.cueflowPreview, out = [];
  for (let i = 0; i < 200; i++) { const t0 = performance.now(); p.seek(i * 17.3); out.push(performance.now() - t0); }
  return out;
}"""


def chromium_cpu_by_process() -> dict[str, float]:
    """CPU time (user + system) of the Chromium processes this Python process started, by kind: the renderer (the
    page's script, layout, painting), the GPU process (WebGL in SwiftShader, compositing), the browser and the rest."""
    import psutil

    kinds: dict[str, float] = {}
    for child in psutil.Process().children(recursive=True):
        try:
            if "chrom" not in child.name():
                continue
            args = " ".join(child.cmdline())
            kind = next((k for k in ("renderer", "gpu-process") if f"--type={k}" in args), "browser")
            times = child.cpu_times()
            kinds[kind] = kinds.get(kind, 0.0) + times.user + times.system
        except psutil.Error:
            continue
    return kinds


def chromium_cpu_seconds() -> float:
    return sum(chromium_cpu_by_process().values())


def build_pages(folder: Path) -> dict[str, Path]:
    from bench.cue_list_bench import show
    from phases.knowledge import load_knowledge
    from phases.preview import render_preview

    kb = load_knowledge()
    colours = list(kb.colours.values())
    pages = {}
    scenes, plan = show(150)
    pages[f"generated, {len(plan)} cues"] = folder / "generated.html"
    pages[f"generated, {len(plan)} cues"].write_text(render_preview("bench", scenes, plan, kb.rig, colours), encoding="utf-8")
    if PLAY.is_file():
        scenes, plan = plan_play(PLAY)
        name = f"{PLAY.stem}, {len(plan)} cues"
        pages[name] = folder / "play.html"
        pages[name].write_text(render_preview(PLAY.stem, scenes, plan, kb.rig, colours), encoding="utf-8")
    return pages


def plan_play(path: Path) -> tuple[list, list]:
    import phases.decision
    import phases.emotion
    import phases.knowledge
    import phases.parsing

    parsed = phases.parsing.parse_file(path)
    scenes = [s.model_copy(update={"emotion": phases.emotion.detect_emotion(s)}) for s in parsed.scenes]
    kb = phases.knowledge.load_knowledge()
    knowledge = [phases.knowledge.retrieve(s, kb, phases.knowledge.ScenePosition(i, len(scenes))) for i, s in enumerate(scenes)]
    return scenes, phases.decision.LightingDecisionEngine().plan(scenes, knowledge)


def measure(page_file: Path, runs: int) -> dict[str, float]:
    from tests.browser import Chromium

    opened: list[float] = []
    with Chromium(WIDTH, HEIGHT) as browser:
        tab = browser.open_page()  # untimed: where GO is, and which cue one GO from the opening state goes to
        tab.goto(page_file.as_uri())
        box = tab.pw.locator("#go").bounding_box()
        assert box is not None, "GO is not on screen"
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        tab.pw.mouse.click(x, y)
        after_go = tab.evaluate("document.body.dataset.cue")
        tab.pw.context.close()
        loaded: list[float] = []
        staged: list[float] = []
        open_cpu: list[float] = []
        for _ in range(runs):
            tab = browser.open_page()
            cpu = chromium_cpu_seconds()
            started = time.perf_counter()
            tab.pw.goto(page_file.as_uri(), wait_until="commit")
            # GO in the document (a plain evaluate: Playwright's wait_for_selector first builds its own script world in
            # the page, which costs a loaded machine about 0.3 s that no person waits for)
            while not tab.evaluate("!!document.getElementById('go')"):
                pass
            # A person's click on GO, as the browser delivers it (it returns once the page has taken the event), repeated
            # until the page acts on one: a click that lands before the page's script has run does nothing.
            while True:
                tab.pw.mouse.click(x, y)
                if float(tab.evaluate("document.body.dataset.cue || 0")) >= float(after_go):
                    break
                if time.perf_counter() - started > 60:
                    raise RuntimeError(f"{page_file.name}: GO did nothing for a minute")
            opened.append(time.perf_counter() - started)
            loaded.append(tab.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000)
            # and the 3D stage drawn (it starts once the rest of the page is up): the time, and Chromium's CPU to get there
            tab.evaluate("(async () => { const p = window.cueflowPreview; if (p.stage3dReady) await p.stage3dReady(); })()")
            staged.append(time.perf_counter() - started)
            open_cpu.append(chromium_cpu_seconds() - cpu)
            errors = tab.exceptions()
            if errors:
                raise RuntimeError(f"{page_file.name}: the page threw {errors[0]['message']}")
            tab.pw.context.close()
        tab = browser.open_page()
        tab.goto(page_file.as_uri())
        tab.pw.wait_for_timeout(500)
        tab.pw.evaluate("async () => { const p = window.cueflowPreview; if (p.stage3dReady) await p.stage3dReady(); }")
        fps, cpu_per_frame, gpu_per_frame, page_per_frame = [], [], [], []
        for _ in range(3):
            cpu = chromium_cpu_by_process()
            run = tab.pw.evaluate(FPS_PROBE, FPS_SECONDS)
            fps.append(run)
            after = chromium_cpu_by_process()
            spent = {k: (after.get(k, 0.0) - cpu.get(k, 0.0)) * 1000 / max(1, run["frames"]) for k in after}
            cpu_per_frame.append(sum(spent.values()))
            gpu_per_frame.append(spent.get("gpu-process", 0.0))
            page_per_frame.append(spent.get("renderer", 0.0))
        frame_ms = sorted(tab.pw.evaluate(FRAME_PROBE))
    return {
        "page_kb": round(page_file.stat().st_size / 1024, 1),
        "open_to_interactive_s": round(statistics.median(opened), 3),
        "open_to_interactive_max_s": round(max(opened), 3),
        "load_event_s": round(statistics.median(loaded), 3),
        "stage_drawn_s": round(statistics.median(staged), 3),
        "open_cpu_s": round(statistics.median(open_cpu), 3),
        "fps": round(statistics.median(f["fps"] for f in fps), 1),
        "stage_fps": round(statistics.median(f["stage_fps"] for f in fps), 1),
        "cpu_ms_per_frame": round(statistics.median(cpu_per_frame), 1),
        "gpu_process_ms_per_frame": round(statistics.median(gpu_per_frame), 1),
        "renderer_ms_per_frame": round(statistics.median(page_per_frame), 1),
        "frame_ms_median": round(statistics.median(frame_ms), 2),
        "frame_ms_p95": round(frame_ms[int(len(frame_ms) * 0.95)], 2),
    }


def main(argv: list[str] | None = None) -> dict[str, dict[str, float]]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7, help="fresh tabs opened per page; the median is reported")
    parser.add_argument("--page", type=Path, action="append", help="measure this preview.html instead (repeatable)")
    args = parser.parse_args(argv or [])
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="cueflow-preview-bench-") as tmp:
        pages = {p.name: p.resolve() for p in args.page} if args.page else build_pages(Path(tmp))
        for name, page_file in pages.items():
            figures = measure(page_file, args.runs)
            results[name] = figures
            print(
                f"{name}: {figures['page_kb']:.0f} KB; open to interactive {figures['open_to_interactive_s']:.2f} s (median of "
                f"{args.runs}, worst {figures['open_to_interactive_max_s']:.2f} s; load event {figures['load_event_s']:.2f} s), "
                f"3D stage drawn at {figures['stage_drawn_s']:.2f} s, {figures['open_cpu_s']:.2f} s of Chromium CPU; "
                f"playing a fade: the page {figures['fps']:.0f} fps, the 3D stage {figures['stage_fps']:.0f} fps "
                f"({figures['cpu_ms_per_frame']:.0f} ms of Chromium CPU a page frame: "
                f"{figures['gpu_process_ms_per_frame']:.0f} GPU process, {figures['renderer_ms_per_frame']:.0f} renderer); "
                f"a seek answered in {figures['frame_ms_median']:.1f} ms (p95 {figures['frame_ms_p95']:.1f} ms)",
                flush=True,
            )
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
