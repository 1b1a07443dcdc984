// ---- one moment of the show on every view; the transport ----
document.getElementById("title").textContent = DATA.title;
{ const overall = document.getElementById("overall");
  if (DATA.report) { overall.textContent = DATA.report.verdict; overall.classList.add(DATA.report.verdict); overall.title = "evaluation verdict"; } else overall.remove();
  const idle = NO_CHANGE.filter(Boolean).length;
  document.getElementById("summary").textContent = `${cues.length} cues in ${scenes.length} scenes, ${fmt(total)} running time, ` +
    `${FIXTURES.length} fixtures in ${groupIds.length} groups` + (idle ? `; ${idle} cue${idle > 1 ? "s" : ""} change nothing` : ""); }
const seekBar = document.getElementById("seek"); seekBar.max = total;
let now = 0, playing = false, last = null, current = -2;
// A cue shown from its flag, or stepped to with GO, that shares its GO time with the cues after it: the show clock
// alone would show the last of them, so the page holds this one (its look once its fades are done) until moved on.
let pin = null, stageNow = null;
const sharesStart = k => k + 1 < cues.length && starts[k + 1] === starts[k];
// Panels off screen are left alone while the show plays (a seek draws them all); they catch up when scrolled to.
const onScreen = new Set(["stage", "magic", "timeline"]);
{ const watch = new IntersectionObserver(entries => { for (const e of entries) {
    if (e.isIntersecting) { onScreen.add(e.target.id); if (playing) render(now, true); } else onScreen.delete(e.target.id); } });
  for (const id of onScreen) watch.observe(document.getElementById(id)); }
function render(t, everything = true) {
  const k = pin ?? cueAt(t), at = pin === null ? t : starts[pin] + cues[pin].fade;
  const levels = pin === null ? fixtureLevels(t) : fixtureLevelsOf(pin, at), state = groupState(at, levels, k);
  if (everything || onScreen.has("stage")) renderPlan(levels);
  stageNow = [levels, moverFocus(k, at)]; STAGE3D.update(...stageNow);
  if (k !== current) {
    if (rows[current]) rows[current].classList.remove("current"); if (rows[k]) rows[k].classList.add("current"); current = k;
    const box = document.getElementById("cues"), r = rows[Math.max(0, k)];
    if (r && (r.offsetTop < box.scrollTop + 30 || r.offsetTop > box.scrollTop + box.clientHeight - 40)) box.scrollTop = r.offsetTop - 40;
    renderNowCue(k); renderBook(k);
  }
  const fading = renderLevels(state, k, at);
  document.getElementById("clock").textContent = fmt(t) + " / " + fmt(total);
  if (everything || onScreen.has("magic")) renderMagic(levels, k);
  seekBar.value = t;
  if (everything || onScreen.has("timeline")) drawTimeline(t);
  const s = sceneOf(k), c = cues[Math.max(0, k)];
  document.body.dataset.time = t.toFixed(2); document.body.dataset.scene = s ? s.id : ""; document.body.dataset.cue = k < 0 ? "" : cueNumber(c.n);
  document.body.dataset.fading = fading ? "1" : "0";
}
function seek(t) { pin = null; now = Math.min(total, Math.max(0, t)); render(now); STAGE3D.draw(); }
// Show a cue as it looks once its fades are done (from its flag, the cue list or the API).
function showCue(k) { setPlaying(false); if (!sharesStart(k)) return seek(shownAt(k));
  pin = k; now = starts[k]; render(now); STAGE3D.draw(); }
function inFade(t) { const k = cueAt(t); if (k < 0) return false;
  return groupIds.some(g => { const c = cues[k].groups[g]; if (!c) return false; const p = progressOf(c, cues[k].start, t); return p > 0 && p < 1; }); }
function setPlaying(on) { if (playing === on) return; playing = on; last = null; STAGE3D.moving(on);
  document.getElementById("play").textContent = on ? "Pause" : "Play"; if (on) requestAnimationFrame(tick); }
function tick(ts) { if (!playing) return;
  if (pin !== null) { now = starts[pin]; pin = null; }
  // A frame the browser was slow to give moves the show on by a tenth of a second at most: a stall slows the
  // preview down rather than skipping a fade.
  if (last !== null) { const speed = document.getElementById("realtime").checked && inFade(now) ? 1 : Number(document.getElementById("speed").value);
    now += Math.min(0.1, (ts - last) / 1000) * speed; }
  last = ts; if (now >= total) { now = total; setPlaying(false); } render(now, false); STAGE3D.draw(); if (playing) requestAnimationFrame(tick); }
// GO runs the next cue (the next GO after the current one), then plays on in real time through its fade.
// A cue that shares its GO time with the next is shown held; the next GO moves on to the next of them.
function go() { const j = (pin ?? cueAt(now)) + 1; if (j >= cues.length) return;
  if (sharesStart(j)) return showCue(j);
  seek(cues[j].start); setPlaying(true); }
function back() { setPlaying(false); const k = pin ?? cueAt(now); if (k < 0) return seek(0);
  if (pin === null && (now - cues[k].start > 2 || k === 0)) return seek(cues[k].start);
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
window.addEventListener("resize", () => { sizeCanvas(); render(now); });
window.cueflowPreview = { seek, groupState, go, back, showCue, play: () => setPlaying(true), pause: () => setPlaying(false), now: () => now,
  cueAt, shownAt, stage3d: STAGE3D, drawNow: () => STAGE3D.draw(), stage3dReady: () => STAGE3D.ready,
  cues: () => cues.map((c, k) => ({ n: c.n, start: c.start, fade: c.fade, label: c.label, noChange: NO_CHANGE[k] })),
  timeline: () => ({ acts: ACTS, intervals: INTERVALS.map(i => ({ n: cues[i.k].n, start: i.start, end: i.end })),
    times: TOD_SPANS.map(s => ({ from: s.from, to: s.to, tod: s.tod, scene: s.s.id })),
    places: scenes.map(s => ({ scene: s.id, key: placeKey(s), colour: placeColour(s) })),
    effects: EFFECT_SPANS.map(s => ({ group: s.g, type: s.e.type, from: s.from, to: s.to })),
    rows: ROW }),
  timelineX: t => timelineGeometry().X(t),
  // The 3D stage's colours at points of the stage (rig metres) at show time t, drawn for the purpose (the rest of the page untouched).
  stageAt: (t, points) => { STAGE3D.update(fixtureLevels(t), moverFocus(cueAt(t), t)); const out = STAGE3D.sample(points);
    if (stageNow) STAGE3D.update(...stageNow); return out; },
  fixtureLevels: t => Object.fromEntries(Object.entries(fixtureLevels(t)).map(([id, s]) => [id, [s.level, ...s.rgb]])),
  fixtureColour: id => { const f = FIXTURES.find(f => f.id === id); return f ? fixtureColour(f, fixtureLevels(now)) : null; } };
// The page opens on the first cue's look (the preset, as the audience walks in), not on its GO at 0%.
sizeCanvas(); if (cues.length) showCue(0); else seek(0);
// The 3D stage starts once the page is up and answering (a step at a time), then shows the current moment.
requestAnimationFrame(() => setTimeout(() => STAGE3D.start().then(() => { render(now); STAGE3D.draw(); }), 0));
