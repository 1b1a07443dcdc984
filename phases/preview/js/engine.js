// ---- the plan's data, and each fixture's level and colour at any show time ----
const DATA = JSON.parse(document.getElementById("plan-data").textContent);
const PALETTE = DATA.palette, GROUP_COLOURS = PALETTE.groups, EXTRA_GROUP_COLOURS = PALETTE.extra_groups;
const scenes = DATA.scenes, cues = DATA.cues, total = Math.max(DATA.duration, 1e-6);
const groupIds = DATA.rig.groups, FIXTURES = DATA.rig.fixtures;
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

// ---- cue states: a mirror of phases/hardware/renderer.py (per fixture: group level or its override) ----
const members = Object.fromEntries(groupIds.map(g => [g, FIXTURES.filter(f => f.group === g)]));
const starts = cues.map(c => c.start);
function cueTargets(cue) {
  let timing = { t:"cut", d:0, delay:0 }, longest = -1;
  for (const g of Object.values(cue.groups)) if (g.delay + g.d > longest) { longest = g.delay + g.d; timing = g; }
  const targets = {};
  for (const g of groupIds) { const row = cue.groups[g];
    for (const f of members[g]) {
      if (!row) { targets[f.id] = { level:0, rgb:BLACK, tr:timing, e:null }; continue; }
      let level = row.i, rgb = rgbOf(row.c);
      for (const o of row.ov || []) if (o.f === f.id || (o.a !== null && o.a === f.focus)) { level = o.i; if (o.c) rgb = rgbOf(o.c); }
      targets[f.id] = { level, rgb, tr:row, e:row.e };
    } }
  return targets;
}
const TARGETS = cues.map(cueTargets), FROM = [];
// When each cue's group effect began: an effect a GO leaves as it was runs on (renderer.py: _effect_origins).
const sameEffect = (a, b) => ["type", "rate_hz", "seed", "depth", "duration"].every(k => (a[k] ?? null) === (b[k] ?? null));
const ORIGIN = [];
{ let running = {};
  cues.forEach((c, k) => { const now = {};
    for (const [g, row] of Object.entries(c.groups)) if (row.e) {
      const before = running[g]; now[g] = { e: row.e, at: before && sameEffect(before.e, row.e) ? before.at : c.start }; }
    running = now; ORIGIN.push(Object.fromEntries(Object.entries(now).map(([g, v]) => [g, v.at]))); }); }
function progressOf(tr, start, t) { const into = t - start - (tr.delay || 0);
  if (into < 0) return 0; if (tr.t === "cut" || tr.d === 0) return 1; return Math.min(1, into / tr.d); }
function statesAt(k, t) {
  const out = {};
  for (const f of FIXTURES) { const target = TARGETS[k][f.id], before = FROM[k][f.id], p = progressOf(target.tr, starts[k], t);
    const fromC = before.level === 0 ? target.rgb : before.rgb, toC = target.level === 0 && before.level > 0 ? before.rgb : target.rgb;
    out[f.id] = { level: before.level + (target.level - before.level) * p, rgb: [0,1,2].map(j => fromC[j] + (toC[j] - fromC[j]) * p) }; }
  return out;
}
{ let state = Object.fromEntries(FIXTURES.map(f => [f.id, { level:0, rgb:BLACK }]));
  for (let k = 0; k < cues.length; k++) { FROM.push(state); if (k + 1 < cues.length) state = statesAt(k, starts[k + 1]); } }
function cueAt(t) { return bisectRight(starts, t) - 1; }
// Each fixture's final level (effects and caps applied) and colour at show time t, as the DMX renderer has it.
function fixtureLevels(t) { return fixtureLevelsOf(cueAt(t), t); }
// The same during cue k (from its GO at starts[k] on), whatever cue the show clock would be in: for a cue that shares
// its GO time with the cues after it, which the clock never shows.
function fixtureLevelsOf(k, t) {
  const out = {};
  if (k < 0) { for (const f of FIXTURES) out[f.id] = { level:0, rgb:BLACK }; return out; }
  const states = statesAt(k, t);
  for (const g of groupIds) members[g].forEach((f, position) => {
    const state = states[f.id], effect = TARGETS[k][f.id].e; let level = state.level;
    if (effect) level = applyEffect(effect, level, t - (ORIGIN[k][g] ?? starts[k]), g, position, members[g].length);
    level = Math.min(level, DATA.rig.caps[g], f.max);
    if (level > 0) level = Math.max(level, Math.min(f.min, f.max));
    out[f.id] = { level: Math.max(0, Math.min(1, level)), rgb: f.fixed ? rgbOf(f.fixed) : state.rgb };
  });
  return out;
}
// Per group, for the meters: the brightest member, and how far the group's own transition has run.
function groupState(t, levels = fixtureLevels(t), at = cueAt(t)) {
  const k = Math.max(0, at), cue = cues[k], out = {};
  for (const g of groupIds) { const row = cue.groups[g] || DARK, ms = members[g];
    const lit = ms.length ? ms.reduce((a, f) => levels[f.id].level > levels[a.id].level ? f : a, ms[0]) : null;
    out[g] = { level: lit ? levels[lit.id].level : 0, rgb: lit ? levels[lit.id].rgb.map(Math.round) : BLACK, target: row.c, to: row.i,
               progress: at < 0 ? 0 : progressOf(row, cue.start, t), transition: row.t, duration: row.d, delay: row.delay || 0,
               effect: row.e }; }
  return out;
}
function fixtureColour(f, levels) { const s = levels[f.id]; return s.rgb.map(c => Math.round(c * s.level)); }

// ---- what a designer asks of each cue: when its look is complete, and whether it changes anything at all ----
// The moment a cue's look is complete: its longest transition done, or just before the next cue if that comes first.
function shownAt(k) { const c = cues[k], next = k + 1 < cues.length ? starts[k + 1] : total;
  return Math.max(c.start, Math.min(c.start + c.fade, next - 0.05)); }
// A cue changes nothing when, against the cue before it, no fixture's level moves by the threshold, no lit fixture's
// colour moves visibly, and no effect starts, stops or changes: the operator presses GO and the audience sees no
// difference. (Both looks as the cues ask for them, capped as the rig sends them; the first cue is against black.)
const UNCHANGED = DATA.unchanged;
function changesNothing(k) {
  const prev = k > 0 ? cues[k - 1] : null;
  for (const f of FIXTURES) { const target = TARGETS[k][f.id], before = prev ? TARGETS[k - 1][f.id] : { level: 0, rgb: BLACK };
    const cap = Math.min(f.max, DATA.rig.caps[f.group]), a = Math.min(before.level, cap), b = Math.min(target.level, cap);
    if (Math.abs(b - a) >= UNCHANGED.level) return false;
    if (Math.max(a, b) > 0 && !f.fixed && Math.max(...[0, 1, 2].map(j => Math.abs(target.rgb[j] - before.rgb[j]))) >= UNCHANGED.colour * 255) return false; }
  for (const g of groupIds) { const now = cues[k].groups[g]?.e || null, was = prev ? prev.groups[g]?.e || null : null;
    if ((now === null) !== (was === null) || (now && !sameEffect(now, was))) return false; }
  return true;
}
const NO_CHANGE = cues.map((c, k) => changesNothing(k));
// Where each group's effect runs: [group, effect, from, to] spans, from the cue that started it to the cue that stops it.
const EFFECT_SPANS = [];
{ const open = {};
  const close = (g, at) => { const s = open[g]; if (!s) return; const end = s.e.duration ? Math.min(at, s.from + s.e.duration) : at;
    EFFECT_SPANS.push({ g, e: s.e, from: s.from, to: end }); delete open[g]; };
  cues.forEach((c, k) => { for (const g of groupIds) { const e = c.groups[g]?.e || null;
    if (open[g] && (!e || ORIGIN[k][g] !== open[g].from)) close(g, c.start);
    if (e && !open[g]) open[g] = { e, from: ORIGIN[k][g] }; } });
  for (const g of Object.keys(open)) close(g, total); }
// Where each mover points during cue k at time t, as shares of its landings (phases/hardware/renderer.py: a mover dark
// when the cue begins is already there; lit, it moves with the cue's fade; fading out, it moves once dark).
const MOVERS = Object.entries(DATA.movers);
function moverFocus(k, t) {
  const out = {};
  if (k < 0) return out;
  for (const [id, m] of MOVERS) { const to = m.cue[k], from = k > 0 ? m.cue[k - 1] : to, target = TARGETS[k][id];
    if (from === to || FROM[k][id].level === 0) { out[id] = [[to, 1]]; continue; }
    const p = progressOf(target.tr, starts[k], t);
    out[id] = target.level > 0 ? [[from, 1 - p], [to, p]] : [[p < 1 ? from : to, 1]]; }
  return out;
}
