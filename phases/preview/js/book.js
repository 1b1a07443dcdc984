// ---- the prompt book: the script scene by scene, each cue's flag in the margin at its GO word, the standbys, act,
// scene, page and line references: all as the stage manager's cue sheet has them (phases/preview/book.py reads them
// with the cue sheet's own code) ----
const BOOK = DATA.book;
const bookPages = document.getElementById("book-pages");
const flagOf = [];  // cue index -> its flag element
const goWordsOf = [];  // cue index -> the <mark> elements of its GO word
function cueTime(c) { const kinds = new Set(Object.values(c.groups).map(g => g.t));
  return kinds.size === 1 && kinds.has("cut") ? "cut" : `${+c.fade.toFixed(1)} s`; }
function flagHtml(f) { const k = f.cue, c = cues[k], follow = c.called.kind === "follow";
  const idle = NO_CHANGE[k] ? " idle" : "", where = [f.page ? `p. ${f.page}` : "", f.line ? `l. ${f.line}` : ""].filter(Boolean).join(" ");
  const title = [where, f.word ? `GO on "${f.word}"` : "", NO_CHANGE[k] ? "changes nothing the audience can see" : ""].filter(Boolean).join(", ");
  return `<a class="flag${idle}" data-k="${k}" data-cue="${esc(cueNumber(c.n))}" data-page="${f.page ?? ""}" data-line="${f.line ?? ""}" ` +
    `data-word="${esc(f.word)}" title="${esc(title)}" href="#" role="button">` +
    `<b>LX ${esc(cueNumber(c.n))}</b><span class="lbl">${esc(c.label)}</span>` +
    `<i>${follow ? "F " + esc(c.called.wait) + " s, " : ""}${esc(cueTime(c))}${NO_CHANGE[k] ? ", no change" : ""}</i></a>`; }
function standbyHtml(sb) { const where = [sb.page ? `p. ${sb.page}` : "", sb.line ? `l. ${sb.line}` : ""].filter(Boolean).join(" ");
  return `<span class="stby" data-k="${sb.cue}" data-page="${sb.page ?? ""}" data-line="${sb.line ?? ""}" title="${esc(where)}">${esc(sb.text)}</span>`; }
{
  let lastAct = null;
  const parts = [];
  for (const s of BOOK) {
    const scene = scenes[sceneIndex[s.id]] || {}, text = s.text;
    const actBreak = s.act !== null && s.act !== lastAct; lastAct = s.act ?? lastAct;
    const where = [scene.time_of_day, scene.location].filter(Boolean).join(", ");
    const pages = s.pages.length ? s.pages[0].page + (s.pages.length > 1 ? `-${s.pages[s.pages.length - 1].page}` : "") : "";
    const refs = s.line0 ? ` <small>${pages ? `${s.pages.length > 1 ? "pp." : "p."} ${pages}, ` : ""}lines ${s.line0}-${s.line0 + text.split("\n").length - 1}</small>` : "";
    parts.push(`<article class="scene${actBreak ? " act-start" : ""}" data-scene="${esc(s.id)}" data-act="${s.act ?? ""}" data-heading="${esc(s.heading)}">` +
      (actBreak ? `<h3 class="act">Act ${esc(s.act)}</h3>` : "") +
      `<h4>${esc(s.heading)}${refs}${where ? ` <span class="where">${esc(where)}</span>` : ""}</h4><div class="text">`);
    // the text in chunks that each start at a line with something in the margin (a flag, a standby, a new page), so
    // the margin sits level with its line; inside a chunk, paragraphs where the text has blank lines
    const margin = new Map(), addTo = (line, html) => margin.set(line, (margin.get(line) || "") + html);
    const starts = [0]; for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
    const lineOf = at => bisectRight(starts, at) - 1, lineEnd = n => n + 1 < starts.length ? starts[n + 1] - 1 : text.length;
    for (const pg of s.pages) addTo(lineOf(pg.at), `<span class="pg" data-page="${pg.page}">p. ${pg.page}</span>`);
    for (const sb of s.standbys) addTo(lineOf(sb.at), standbyHtml(sb));
    for (const f of s.flags) addTo(lineOf(f.at), flagHtml(f));
    // each GO word marked once, for every cue called on it (a scene's opening and the direction at its top may share one)
    const marks = [];
    for (const f of s.flags) if (f.end > f.at) { const same = marks.find(m => m.at === f.at && m.end === f.end);
      if (same) same.cues.push(f.cue); else marks.push({ at: f.at, end: f.end, cues: [f.cue] }); }
    marks.sort((a, b) => a.at - b.at);
    const marked = (a, b) => { let body = "", pos = a;
      for (const m of marks) { const x = Math.max(m.at, pos), y = Math.min(m.end, b); if (y <= x) continue;
        body += esc(text.slice(pos, x)) + `<mark class="go" data-k="${m.cues[0]}" data-ks="${m.cues.join(" ")}">${esc(text.slice(x, y))}</mark>`; pos = y; }
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
  for (const m of bookPages.querySelectorAll("mark.go")) for (const k of m.dataset.ks.split(" ")) (goWordsOf[+k] ||= []).push(m);
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
  // Scenes off screen are laid out only when scrolled to (content-visibility), at a guessed height: lay out this one
  // and the one above it first, so the scroll lands where the flag really is; then check again once drawn.
  const article = flag.closest("article");
  for (const a of [article.previousElementSibling, article]) if (a) a.style.contentVisibility = "visible";
  follow(flag);
  requestAnimationFrame(() => { if (flagOf[bookCurrent] === flag) follow(flag); });
}
function follow(flag) {
  const line = flag.closest(".ck"), box = bookPages.getBoundingClientRect(), r = line.getBoundingClientRect();
  if (r.top < box.top + 20 || r.bottom > box.bottom - 20) bookPages.scrollTop += r.top - box.top - box.height / 3;
}
