// ---- evaluation: overall and, per scene, which metrics flag it ----
const flagged = {};
const HIDDEN_IN_PANEL = new Set(DATA.cue_panel.hide_metrics);
for (const m of (DATA.report ? DATA.report.metrics : [])) for (const [sid, v] of Object.entries(m.per_scene || {}))
  if (v !== "PASS") (flagged[sid] = flagged[sid] || []).push([m.name, v]);
const designerFlags = sid => (flagged[sid] || []).filter(([n]) => !HIDDEN_IN_PANEL.has(n));
{ const metrics = document.getElementById("metrics");
  if (!DATA.report) metrics.innerHTML = "<li><small>not evaluated yet</small></li>";
  for (const m of (DATA.report ? DATA.report.metrics : [])) {
    const li = document.createElement("li"); li.dataset.metric = m.name;
    li.innerHTML = `<span class="verdict ${m.verdict}">${m.verdict}</span><b>${esc(m.name)}</b><span>${m.value === null ? "n/a" : m.value}</span><small>${esc(m.detail)}</small>`;
    metrics.appendChild(li);
  } }

// ---- cue list: one row per cue, as on a console ----
const rows = [], tbody = document.getElementById("cuelist");
function swatches(groups) { return groupIds.map(g => { const c = groups[g]; if (!c) return "";
  const rgb = rgbOf(c.c).map(v => Math.round(v * (0.2 + 0.8 * c.i)));
  return `<span class="sw" title="${esc(g)}: ${esc(c.c)} at ${Math.round(c.i*100)}%${c.ov ? `, ${c.ov.length} area levels` : ""}" style="background:rgb(${rgb})"></span>`; }).join(""); }
function calledOn(c) { const on = c.called;
  if (on.kind === "structure") return on.moment.replace(/_/g, " ");
  if (on.kind === "follow") return `follow ${on.wait} s` + (on.text ? `: ${on.text}` : "");
  if (on.kind === "scene_start") return "top of scene";
  return `${on.kind}${on.line ? " (line " + on.line + ")" : ""}: ${on.text || ""}`; }
function fadeText(c) { const kinds = new Set(Object.values(c.groups).map(g => g.t)); return kinds.size === 1 && kinds.has("cut") ? "0 s cut" : `${+c.fade.toFixed(2)} s`; }
{ const parts = [];
  cues.forEach((c, k) => {
    const first = k === 0 || cues[k - 1].scene_id !== c.scene_id;
    const flags = first ? (flagged[c.scene_id] || []).map(([n, v]) => `<span class="verdict ${v}" title="${esc(n)}">${v[0]}</span>`).join(" ") : "";
    const idle = NO_CHANGE[k] ? ` <span class="idle-tag" title="no fixture moves by ${Math.round(UNCHANGED.level * 100)}% or changes colour, no effect starts or stops">no change</span>` : "";
    parts.push(`<tr data-cue="${esc(cueNumber(c.n))}" data-k="${k}" data-scene-id="${esc(c.scene_id)}"${NO_CHANGE[k] ? ' class="idle"' : ""}>` +
      `<td><b>${esc(cueNumber(c.n))}</b></td><td>${fmt(c.start)}</td><td>${esc(c.scene_id)} ${flags}</td><td>${esc(c.label)}${idle}</td>` +
      `<td class="cue">${esc(calledOn(c))}</td><td>${esc(fadeText(c))}</td><td>${c.called.kind === "follow" ? "F " + esc(c.called.wait) + " s" : ""}</td><td>${swatches(c.groups)}</td></tr>`);
  });
  tbody.innerHTML = parts.join("");
  rows.push(...tbody.children);
  tbody.addEventListener("click", e => { const tr = e.target.closest("tr"); if (tr) showCue(+tr.dataset.k); }); }

// ---- magic sheet: the rig by role (rows) and area (columns); each chip is one fixture at the current level ----
const ROLE_OF = DATA.rig.roles, magicChips = [];
{ const roles = DATA.magic.roles.filter(r => FIXTURES.some(f => ROLE_OF[f.group] === r));
  for (const r of new Set(FIXTURES.map(f => ROLE_OF[f.group]))) if (!roles.includes(r)) roles.push(r);
  const areas = DATA.magic.areas.filter(a => FIXTURES.some(f => f.area === a));
  for (const a of new Set(FIXTURES.map(f => f.area))) if (!areas.includes(a)) areas.push(a);
  const table = document.getElementById("magic-sheet");
  table.querySelector("thead").innerHTML = "<tr><th>role \\ area</th>" + areas.map(a => `<th>${esc(a)}</th>`).join("") + "</tr>";
  const body = table.querySelector("tbody");
  for (const r of roles) { const tr = document.createElement("tr"); tr.dataset.role = r;
    tr.innerHTML = `<th>${esc(r)}</th>` + areas.map(a => `<td data-area="${esc(a)}"></td>`).join(""); body.appendChild(tr);
    areas.forEach((a, j) => { const td = tr.children[j + 1];
      for (const f of FIXTURES.filter(f => ROLE_OF[f.group] === r && f.area === a)) {
        const chip = document.createElement("span"); chip.className = "chip"; chip.dataset.magicFixture = f.id; chip.title = `${f.id} (${f.group}, ${f.type})`;
        chip.innerHTML = `<b>${esc(f.n ?? f.id)}</b><em></em>`; td.appendChild(chip); magicChips.push({ f, chip, swatch: chip.firstChild, pct: chip.lastChild }); } }); } }
function renderMagic(m, k) {
  const c = k >= 0 ? cues[k] : null;
  document.getElementById("magic-cue").textContent = c ? `Cue ${cueNumber(c.n)}: ${c.label} (${c.scene_id})` : "Before the first cue";
  for (const chip of magicChips) { const i = chip.f.i, level = m.level[i], rgb = fixtureColour(i, m), key = rgb.join(",") + "/" + level;
    if (chip.key === key) continue; chip.key = key;
    chip.swatch.style.background = level > 0 ? `rgb(${rgb})` : "#21262d";
    const pct = Math.round(level * 100); chip.pct.textContent = level > 0 ? (pct >= 100 ? "FL" : pct) : "-";
    chip.chip.classList.toggle("out", level <= 0); chip.chip.dataset.level = pct; chip.chip.dataset.rgb = rgb.join(","); }
}

// ---- the current cue: what it is, where in the play, what it is called on, each group's level ----
const levelRows = groupIds.map(g => { const tr = document.createElement("tr");
  tr.innerHTML = `<td class="g"><i class="sw" style="background:${groupColour(g)};height:4px;vertical-align:3px"></i>${esc(g)}</td><td class="bar"><div class="meter"><i></i></div></td><td class="pct"></td><td class="col"></td>`;
  document.querySelector("#levels tbody").appendChild(tr);
  return { tr, bar: tr.querySelector(".meter i"), pct: tr.querySelector(".pct"), col: tr.querySelector(".col"), key: "" }; });
const $ = id => document.getElementById(id);
function sceneOf(k) { const c = cues[Math.max(0, k)]; return scenes[sceneIndex[c ? c.scene_id : ""]] || scenes[0]; }
function sceneRef(s) { return [s.act ? `Act ${s.act}` : "", s.heading || s.id].filter(Boolean).join(", "); }
function renderNowCue(k) {
  const c = cues[Math.max(0, k)], s = sceneOf(k);
  $("now-id").textContent = k < 0 ? "Before the first cue" : `LX ${cueNumber(c.n)}`;
  $("now-label").textContent = k < 0 ? "" : c.label;
  $("now-idle").hidden = !(k >= 0 && NO_CHANGE[k]);
  $("now-scene").textContent = !s ? "" : k >= 0 && c.label === s.heading ? (s.act ? `Act ${s.act}` : "") : sceneRef(s);
  $("now-place").innerHTML = s ? [s.time_of_day ? `<span class="chip-tod" style="background:${PALETTE.time_of_day[s.time_of_day]}">${esc(s.time_of_day)}</span>` : `<span class="chip-tod unknown">time not read</span>`,
    s.location ? `<span class="chip-place">${esc((s.setting ? s.setting + ": " : "") + s.location)}</span>` : ""].join(" ") : "";
  const flag = BOOK_FLAG[k];
  const ref = flag ? [flag.page ? `p. ${flag.page}` : "", flag.line ? `l. ${flag.line}` : "", flag.word ? `GO on "${flag.word}"` : ""].filter(Boolean).join(" ") : "";
  $("now-called").textContent = k < 0 ? "" : "Called on: " + calledOn(c) + (ref ? ` (${ref})` : "");
  $("now-flags").innerHTML = s ? designerFlags(s.id).map(([n, v]) => `<span class="verdict ${v}">${v}</span> <span>${esc(n)}</span>`).join(" ") : "";
  $("now-why").textContent = k < 0 ? "" : c.why;
  const next = k + 1 < cues.length ? cues[k + 1] : null;
  $("now-next").textContent = next ? `Next: LX ${cueNumber(next.n)} ${next.label}` : "End of the cue list";
}
const BOOK_FLAG = [];
for (const s of DATA.book) for (const f of s.flags) BOOK_FLAG[f.cue] = f;
function renderLevels(state, k, into) {
  const fading = [];
  groupIds.forEach((g, i) => { const gs = state[g], row = levelRows[i], pct = Math.round(gs.level * 100);
    const key = `${pct}/${gs.rgb}/${gs.target}/${gs.effect ? gs.effect.type : ""}/${gs.to}`;
    if (key !== row.key) { row.key = key;
      row.bar.style.width = (Math.min(1, gs.level) * 100).toFixed(1) + "%"; row.bar.style.background = `rgb(${gs.rgb})`;
      row.pct.textContent = gs.level > 0 ? (pct >= 100 ? "FL" : pct + "%") : "out";
      row.col.innerHTML = `<span class="sw" style="background:rgb(${rgbOf(gs.target)})"></span>${esc(gs.target)}${gs.effect ? " + " + esc(gs.effect.type) : ""}`; }
    if (k >= 0 && gs.progress < 1 && gs.transition !== "cut" && gs.duration > 0) {
      if (into < gs.delay) fading.push(`${g} waits ${+(gs.delay - into).toFixed(1)} s`);
      else if (gs.progress > 0) fading.push(`${g} ${Math.round(gs.progress * 100)}% of ${gs.duration} s`); } });
  // At a cue's GO its fade has not begun: say what is about to run, not "0%".
  $("fade").textContent = k >= 0 && into < 0.05 && !NO_CHANGE[k] ? `GO: ${fadeText(cues[k])}` : fading.length ? "Fading: " + fading.join(", ") : "";
  return fading.length > 0;
}
