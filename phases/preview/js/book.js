// ---- the prompt book: the script scene by scene, each cue's flag in the margin at its GO words, standbys above ----
const BOOK = DATA.book;
const bookPages = document.getElementById("book-pages");
const flagOf = [];  // cue index -> its flag element
const goWordsOf = [];  // cue index -> the <mark> elements of its GO words
function cueTime(c) { const kinds = new Set(Object.values(c.groups).map(g => g.t));
  return kinds.size === 1 && kinds.has("cut") ? "cut" : `${+c.fade.toFixed(1)} s`; }
function cueRange(ks) { const ns = ks.map(k => cueNumber(cues[k].n));
  return ns.length === 1 ? `LX ${ns[0]}` : ns.length === 2 ? `LX ${ns[0]}, ${ns[1]}` : `LX ${ns[0]} to ${ns[ns.length - 1]}`; }
function flagHtml(k) { const c = cues[k], follow = c.called.kind === "follow";
  const idle = NO_CHANGE[k] ? ` idle" title="changes nothing the audience can see` : "";
  return `<a class="flag${idle}" data-k="${k}" data-cue="${esc(cueNumber(c.n))}" href="#" role="button">` +
    `<b>LX ${esc(cueNumber(c.n))}</b><span class="lbl">${esc(c.label)}</span>` +
    `<i>${follow ? "F " + esc(c.called.wait) + " s, " : ""}${esc(cueTime(c))}${NO_CHANGE[k] ? ", no change" : ""}</i></a>`; }
{
  let lastAct = null;
  const parts = [];
  for (const s of BOOK) {
    const scene = scenes[sceneIndex[s.id]] || {}, text = s.text;
    const actBreak = s.act !== null && s.act !== lastAct; lastAct = s.act ?? lastAct;
    const where = [scene.time_of_day, scene.location].filter(Boolean).join(", ");
    const lines = s.line0 ? ` <small>lines ${s.line0}-${s.line0 + text.split("\n").length - 1}</small>` : "";
    parts.push(`<article class="scene${actBreak ? " act-start" : ""}" data-scene="${esc(s.id)}" data-act="${s.act ?? ""}">` +
      (actBreak ? `<h3 class="act">Act ${esc(s.act)}</h3>` : "") +
      `<h4>${esc(s.heading)}${lines}${where ? ` <span class="where">${esc(where)}</span>` : ""}</h4><div class="text">`);
    // the text in chunks that each start at a line with something in the margin (a flag, a standby), so the margin
    // sits level with its line; inside a chunk, paragraphs where the text has blank lines
    const margin = new Map(), addTo = (line, html) => margin.set(line, (margin.get(line) || "") + html);
    const starts = [0]; for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    const lineOf = at => bisectRight(starts, at) - 1, lineEnd = n => n + 1 < starts.length ? starts[n + 1] - 1 : text.length;
    for (const sb of s.standbys) addTo(lineOf(sb.at), `<span class="stby${sb.scene ? " top" : ""}">Standby ${esc(cueRange(sb.cues))}</span>`);
    for (const f of s.flags) addTo(lineOf(f.at), flagHtml(f.cue));
    const marks = s.flags.filter(f => f.end > f.at);
    const marked = (a, b) => { let body = "", pos = a;
      for (const m of marks) { const x = Math.max(m.at, pos), y = Math.min(m.end, b); if (y <= x) continue;
        body += esc(text.slice(pos, x)) + `<mark class="go" data-k="${m.cue}">${esc(text.slice(x, y))}</mark>`; pos = y; }
      return body + esc(text.slice(pos, b)); };
    const breaks = [...new Set([0, ...margin.keys()])].sort((a, b) => a - b);
    breaks.forEach((first, i) => { const last = (i + 1 < breaks.length ? breaks[i + 1] : starts.length) - 1;
      let html = "", para = null;
      for (let n = first; n <= last; n++) { const blank = !text.slice(starts[n], lineEnd(n)).trim();
        if (blank) { if (para !== null) { html += `<span class="pa">${marked(para, lineEnd(n - 1))}</span>`; para = null; } }
        else if (para === null) para = starts[n]; }
      if (para !== null) html += `<span class="pa">${marked(para, lineEnd(last))}</span>`;
      const no = s.line0 ? s.line0 + first : null, side = margin.get(first) || "";
      parts.push(`<div class="ck${side ? " cued" : ""}"${no !== null ? ` data-line="${no}"` : ""}><span class="no">${side && no !== null ? no : ""}</span>` +
        `<span class="tx">${html}</span><span class="mg">${side}</span></div>`); });
    parts.push("</div></article>");
  }
  bookPages.innerHTML = parts.join("");
  for (const a of bookPages.querySelectorAll("a.flag")) flagOf[+a.dataset.k] = a;
  for (const m of bookPages.querySelectorAll("mark.go")) (goWordsOf[+m.dataset.k] ||= []).push(m);
  bookPages.addEventListener("click", e => { const a = e.target.closest("a.flag, mark.go"); if (!a) return;
    e.preventDefault(); showCue(+a.dataset.k); });
}
let bookCurrent = -1;
// The book follows the show: the current cue's flag and GO words lit, and scrolled into view when out of it.
function renderBook(k) {
  if (k === bookCurrent) return;
  for (const e of [flagOf[bookCurrent], ...(goWordsOf[bookCurrent] || [])]) if (e) e.classList.remove("current");
  bookCurrent = k;
  const flag = flagOf[k]; if (!flag) return;
  for (const e of [flag, ...(goWordsOf[k] || [])]) e.classList.add("current");
  if (!document.getElementById("book-follow").checked) return;
  const line = flag.closest(".ck"), box = bookPages.getBoundingClientRect(), r = line.getBoundingClientRect();
  if (r.top < box.top + 20 || r.bottom > box.bottom - 20) bookPages.scrollTop += r.top - box.top - box.height / 3;
}
