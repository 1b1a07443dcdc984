// ---- one moment of the show on every view; the transport ----
document.getElementById("title").textContent = DATA.title;
{ const overall = document.getElementById("overall");
  if (DATA.report) { overall.textContent = DATA.report.verdict; overall.classList.add(DATA.report.verdict); overall.title = "evaluation verdict"; } else overall.remove();
  const idle = NO_CHANGE.filter(Boolean).length;
  document.getElementById("summary").textContent = `${cues.length} cues in ${scenes.length} scenes, ${fmt(total)} running time, ` +
    `${FIXTURES.length} fixtures in ${groupIds.length} groups` + (idle ? `; ${idle} cue${idle > 1 ? "s" : ""} change nothing` : ""); }
const seekBar = document.getElementById("seek"); seekBar.max = total;
let now = 0, playing = false, last = null, current = -2;
// Panels off screen are left alone while the show plays (a seek draws them all); they catch up when scrolled to.
const onScreen = new Set(["stage", "magic", "timeline"]);
{ const watch = new IntersectionObserver(entries => { for (const e of entries) {
    if (e.isIntersecting) { onScreen.add(e.target.id); if (playing) render(now, true); } else onScreen.delete(e.target.id); } });
  for (const id of onScreen) watch.observe(document.getElementById(id)); }
function render(t, everything = true) {
  const levels = fixtureLevels(t), state = groupState(t, levels), k = cueAt(t);
  if (everything || onScreen.has("stage")) renderPlan(levels);
  STAGE3D.update(levels);
  if (k !== current) {
    if (rows[current]) rows[current].classList.remove("current"); if (rows[k]) rows[k].classList.add("current"); current = k;
    const box = document.getElementById("cues"), r = rows[Math.max(0, k)];
    if (r && (r.offsetTop < box.scrollTop + 30 || r.offsetTop > box.scrollTop + box.clientHeight - 40)) box.scrollTop = r.offsetTop - 40;
    renderNowCue(k); renderBook(k);
  }
  const fading = renderLevels(state, k, t);
  document.getElementById("clock").textContent = fmt(t) + " / " + fmt(total);
  if (everything || onScreen.has("magic")) renderMagic(levels, k);
  seekBar.value = t;
  if (everything || onScreen.has("timeline")) drawTimeline(t);
  const s = sceneOf(k), c = cues[Math.max(0, k)];
  document.body.dataset.time = t.toFixed(2); document.body.dataset.scene = s ? s.id : ""; document.body.dataset.cue = k < 0 ? "" : cueNumber(c.n);
  document.body.dataset.fading = fading ? "1" : "0";
}
function seek(t) { now = Math.min(total, Math.max(0, t)); render(now); STAGE3D.draw(); }
// Show a cue as it looks once its fades are done (from its flag, the cue list or the API).
function showCue(k) { setPlaying(false); seek(shownAt(k)); }
function inFade(t) { const k = cueAt(t); if (k < 0) return false;
  return groupIds.some(g => { const c = cues[k].groups[g]; if (!c) return false; const p = progressOf(c, cues[k].start, t); return p > 0 && p < 1; }); }
function setPlaying(on) { if (playing === on) return; playing = on; last = null; STAGE3D.moving(on);
  document.getElementById("play").textContent = on ? "Pause" : "Play"; if (on) requestAnimationFrame(tick); }
function tick(ts) { if (!playing) return;
  if (last !== null) { const speed = document.getElementById("realtime").checked && inFade(now) ? 1 : Number(document.getElementById("speed").value);
    now += (ts - last) / 1000 * speed; }
  last = ts; if (now >= total) { now = total; setPlaying(false); } render(now, false); STAGE3D.draw(); if (playing) requestAnimationFrame(tick); }
// GO runs the next cue (the next GO after the current one), then plays on in real time through its fade.
function go() { const k = cueAt(now); let j = k + 1; while (j < cues.length && cues[j].start <= now) j++;
  if (j < cues.length) { seek(cues[j].start); setPlaying(true); } }
function back() { setPlaying(false); const k = cueAt(now); if (k < 0) return seek(0);
  seek(now - cues[k].start > 2 || k === 0 ? cues[k].start : cues[k - 1].start); }
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
  fixtureLevels: t => Object.fromEntries(Object.entries(fixtureLevels(t)).map(([id, s]) => [id, [s.level, ...s.rgb]])),
  fixtureColour: id => { const f = FIXTURES.find(f => f.id === id); return f ? fixtureColour(f, fixtureLevels(now)) : null; } };
// The page opens on the first cue's look (the preset, as the audience walks in), not on its GO at 0%.
sizeCanvas(); seek(cues.length ? shownAt(0) : 0);
// The 3D stage starts once the page is up and answering (a step at a time), then shows the current moment.
requestAnimationFrame(() => setTimeout(() => STAGE3D.start().then(() => { render(now); STAGE3D.draw(); }), 0));
