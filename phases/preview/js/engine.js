// ---- the plan's data, and each fixture's level, colour, pan and tilt at any show time ----
const DATA = JSON.parse(document.getElementById("plan-data").textContent);
const PALETTE = DATA.palette, GROUP_COLOURS = PALETTE.groups, EXTRA_GROUP_COLOURS = PALETTE.extra_groups;
const scenes = DATA.scenes, cues = DATA.cues, total = Math.max(DATA.duration, 1e-6);
const groupIds = DATA.rig.groups, FIXTURES = DATA.rig.fixtures, NF = FIXTURES.length;
FIXTURES.forEach((f, i) => { f.i = i; });
const groupColour = g => GROUP_COLOURS[g] || EXTRA_GROUP_COLOURS[groupIds.indexOf(g) % EXTRA_GROUP_COLOURS.length];
const DARK = { i:0, c:"neutral_white", t:"cut", d:0, delay:0, e:null };
const BLACK = [0, 0, 0];

function fmt(t) { t = Math.max(0, Math.round(t)); const h = Math.floor(t/3600), m = Math.floor(t%3600/60), s = t%60;
  return h + ":" + String(m).padStart(2,"0") + ":" + String(s).padStart(2,"0"); }
function esc(s) { return String(s ?? "").replace(/[&<>"]/g, c => ({ "&":"&amp;", "<":"&lt;", ">":"&gt;", '"':"&quot;" }[c])); }
function rgbOf(name) { return DATA.colours[name] || [255,255,255]; }
const sceneIndex = Object.fromEntries(scenes.map((s, k) => [s.id, k]));
const cueNumber = n => String(+n.toFixed(3));

// ---- effects: a line-for-line mirror of phases/hardware/effects.py (tests/test_effects.py holds them together) ----
const EFFECTS = DATA.effects, LIGHTNING = EFFECTS.lightning_ms;  // min_gap_ms, max_flashes, flash_ms, flash_gap_ms, spread
function hash32(x) { x = x >>> 0; x = (x ^ (x >>> 16)) >>> 0; x = Math.imul(x, 0x7feb352d) >>> 0; x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0; return (x ^ (x >>> 16)) >>> 0; }
function mix(...values) { let h = 0x9e3779b9; for (const v of values) h = hash32((h ^ (v >>> 0)) >>> 0); return h; }
function unit(h) { return h / 4294967296; }
function nameHash(name) { let h = 0x811c9dc5; for (let i = 0; i < name.length; i++) h = Math.imul((h ^ name.charCodeAt(i)) >>> 0, 0x01000193) >>> 0; return h; }
const storms = new Map();
function storm(seed, rate) { const key = seed + ":" + rate; let s = storms.get(key);
  if (!s) { s = { seed, mean: 1000 / rate, starts: [], strikes: [], next: 0 }; storms.set(key, s); } return s; }
function gapMs(s, n) { const u = unit(mix(s.seed, n, 1)), floorMs = Math.min(LIGHTNING.min_gap_ms, s.mean);
  return Math.max(1, Math.floor(floorMs - Math.log(1 - u) * (s.mean - floorMs))); }
function strikesUntil(s, ms) { while (s.next <= ms) { const n = s.strikes.length; s.next += gapMs(s, n);
  const flashes = 1 + Math.floor(unit(mix(s.seed, n, 2)) * LIGHTNING.max_flashes), brightness = 1 - LIGHTNING.spread * unit(mix(s.seed, n, 3));
  s.strikes.push({ at: s.next, flashes, brightness }); s.starts.push(s.next); } }
function bisectRight(values, x) { let lo = 0, hi = values.length; while (lo < hi) { const mid = (lo + hi) >> 1; if (x < values[mid]) hi = mid; else lo = mid + 1; } return lo; }
function lightningFlash(effect, elapsed) {
  const s = storm(effect.seed, effect.rate_hz), ms = Math.floor(elapsed * 1000); strikesUntil(s, ms);
  const k = bisectRight(s.starts, ms) - 1; if (k < 0) return 0;
  const strike = s.strikes[k], into = ms - strike.at, period = LIGHTNING.flash_ms + LIGHTNING.flash_gap_ms;
  return Math.floor(into / period) < strike.flashes && into % period < LIGHTNING.flash_ms ? strike.brightness : 0;
}
// The strikes of a lightning effect in its first `seconds` (seconds from its origin), for the timeline.
function lightningStrikes(effect, seconds) { const s = storm(effect.seed, effect.rate_hz); strikesUntil(s, seconds * 1000);
  return s.starts.filter(ms => ms < seconds * 1000).map(ms => ms / 1000); }
function applyEffect(effect, base, elapsed, groupId, index, count) {
  if (elapsed < 0 || (effect.duration !== null && effect.duration !== undefined && elapsed >= effect.duration)) return base;
  const phase = elapsed * effect.rate_hz, depth = effect.depth;
  if (effect.type === "lightning") { const bright = lightningFlash(effect, elapsed); return bright > 0 ? base + depth * bright * (1 - base) : base; }
  if (effect.type === "flash") return phase % 1 < EFFECTS.flash.duty ? base + depth * (1 - base) : base;
  if (effect.type === "pulse") return base * (1 - depth * (1 - Math.cos(2 * Math.PI * phase)) / 2);
  if (effect.type === "flicker") { const step = Math.floor(phase), group = nameHash(groupId);
    const a = unit(mix(effect.seed, group, index, step)), b = unit(mix(effect.seed, group, index, step + 1));
    return base * (1 - depth * (a + (b - a) * (phase - step))); }
  return index === Math.floor(phase) % Math.max(1, count) ? base : base * (1 - depth);  // chase
}

// ---- playback: Phase 8's per-fixture fades (phases/preview/playback.py, from the renderer's `fades`), run here. The
// page reads no cue itself: per cue and fixture a row says the level and colour it goes from and to, the transition,
// the effect and when its clock started; the page runs the progress, the effect and the caps, as fixture_states does
// (tests/test_preview_playback.py holds the two together). ----
const PLAY = DATA.play, ROWS = PLAY.rows, STRIDE = PLAY.row, TRANSITIONS = PLAY.transitions, FX = PLAY.effects, FIX = PLAY.fixtures;
const MOVER_AT = PLAY.mover_order.map(id => FIXTURES.findIndex(f => f.id === id));
const starts = cues.map(c => c.start);
const NO_CHANGE = PLAY.no_change, UNCHANGED = DATA.unchanged;
const EFFECT_SPANS = PLAY.effect_spans.map(s => ({ g: s.g, e: s.effect, from: s.from, to: s.to }));
// How far a transition [cut, duration, delay] has run at show time t, for a cue that went at `start`.
function progressOf(tr, start, t) { const into = t - start - tr[2];
  if (into < 0) return 0; if (tr[0] || tr[1] === 0) return 1; return Math.min(1, into / tr[1]); }
// One moment of the show: the cue on stage (k) and every fixture's final level (effects and caps applied), colour
// (0..255), pan and tilt (0..1 of their travel), by fixture index.
function blankMoment(k) { return { k, level: new Float64Array(NF), rgb: new Float64Array(3 * NF), pan: new Float64Array(NF).fill(0.5), tilt: new Float64Array(NF).fill(0.5) }; }
function momentOf(fades, start, k, t) {
  const m = blankMoment(k), r = fades.r, a = fades.a;
  for (let i = 0; i < NF; i++) { const b = r[i] * STRIDE, p = progressOf(TRANSITIONS[ROWS[b + 8]], start, t), fx = ROWS[b + 9];
    let level = ROWS[b] + (ROWS[b + 1] - ROWS[b]) * p;
    for (let j = 0; j < 3; j++) m.rgb[3 * i + j] = ROWS[b + 2 + j] + (ROWS[b + 5 + j] - ROWS[b + 2 + j]) * p;
    if (fx >= 0) level = applyEffect(FX[fx], level, t - ROWS[b + 10], FIXTURES[i].group, FIX[i].index, FIX[i].count);
    level = Math.min(level, FIX[i].cap); if (level > 0) level = Math.max(level, FIX[i].floor);
    m.level[i] = Math.max(0, Math.min(1, level)); }
  // a mover: at once while it was dark as the cue began (0), with the fade (1), or once faded out where it was (2)
  MOVER_AT.forEach((i, j) => { const o = 5 * j, to = [a[o + 2], a[o + 3]];
    let aim = to;
    if (a[o] !== a[o + 2] || a[o + 1] !== a[o + 3]) { const p = progressOf(TRANSITIONS[ROWS[r[i] * STRIDE + 8]], start, t);
      if (a[o + 4] === 1) aim = [a[o] + (a[o + 2] - a[o]) * p, a[o + 1] + (a[o + 3] - a[o + 1]) * p];
      else if (a[o + 4] === 2 && p < 1) aim = [a[o], a[o + 1]]; }
    m.pan[i] = aim[0]; m.tilt[i] = aim[1]; });
  return m;
}
function cueAt(t) { return bisectRight(starts, t) - 1; }
// The show at show time t, as Phase 8 sends it: before the first cue everything dark, movers where cue 1 wants them.
function momentAt(t) { const k = cueAt(t);
  if (k >= 0) return momentOf(PLAY.cues[k], starts[k], k, t);
  const m = blankMoment(-1), a = PLAY.cues.length ? PLAY.cues[0].a : [];
  MOVER_AT.forEach((i, j) => { m.pan[i] = a[5 * j + 2]; m.tilt[i] = a[5 * j + 3]; });
  return m; }
// A cue that shares its GO with the next, `into` seconds after its own GO as the page steps through them.
const STEPS = PLAY.steps;
const sharesStart = k => STEPS[k] !== undefined;
function stepMoment(k, into) { const s = STEPS[k]; return momentOf(s, s.start, k, s.start + into); }
// Per group, for the meters: the brightest member, and how far the group's own transition has run.
function groupState(m, into) {
  const k = Math.max(0, m.k), cue = cues[k], out = {};
  for (const g of groupIds) { const row = cue.groups[g] || DARK, ms = members[g];
    const lit = ms.length ? ms.reduce((a, f) => m.level[f.i] > m.level[a.i] ? f : a, ms[0]) : null;
    out[g] = { level: lit ? m.level[lit.i] : 0, rgb: lit ? [0, 1, 2].map(j => Math.round(m.rgb[3 * lit.i + j])) : BLACK, target: row.c, to: row.i,
               progress: m.k < 0 ? 0 : progressOf([row.t === "cut" ? 1 : 0, row.d, row.delay || 0], 0, into), transition: row.t, duration: row.d,
               delay: row.delay || 0, effect: row.e }; }
  return out;
}
const members = Object.fromEntries(groupIds.map(g => [g, FIXTURES.filter(f => f.group === g)]));
// What a fixture shows: its colour at its level, 0..255.
function fixtureColour(i, m) { return [0, 1, 2].map(j => Math.round(m.rgb[3 * i + j] * m.level[i])); }
// The moment a cue's look is complete: its longest transition done, or just before the next cue if that comes first.
function shownAt(k) { const c = cues[k], next = k + 1 < cues.length ? starts[k + 1] : total;
  return Math.max(c.start, Math.min(c.start + c.fade, next - 0.05)); }
// ---- where a mover's beam goes, from the pan and tilt Phase 8 sends it (phases/hardware/aim.py, turned round): at
// pan and tilt centre a hung head points straight down (a standing one up); pan turns it clockwise seen from above
// from `pan_home` (0: towards the audience), tilt leans it off that axis. Rig metres: x across (stage left -), y
// upstage, z up. The beam stops at the first surface it meets: the stage floor, the house floor or the cyc. ----
const S3 = DATA.stage3d;
function beamDirection(i, pan, tilt) { const mv = PLAY.movers[FIXTURES[i].id];
  let p = (pan - 0.5) * mv.pan_degrees, q = (tilt - 0.5) * mv.tilt_degrees;
  if (mv.invert_pan) p = -p; if (mv.invert_tilt) q = -q;
  const h = (p + mv.pan_home) * Math.PI / 180, a = q * Math.PI / 180;
  return [Math.sin(h) * Math.sin(a), -Math.cos(h) * Math.sin(a), (mv.hung ? -1 : 1) * Math.cos(a)]; }
function beamLanding(i, pan, tilt) {
  const from = FIXTURES[i].p3.pos, d = beamDirection(i, pan, tilt), hits = [];
  const at = t => [from[0] + d[0] * t, from[1] + d[1] * t, from[2] + d[2] * t];
  if (d[2] < -1e-9) { const t = -from[2] / d[2], p = at(t); if (p[1] >= -S3.apron) hits.push([t, "floor"]);
    const th = (-S3.house.drop - from[2]) / d[2], ph = at(th); if (ph[1] < -S3.apron) hits.push([th, "house"]); }
  if (d[1] > 1e-9) { const t = (S3.cyc.y - from[1]) / d[1], p = at(t); if (p[2] >= 0 && p[2] <= S3.cyc.height) hits.push([t, "cyc"]); }
  const hit = hits.filter(h => h[0] > 0).sort((a, b) => a[0] - b[0])[0];
  const t = hit ? hit[0] : S3.beam_reach;
  return { from, to: at(t), dir: d, length: t, surface: hit ? hit[1] : null }; }
