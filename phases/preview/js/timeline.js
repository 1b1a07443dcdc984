// ---- the timeline a designer reads: acts and the interval, time of day and place, cues (those that change nothing
// marked), effects where they run, and each group's intensity; click to go there ----
const canvas = document.getElementById("curves"), ctx = canvas.getContext("2d");
const TL = DATA.timeline, TOD_COLOURS = PALETTE.time_of_day, PLACE_COLOURS = PALETTE.places;
const PAD_L = 44, PAD_R = 8, H = 300, ROW = { act: [0, 14], tod: [16, 32], place: [34, 50], cue: [52, 68], fx: [70, 86] }, AXIS = 18;
function sizeCanvas() { const r = canvas.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
  canvas.width = Math.max(300, Math.round(r.width * dpr)); canvas.height = Math.round(H * dpr); ctx.setTransform(dpr, 0, 0, dpr, 0, 0); }
// Exact piecewise-linear curve of one group (effects left out): hold, then move over the transition, per cue.
function curvePoints(g) {
  const pts = []; let level = 0;
  cues.forEach((cue, k) => { const target = cue.groups[g] || DARK, t0 = cue.start + (target.delay || 0);
    const t1 = target.t === "cut" ? t0 : t0 + target.d, end = k + 1 < cues.length ? cues[k+1].start : total;
    pts.push([cue.start, level]); if (t0 < end) pts.push([t0, level]);
    const p = t1 <= end ? 1 : (end - t0) / Math.max(target.d, 1e-9); level = level + (target.i - level) * p;
    pts.push([Math.min(t1, end), level]); });
  pts.push([total, level]); return pts;
}
const curves = Object.fromEntries(groupIds.map(g => [g, curvePoints(g)]));
function tickStep(span) { for (const s of [60, 120, 300, 600, 900, 1800, 3600]) if (span / s <= 12) return s; return 7200; }
// Acts (from the scenes) and the interval (its structure cue): what the top row marks.
const ACTS = [];
for (const s of scenes) { if (s.act === null || s.act === undefined) continue; const last = ACTS[ACTS.length - 1];
  if (last && last.act === s.act) last.end = s.end; else ACTS.push({ act: s.act, start: s.start, end: s.end }); }
const INTERVALS = cues.map((c, k) => [c, k]).filter(([c]) => c.called.moment === "interval")
  .map(([c, k]) => ({ k, start: c.start, end: Math.max(c.end, k + 1 < cues.length ? Math.min(starts[k + 1], c.start) : c.start) }));
// Time of day along the show: each scene's, changing where the text moves it on inside the scene.
const TOD_SPANS = [];
for (const s of scenes) { let from = s.start, tod = s.time_of_day;
  for (const ch of s.time_changes || []) { TOD_SPANS.push({ from, to: ch.at, tod, s }); from = ch.at; tod = ch.to; }
  TOD_SPANS.push({ from, to: s.end, tod, s }); }
const placeKey = s => (s.location || "").split(/[.,;:]/)[0].trim().toLowerCase();
const PLACE_INDEX = new Map();
for (const s of scenes) { const key = placeKey(s); if (key && !PLACE_INDEX.has(key)) PLACE_INDEX.set(key, PLACE_INDEX.size); }
const placeColour = s => { const key = placeKey(s); return key ? PLACE_COLOURS[PLACE_INDEX.get(key) % PLACE_COLOURS.length] : TL.unknown_colour; };
// The still part of the timeline is drawn once per size into `still`; each frame copies it and adds the current
// cue's tick and the playhead.
const still = document.createElement("canvas"), stillCtx = still.getContext("2d");
let stillWidth = -1, hatch = null;
function timelineGeometry() {
  const W = canvas.getBoundingClientRect().width, plotW = W - PAD_L - PAD_R, top = ROW.fx[1] + 6, bottom = H - AXIS;
  return { W, top, bottom, X: s => PAD_L + s / total * plotW, Y: v => bottom - v * (bottom - top), T: x => (x - PAD_L) / plotW * total };
}
function band(ctx, X, row, from, to, fill, label) {
  const x0 = X(from), x1 = X(to), [y0, y1] = ROW[row];
  ctx.fillStyle = fill; ctx.fillRect(x0, y0, Math.max(1, x1 - x0 - 1), y1 - y0);
  if (label && x1 - x0 > ctx.measureText(label).width + 8) {
    ctx.save(); ctx.beginPath(); ctx.rect(x0, y0, x1 - x0 - 1, y1 - y0); ctx.clip();
    ctx.fillStyle = TL.band_ink; ctx.fillText(label, x0 + 3, y1 - 4); ctx.restore(); }
}
function drawStill() {
  const { W, top, bottom, X, Y } = timelineGeometry(), dpr = window.devicePixelRatio || 1, c = stillCtx;
  still.width = canvas.width; still.height = canvas.height; c.setTransform(dpr, 0, 0, dpr, 0, 0);
  c.clearRect(0, 0, W, H); c.font = "10.5px system-ui, sans-serif"; c.textAlign = "left";
  if (!hatch) { const h = document.createElement("canvas"); h.width = h.height = 6; const g = h.getContext("2d");
    g.fillStyle = TL.unknown_colour; g.fillRect(0, 0, 6, 6); g.strokeStyle = "#484f58"; g.beginPath(); g.moveTo(0, 6); g.lineTo(6, 0); g.stroke();
    hatch = c.createPattern(h, "repeat"); }
  c.fillStyle = "#8b949e";
  for (const [row, name] of [["act", "act"], ["tod", "time"], ["place", "place"], ["cue", "cues"], ["fx", "effects"]])
    c.fillText(name, 2, ROW[row][1] - 4);
  // acts and the interval
  for (const a of ACTS) { const x = X(a.start);
    c.strokeStyle = TL.act_line; c.lineWidth = 1.5; c.beginPath(); c.moveTo(x, 0); c.lineTo(x, bottom); c.stroke();
    c.fillStyle = TL.act_line; c.fillText(`Act ${a.act}`, x + 3, ROW.act[1] - 3); }
  for (const iv of INTERVALS) { const x0 = X(iv.start), x1 = Math.max(X(iv.end), x0 + 3);
    c.fillStyle = TL.interval_colour; c.fillRect(x0 - 1, 0, x1 - x0 + 2, bottom);
    c.fillStyle = TL.act_line; c.fillText("Interval", x0 + 4, ROW.act[1] - 3); }
  // time of day, then place, per scene
  for (const sp of TOD_SPANS) band(c, X, "tod", sp.from, sp.to, sp.tod ? TOD_COLOURS[sp.tod] || TL.unknown_colour : hatch, sp.tod || "?");
  for (const s of scenes) band(c, X, "place", s.start, s.end, placeColour(s),
    (s.setting ? (s.setting === "interior" ? "INT " : "EXT ") : "") + (s.location || "?"));
  // scene boundaries down through the curves
  c.strokeStyle = "#262c34"; c.lineWidth = 1;
  for (const s of scenes) { const x = X(s.start); c.beginPath(); c.moveTo(x, ROW.cue[0]); c.lineTo(x, bottom); c.stroke(); }
  // cues: a tick at each GO, numbered where there is room; a cue that changes nothing hollow and struck through
  let lastLabel = -1e9; const [cy0, cy1] = ROW.cue;
  cues.forEach((cue, k) => { const x = X(cue.start);
    if (NO_CHANGE[k]) { c.strokeStyle = TL.no_change; c.lineWidth = 1; c.beginPath(); c.arc(x, cy0 + 4, 2.5, 0, 2 * Math.PI); c.stroke();
      c.beginPath(); c.moveTo(x - 3.5, cy0 + 7.5); c.lineTo(x + 3.5, cy0 + 0.5); c.stroke(); }
    else { c.strokeStyle = "#8b949e"; c.lineWidth = 1; c.beginPath(); c.moveTo(x, cy0); c.lineTo(x, cy0 + 7); c.stroke(); }
    if (x - lastLabel > 26) { c.fillStyle = NO_CHANGE[k] ? TL.no_change : "#8b949e"; c.fillText(cueNumber(cue.n), x + 1, cy1 - 2); lastLabel = x; } });
  // effects where they run: a bar in the group's colour, lightning's strikes as ticks
  const [fy0, fy1] = ROW.fx;
  for (const sp of EFFECT_SPANS) { const x0 = X(sp.from), x1 = Math.max(X(sp.to), x0 + 2);
    c.globalAlpha = 0.45; c.fillStyle = groupColour(sp.g); c.fillRect(x0, fy0 + 3, x1 - x0, fy1 - fy0 - 6); c.globalAlpha = 1;
    if (sp.e.type === "lightning") { c.strokeStyle = TL.strike; c.lineWidth = 1;
      for (const at of lightningStrikes(sp.e, sp.to - sp.from)) { const x = X(sp.from + at); c.beginPath(); c.moveTo(x, fy0); c.lineTo(x, fy1); c.stroke(); } }
    if (x1 - x0 > 50) { c.fillStyle = TL.band_ink; c.fillText(sp.e.type, x0 + 2, fy1 - 4); } }
  c.fillStyle = "#8b949e"; c.textAlign = "right";
  for (const v of [0, 0.5, 1]) { c.fillText(Math.round(v * 100) + "%", PAD_L - 4, Y(v) + 4);
    c.strokeStyle = "#21262d"; c.beginPath(); c.moveTo(PAD_L, Y(v)); c.lineTo(W - PAD_R, Y(v)); c.stroke(); }
  c.textAlign = "center"; const step = tickStep(total);
  for (let s = 0; s <= total; s += step) if (X(s) < W - 24) c.fillText(fmt(s).replace(/^0:/, ""), X(s), H - 4);
  for (const g of groupIds) { c.strokeStyle = groupColour(g); c.lineWidth = 1.6; c.beginPath();
    curves[g].forEach(([s, v], i) => { const y = Y(v) + (groupIds.indexOf(g) - 2) * 0.8; if (i === 0) c.moveTo(X(s), y); else c.lineTo(X(s), y); });
    c.stroke(); }
  c.textAlign = "left"; stillWidth = W;
}
function drawTimeline(t, k = cueAt(t)) {
  const { W, bottom, X } = timelineGeometry();
  if (stillWidth !== W || still.width !== canvas.width) drawStill();
  ctx.setTransform(1, 0, 0, 1, 0, 0); ctx.clearRect(0, 0, canvas.width, canvas.height); ctx.drawImage(still, 0, 0);
  const dpr = window.devicePixelRatio || 1; ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  if (k >= 0) { const x = X(cues[k].start); ctx.strokeStyle = "#f0c674"; ctx.lineWidth = 2; ctx.beginPath(); ctx.moveTo(x, ROW.cue[0]); ctx.lineTo(x, ROW.cue[0] + 8); ctx.stroke(); }
  const px = X(t); ctx.strokeStyle = "#fff"; ctx.lineWidth = 2; ctx.beginPath(); ctx.moveTo(px, 0); ctx.lineTo(px, bottom); ctx.stroke();
}
// What is under the pointer, as a tooltip: the scene, its time and place, the nearest cue.
canvas.addEventListener("mousemove", e => { const r = canvas.getBoundingClientRect(), { T } = timelineGeometry(), t = T(e.clientX - r.left);
  const s = scenes.find(s => s.start <= t && t < s.end), k = cueAt(t);
  canvas.title = (s ? `${s.heading || s.id}: ${s.time_of_day || "time of day not read"}, ${s.location || "place not read"}` : "") +
    (k >= 0 ? `\nLX ${cueNumber(cues[k].n)} ${cues[k].label}${NO_CHANGE[k] ? " (changes nothing)" : ""}` : ""); });
document.getElementById("legend").innerHTML =
  "Groups: " + groupIds.map(g => `<span title="${esc(DATA.rig.descriptions[g])}"><i style="background:${groupColour(g)}"></i>${esc(g)}</span>`).join("") +
  " &nbsp; Time of day: " + Object.entries(TOD_COLOURS).map(([n, c]) => `<span><i class="box" style="background:${c}"></i>${esc(n)}</span>`).join("") +
  `<span><i class="box hatched"></i>not read</span>` +
  ` &nbsp; <span><i class="box" style="background:none;border:1px solid ${TL.no_change}"></i>cue that changes nothing</span>`;
