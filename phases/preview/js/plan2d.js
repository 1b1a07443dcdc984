// ---- the stage plan from above, as a ground plan is drawn: the audience at the bottom, so stage left (x < 0) is on
// the right; svg x = -stage x, svg y = -stage y ----
const svg = document.getElementById("plan"), NS = "http://www.w3.org/2000/svg";
function el(tag, attrs, parent) { const e = document.createElementNS(NS, tag); for (const k in attrs) e.setAttribute(k, attrs[k]); if (parent) parent.appendChild(e); return e; }
const fixtureNodes = [];
{
  const st = DATA.stage, fx = FIXTURES;
  const minX = Math.min(-st.right, ...fx.map(f => -f.x)) - 1.1, maxX = Math.max(-st.left, ...fx.map(f => -f.x)) + 1.1;
  const minY = Math.min(-st.depth, ...fx.map(f => -f.y)) - 0.9, maxY = Math.max(1, ...fx.map(f => -f.y)) + 1.0;
  svg.setAttribute("viewBox", `${minX} ${minY} ${maxX - minX} ${maxY - minY}`);
  const defs = el("defs", {}, svg);
  el("rect", { x:minX, y:0, width:maxX - minX, height:maxY, fill:"#12161c" }, svg);
  el("rect", { x:-st.right, y:-st.depth, width:st.right - st.left, height:st.depth, fill:"#07080a", stroke:"#3d444d", "stroke-width":0.04 }, svg);
  const pools = el("g", { style:"mix-blend-mode:screen" }, el("g", { style:"isolation:isolate" }, svg));
  const text = (x, y, s, size, fill, anchor = "middle") => { const t = el("text", { x, y, fill, "font-size":size, "text-anchor":anchor, "font-family":"system-ui, sans-serif" }, svg); t.textContent = s; return t; };
  el("line", { x1:-st.right - 0.3, y1:0, x2:-st.left + 0.3, y2:0, stroke:"#8b949e", "stroke-width":0.05, "stroke-dasharray":"0.25 0.15" }, svg);
  text(-st.left + 0.3, 0.42, "setting line", 0.3, "#8b949e", "end");
  text(-st.right + 0.12, -st.depth + 0.38, "cyc", 0.3, "#6e7681", "start");
  text(0, maxY - 0.3, "AUDIENCE", 0.36, "#6e7681");
  for (const [name, a] of Object.entries(DATA.plan_labels)) text(-a[0], -a[1], name, 0.28, "#484f58");
  const seen = new Set();
  fx.forEach((f, n) => {
    let x = -f.x, y = -f.y; while (seen.has(`${x.toFixed(1)},${y.toFixed(1)}`)) y += 0.62; seen.add(`${x.toFixed(1)},${y.toFixed(1)}`);
    const grad = el("radialGradient", { id:"pool" + n }, defs);
    const s0 = el("stop", { offset:"0%", "stop-color":"#000", "stop-opacity":0.95 }, grad);
    const s1 = el("stop", { offset:"55%", "stop-color":"#000", "stop-opacity":0.55 }, grad);
    const s2 = el("stop", { offset:"100%", "stop-color":"#000", "stop-opacity":0 }, grad);
    const pool = el("ellipse", { cx:-f.pool.x, cy:-f.pool.y, rx:f.pool.rx, ry:f.pool.ry, fill:`url(#pool${n})` }, pools);
    const beam = el("line", { x1:x, y1:y, x2:-f.pool.x, y2:-f.pool.y, stroke:"#000", "stroke-width":0.05, opacity:0 }, svg);
    const body = el("circle", { cx:x, cy:y, r:0.27, fill:"#000", stroke:groupColour(f.group), "stroke-width":0.06, "data-fixture-id":f.id, "data-group":f.group }, svg);
    const title = el("title", {}, body); title.textContent = `${f.n ?? ""} ${f.id} (${f.group}, ${f.type})`.trim();
    fixtureNodes.push({ f, body, beam, pool, stops:[s0, s1, s2], mover: !!PLAY.movers[f.id] });
  });
}
function renderPlan(m) {
  for (const n of fixtureNodes) {
    const i = n.f.i, rgb = fixtureColour(i, m), css = `rgb(${rgb[0]}, ${rgb[1]}, ${rgb[2]})`;
    if (n.mover && n.aim !== m.pan[i] + "/" + m.tilt[i]) {  // a mover's pool where its pan and tilt land it
      n.aim = m.pan[i] + "/" + m.tilt[i]; const to = beamLanding(i, m.pan[i], m.tilt[i]).to;
      n.pool.setAttribute("cx", -to[0]); n.pool.setAttribute("cy", -to[1]); n.beam.setAttribute("x2", -to[0]); n.beam.setAttribute("y2", -to[1]); }
    if (n.css === css) continue;  // unchanged since the last frame: leave the DOM alone
    n.css = css; n.body.setAttribute("fill", css); n.body.dataset.rgb = rgb.join(",");
    for (const s of n.stops) s.setAttribute("stop-color", css);
    n.beam.setAttribute("stroke", css); n.beam.setAttribute("opacity", (0.6 * Math.min(1, m.level[i])).toFixed(2));
  }
}
