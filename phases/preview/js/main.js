// ---- one moment of the show on every view; the transport ----
document.getElementById("title").textContent = DATA.title;
{ const overall = document.getElementById("overall");
  if (DATA.report) { overall.textContent = DATA.report.verdict; overall.classList.add(DATA.report.verdict); overall.title = "evaluation verdict"; } else overall.remove();
  const idle = NO_CHANGE.filter(Boolean).length;
  document.getElementById("summary").textContent = `${cues.length} cues in ${scenes.length} scenes, ${fmt(total)} running time, ` +
    `${FIXTURES.length} fixtures in ${groupIds.length} groups` + (idle ? `; ${idle} cue${idle > 1 ? "s" : ""} change nothing` : ""); }
const seekBar = document.getElementById("seek"); seekBar.max = total;
let now = 0, playing = false, last = null, current = -2;
// Cues that share their GO with the next (the preset, house to half, house out at 0:00) never show on the show clock:
// the page steps through them as an operator would, each for its own wait, with the show clock held at their GO.
// `step` is the one on stage and how long since its own GO; null when the show clock runs.
let step = null;
const cueNow = () => step ? step.k : cueAt(now);
const moment = () => step ? stepMoment(step.k, step.into) : momentAt(now);
// Panels off screen are left alone while the show plays (a seek draws them all); they catch up when scrolled to.
const onScreen = new Set(["stage", "magic", "timeline"]);
{ const watch = new IntersectionObserver(entries => { for (const e of entries) {
    if (e.isIntersecting) { onScreen.add(e.target.id); if (playing) render(true); } else onScreen.delete(e.target.id); } });
  for (const id of onScreen) watch.observe(document.getElementById(id)); }
// Every view at the current moment. The 3D stage takes the new levels at once and draws at the next frame, so a
// click is answered before the (software) WebGL frame is drawn.
// While the show plays, the 3D stage takes every frame; the panels beside it (the plan, the levels, the magic sheet, the
// timeline) move on a few times a second, and at once when the cue changes (DATA.panel_seconds).
let panelsAt = -Infinity;
function render(everything = true) {
  const m = moment(), k = m.k, into = step ? step.into : now - (k >= 0 ? starts[k] : 0);
  STAGE3D.update(m);
  const t = performance.now();
  if (!everything && k === current && t - panelsAt < DATA.panel_seconds * 1000) return;
  panelsAt = t;
  const state = groupState(m, into);
  if (everything || onScreen.has("stage")) renderPlan(m);
  if (k !== current) {
    if (rows[current]) rows[current].classList.remove("current"); if (rows[k]) rows[k].classList.add("current"); current = k;
    const box = document.getElementById("cues"), r = rows[Math.max(0, k)];
    if (r && (r.offsetTop < box.scrollTop + 30 || r.offsetTop > box.scrollTop + box.clientHeight - 40)) box.scrollTop = r.offsetTop - 40;
    renderNowCue(k); renderBook(k);
  }
  const fading = renderLevels(state, k, into);
  document.getElementById("clock").textContent = fmt(now) + (step ? ` +${step.into.toFixed(1)} s` : "") + " / " + fmt(total);
  if (everything || onScreen.has("magic")) renderMagic(m, k);
  seekBar.value = now;
  if (everything || onScreen.has("timeline")) drawTimeline(now, k);
  const s = sceneOf(k), c = cues[Math.max(0, k)];
  document.body.dataset.time = now.toFixed(2); document.body.dataset.scene = s ? s.id : ""; document.body.dataset.cue = k < 0 ? "" : cueNumber(c.n);
  document.body.dataset.fading = fading ? "1" : "0";
}
function seek(t) { step = null; now = Math.min(total, Math.max(0, t)); render(); }
// Show a cue as it looks once its fades are done (from its flag, the cue list or the API).
function showCue(k) { setPlaying(false); if (!sharesStart(k)) return seek(shownAt(k));
  step = { k, into: Math.min(cues[k].fade, STEPS[k].wait) }; now = starts[k]; render(); }
function inFade() { const m = step ? step.into : null, k = cueNow(); if (k < 0) return false;
  const into = m ?? now - starts[k];
  return groupIds.some(g => { const c = cues[k].groups[g]; if (!c) return false;
    const p = progressOf([c.t === "cut" ? 1 : 0, c.d, c.delay || 0], 0, into); return p > 0 && p < 1; }); }
function setPlaying(on) { if (playing === on) return; playing = on; last = null; STAGE3D.moving(on);
  document.getElementById("play").textContent = on ? "Pause" : "Play";
  if (on) requestAnimationFrame(tick); else render(); }  // stopped: every view at the moment it stopped on
// Moves the show on by dt seconds: through the cues that share a GO, each for its wait, then on the show clock.
function advance(dt) {
  if (!step) { now += dt; return; }
  step.into += dt;
  while (step && step.into >= STEPS[step.k].wait) { const over = step.into - STEPS[step.k].wait, j = step.k + 1;
    if (sharesStart(j)) step = { k: j, into: over }; else { step = null; now = starts[j] + over; } }
}
function tick(ts) { if (!playing) return;
  // Every view moves on together, as often as the 3D stage can draw: while it is still drawing the moment before, the
  // page waits a frame (software WebGL sets the pace; the other views would only spend the CPU it needs).
  if (STAGE3D.busy()) { requestAnimationFrame(tick); return; }
  // A frame the browser was slow to give moves the show on by a tenth of a second at most: a stall slows the
  // preview down rather than skipping a fade.
  if (last !== null) { const speed = document.getElementById("realtime").checked && inFade() ? 1 : Number(document.getElementById("speed").value);
    advance(Math.min(0.1, (ts - last) / 1000) * speed); }
  last = ts; if (now >= total) { now = total; setPlaying(false); } render(false); if (playing) requestAnimationFrame(tick); }
// GO runs the next cue, then plays on in real time through its fade (and through the cues that share its GO).
function go() { const j = cueNow() + 1; if (j >= cues.length) return;
  if (sharesStart(j)) { step = { k: j, into: 0 }; now = starts[j]; render(); } else seek(cues[j].start);
  setPlaying(true); }
function back() { setPlaying(false); const k = cueNow(); if (k < 0) return seek(0);
  if (!step && (now - cues[k].start > 2 || k === 0)) return seek(cues[k].start);
  if (k === 0) return showCue(0);
  if (sharesStart(k - 1)) return showCue(k - 1);
  seek(cues[k - 1].start); }
document.getElementById("play").addEventListener("click", () => setPlaying(!playing));
document.getElementById("go").addEventListener("click", go);
document.getElementById("back").addEventListener("click", back);
seekBar.addEventListener("input", () => seek(Number(seekBar.value)));
canvas.addEventListener("click", e => { const r = canvas.getBoundingClientRect(); seek(timelineGeometry().T(e.clientX - r.left)); });
document.addEventListener("keydown", e => { if (e.target.tagName === "INPUT" && e.target.type === "range") return;
  if (e.key === " ") { e.preventDefault(); setPlaying(!playing); } else if (e.key === "ArrowRight") go(); else if (e.key === "ArrowLeft") back(); });
window.addEventListener("resize", () => { sizeCanvas(); render(); });
const asArrays = m => Object.fromEntries(FIXTURES.map((f, i) => [f.id, [m.level[i], m.rgb[3 * i], m.rgb[3 * i + 1], m.rgb[3 * i + 2], m.pan[i], m.tilt[i]]]));
window.cueflowPreview = { seek, go, back, showCue, play: () => setPlaying(true), pause: () => setPlaying(false), now: () => now,
  step: () => step && { k: step.k, into: step.into, wait: STEPS[step.k].wait },
  cueAt, shownAt, stage3d: STAGE3D, stage3dReady: () => STAGE3D.ready,
  groupState: () => groupState(moment(), step ? step.into : now - starts[Math.max(0, cueNow())]),
  cues: () => cues.map((c, k) => ({ n: c.n, start: c.start, fade: c.fade, label: c.label, noChange: NO_CHANGE[k], wait: STEPS[k]?.wait ?? null })),
  timeline: () => ({ acts: ACTS, intervals: INTERVALS.map(i => ({ n: cues[i.k].n, start: i.start, end: i.end })),
    times: TOD_SPANS.map(s => ({ from: s.from, to: s.to, tod: s.tod, scene: s.s.id })),
    places: scenes.map(s => ({ scene: s.id, key: placeKey(s), colour: placeColour(s) })),
    effects: EFFECT_SPANS.map(s => ({ group: s.g, type: s.e.type, from: s.from, to: s.to })),
    rows: ROW }),
  timelineX: t => timelineGeometry().X(t),
  // The 3D stage's colours at points of the stage (rig metres) at show time t, drawn for the purpose (the rest of the
  // page untouched): a promise, as the stage draws in its own time.
  stageAt: (t, points) => STAGE3D.sampleAt(momentAt(t), points),
  // Every fixture at show time t as the page plays it: [level, red, green, blue, pan, tilt] (what Phase 8 sends).
  fixtureStates: t => asArrays(momentAt(t)),
  fixtureLevels: t => { const m = momentAt(t); return Object.fromEntries(FIXTURES.map((f, i) => [f.id, [m.level[i], m.rgb[3 * i], m.rgb[3 * i + 1], m.rgb[3 * i + 2]]])); },
  // The same for a cue that shares its GO with the next, `into` seconds after its GO as the page steps through it.
  stepStates: (k, into) => asArrays(stepMoment(k, into)),
  // Where each mover's beam lands now (rig metres), as the 3D stage draws it.
  beams: () => STAGE3D.beams(),
  fixtureColour: id => { const f = FIXTURES.find(f => f.id === id); return f ? fixtureColour(f.i, moment()) : null; } };
// The page opens on the first cue's look (the preset, as the audience walks in), not on its GO at 0%.
sizeCanvas(); if (cues.length) showCue(0); else seek(0);
// The 3D stage starts once the page is up and answering (a step at a time), then shows the current moment.
requestAnimationFrame(() => setTimeout(() => STAGE3D.start(), 0));
