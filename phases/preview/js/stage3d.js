// ---- the 3D stage on the page: its canvas, its camera (orbit, pan, zoom and the three views), and the moment it
// shows. The drawing (stage3d_view.js, three.js) runs in a worker on an OffscreenCanvas, so the page never waits for a
// software-WebGL frame: GO, Back and the flags are answered at once and the stage catches up at its next frame. A
// browser without OffscreenCanvas gets the same drawing on the page. It starts once the rest of the page is up. ----
const STAGE3D = (() => {
  const box = document.getElementById("stage3d-view"), note = document.getElementById("stage3d-note"), S = DATA.stage3d;
  const api = { ok: false, reason: "loading", frames: 0, worker: false, moving() {}, view() {}, update() {}, busy: () => false,
    project: () => null, beams: () => ({}), sample: async () => null, settled: async () => false };
  let markReady;
  api.ready = new Promise(done => { markReady = done; });
  function unavailable(reason) { api.ok = false; api.reason = reason; box.classList.add("off");
    if (canvas) canvas.remove();
    note.textContent = `3D stage unavailable: ${reason} The stage plan, magic sheet, prompt book and cue list still follow the cues.`;
    markReady(false); }
  note.textContent = "loading the 3D stage...";

  // Rig metres (x stage left -, y upstage +, z up) as three.js has them: (-x, z, -y).
  const V = p => [-p[0], p[2], -p[1]];
  const sub = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]], dot = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const cross = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const unit = a => { const n = Math.hypot(...a) || 1; return a.map(v => v / n); };
  // The camera, in three.js's axes: where it is, what it looks at, its vertical field of view.
  let eye = V(S.cameras.audience.eye), look = V(S.cameras.audience.look), fov = S.cameras.audience.fov;
  let canvas = null, send = () => {}, scale = 1, seq = 0, drawn = 0, shown = 0, waiting = [], samples = new Map(), sampleId = 0, momentNow = null;
  const spots = new Map();  // mover index -> where its beam goes now
  // Where a point of the stage (rig metres) is on screen, in CSS pixels of the page's viewport (three.js's lookAt and
  // perspective, worked out here so that the page needs no WebGL to answer).
  function project(p) { if (!canvas) return null;
    const r = canvas.getBoundingClientRect(), z = unit(sub(eye, look)), x = unit(cross([0, 1, 0], z)), y = cross(z, x), d = sub(V(p), eye);
    const depth = -dot(d, z), f = Math.tan(fov * Math.PI / 360), nx = dot(d, x) / depth / (f * r.width / r.height), ny = dot(d, y) / depth / f;
    return { x: r.left + (nx + 1) / 2 * r.width, y: r.top + (1 - ny) / 2 * r.height, inside: depth > 0 && Math.abs(nx) <= 1 && Math.abs(ny) <= 1 }; }
  function sendCamera() { send({ type: "camera", eye: [-eye[0], -eye[2], eye[1]], look: [-look[0], -look[2], look[1]], fov }); }
  function view(name) { const c = S.cameras[name]; if (!c) return;
    eye = V(c.eye); look = V(c.look); fov = c.fov; sendCamera();
    document.querySelectorAll("#stage3d-views button").forEach(b => b.classList.toggle("on", b.dataset.view === name)); }
  function sizeNow() { if (!canvas) return; const w = Math.max(200, Math.round(box.clientWidth)), h = Math.round(w * 9 / 16);
    canvas.style.width = w + "px"; canvas.style.height = h + "px"; send({ type: "size", width: w, height: h, scale }); }
  // While the show plays or the view moves: fewer pixels, so that software WebGL keeps up; full resolution at rest.
  function moving(on) { const now = on ? S.moving_scale : 1; if (now === scale) return; scale = now; sizeNow(); }
  // The moment on stage: each fixture's level and colour, and for a mover where its pan and tilt send its beam.
  function momentMessage(m) {
    const out = { level: m.level, rgb: m.rgb, spots: {} };
    for (const i of MOVER_AT) { const key = m.pan[i] + "/" + m.tilt[i];
      let spot = spots.get(i); if (!spot || spot.key !== key) { spot = { key, ...beamLanding(i, m.pan[i], m.tilt[i]) }; spots.set(i, spot); }
      out.spots[i] = { from: spot.from, to: spot.to, surface: spot.surface }; }
    return out; }
  function update(m) { momentNow = m; const message = momentMessage(m); if (api.ok) send({ type: "moment", seq: ++seq, ...message }); }
  // Resolves once the stage has drawn everything sent to it so far and handed it to the screen (the tests wait for it;
  // the page never does).
  function settled() { if (!api.ok || shown >= seq) return Promise.resolve(api.ok); return new Promise(done => waiting.push([seq, done])); }
  function sample(points, at) { if (!api.ok) return Promise.resolve(null);
    const id = ++sampleId, message = at ? { type: "moment+sample", moment: momentMessage(at), restore: momentMessage(momentNow) } : { type: "sample" };
    return new Promise(done => { samples.set(id, done); send({ ...message, id, points }); }); }
  function heard(msg) {
    if (msg.type === "ready") {
      if (api.worker && !pageHasWebGL()) { stop(); return unavailable(NO_WEBGL); }
      api.ok = true; api.reason = ""; api.revision = msg.revision; note.textContent = S.note;
      if (momentNow) update(momentNow); settled().then(() => markReady(true)); }
    else if (msg.type === "failed") unavailable(msg.reason);
    else if (msg.type === "drawn") { drawn = msg.seq; api.frames = msg.frames; }
    else if (msg.type === "shown") { shown = msg.seq;  // and a frame of the page's own after it, to be on screen
      waiting = waiting.filter(([n, done]) => (n <= shown ? (requestAnimationFrame(() => done(true)), false) : true)); }
    else if (msg.type === "sample") { const done = samples.get(msg.id); samples.delete(msg.id); if (done) done(msg.colours); } }
  // The browser's own answer too (asked once the worker has started, so that it holds nothing up): a worker's canvas
  // may be given WebGL where the page's has it switched off, and the page honours the switch.
  const NO_WEBGL = "this browser gives the page no WebGL (it may be switched off, or its graphics driver blocked).";
  function pageHasWebGL() { const gl = document.createElement("canvas").getContext("webgl2") || document.createElement("canvas").getContext("webgl");
    if (gl) gl.getExtension("WEBGL_lose_context")?.loseContext(); return !!gl; }
  let stop = () => {};
  // Orbit (drag), pan (right-drag or shift-drag) and zoom (wheel) about the point looked at, as three.js's OrbitControls do.
  function orbit() {
    let drag = null;
    canvas.addEventListener("contextmenu", e => e.preventDefault());
    canvas.addEventListener("pointerdown", e => { drag = { x: e.clientX, y: e.clientY, pan: e.button === 2 || e.shiftKey }; canvas.setPointerCapture(e.pointerId); moving(true); });
    canvas.addEventListener("pointermove", e => { if (!drag) return; const dx = e.clientX - drag.x, dy = e.clientY - drag.y, h = canvas.clientHeight;
      drag.x = e.clientX; drag.y = e.clientY; const offset = sub(eye, look), radius = Math.hypot(...offset);
      if (drag.pan) { const z = unit(offset), x = unit(cross([0, 1, 0], z)), y = cross(z, x), k = 2 * radius * Math.tan(fov * Math.PI / 360) / h;
        for (let c = 0; c < 3; c++) { const move = -dx * k * x[c] + dy * k * y[c]; eye[c] += move; look[c] += move; } }
      else { let theta = Math.atan2(offset[0], offset[2]) - 2 * Math.PI * dx / h, phi = Math.acos(Math.max(-1, Math.min(1, offset[1] / radius))) - 2 * Math.PI * dy / h;
        phi = Math.max(0.05, Math.min(Math.PI - 0.05, phi));
        eye = [look[0] + radius * Math.sin(phi) * Math.sin(theta), look[1] + radius * Math.cos(phi), look[2] + radius * Math.sin(phi) * Math.cos(theta)]; }
      sendCamera(); });
    const end = () => { if (drag) { drag = null; moving(false); } };
    canvas.addEventListener("pointerup", end); canvas.addEventListener("pointercancel", end);
    canvas.addEventListener("wheel", e => { e.preventDefault(); const offset = sub(eye, look), radius = Math.hypot(...offset);
      const k = Math.max(1, Math.min(60, radius * Math.pow(0.95, -Math.sign(e.deltaY)))) / radius;
      eye = look.map((v, c) => v + offset[c] * k); sendCamera(); }, { passive: false });
  }
  api.start = () => {
    const source = document.getElementById("three-src");
    if (!source || !source.textContent.trim()) return unavailable("this page was made without the 3D library (run `make setup`, which builds it, then plan again).");
    canvas = document.createElement("canvas"); canvas.id = "stage3d-canvas"; box.appendChild(canvas);
    const w = Math.max(200, Math.round(box.clientWidth)), h = Math.round(w * 9 / 16);
    canvas.style.width = w + "px"; canvas.style.height = h + "px";
    const c = S.cameras.audience, init = { type: "init", S, stage: DATA.stage, width: w, height: h, scale,
      camera: { eye: c.eye, look: c.look, fov: c.fov },
      fixtures: FIXTURES.map(f => ({ id: f.id, p3: f.p3, mover: PLAY.movers[f.id] ? { angle: (S.mover_beam[f.type] ?? S.mover_beam.default) * Math.PI / 360 } : null })) };
    orbit();
    for (const b of document.querySelectorAll("#stage3d-views button")) b.addEventListener("click", () => view(b.dataset.view));
    window.addEventListener("resize", sizeNow);
    document.querySelector('#stage3d-views button[data-view="audience"]').classList.add("on");
    if (typeof OffscreenCanvas === "function" && canvas.transferControlToOffscreen && typeof Worker === "function") {
      try {  // the drawing in a worker: three.js and stage3d_view.js, from the page's own text (no file, no network)
        const code = `${source.textContent}\n${cueflowStageView.toString()}\nlet view = null;\n` +
          "onmessage = e => { if (e.data.type === 'init') { const { canvas, ...init } = e.data; " +
          "view = cueflowStageView(CueflowThree, canvas, init, m => postMessage(m)); } else if (view) view(e.data); };";
        const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" })), worker = new Worker(url);
        const offscreen = canvas.transferControlToOffscreen();
        worker.onmessage = e => heard(e.data);
        worker.onerror = e => { e.preventDefault(); unavailable(`it failed to start (${e.message || "the worker stopped"}).`); };
        send = m => worker.postMessage(m); stop = () => { worker.terminate(); send = () => {}; };
        worker.postMessage({ ...init, canvas: offscreen }, [offscreen]);
        api.worker = true;
        return;
      } catch (error) { canvas.remove(); canvas = document.createElement("canvas"); canvas.id = "stage3d-canvas"; box.appendChild(canvas);
        canvas.style.width = w + "px"; canvas.style.height = h + "px"; orbit(); }
    }
    // no worker: the same drawing on the page, its library parsed only now
    setTimeout(() => { try {
      const script = document.createElement("script"); script.textContent = source.textContent; document.head.appendChild(script);
      if (!window.CueflowThree) return unavailable("the 3D library did not load.");
      let view = null; send = m => view && view(m);
      view = cueflowStageView(window.CueflowThree, canvas, init, m => setTimeout(() => heard(m), 0));
    } catch (error) { unavailable(`it failed to start (${error.message}).`); } }, 0);
  };
  Object.assign(api, { update, view, moving, project, settled, busy: () => api.ok && drawn < seq, beams: () => Object.fromEntries([...spots].map(([i, s]) => [FIXTURES[i].id, { to: s.to, surface: s.surface }])),
    sample: points => sample(points), sampleAt: (m, points) => sample(points, m) });
  return api;
})();
