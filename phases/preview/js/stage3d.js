// ---- the 3D stage (three.js, inlined): the rig at its positions, beams as cones of the cue's colour and level, pools
// where each fixture is focused, the cyc lit by its wash. It draws from fixtureLevels(t), the numbers the tests hold
// to Phase 8's renderer. Rig metres (x stage left -, y upstage +, z up) map to three.js as (-x, z, -y), so from the
// house stage left is on the right.
// It starts after the rest of the page is up, a step at a time so that clicks are answered in between, and draws at a
// lower resolution while the show plays or the view moves, at full resolution when it stands still. ----
const STAGE3D = (() => {
  const box = document.getElementById("stage3d-view"), note = document.getElementById("stage3d-note"), S = DATA.stage3d;
  const api = { ok: false, reason: "loading", frames: 0, update() {}, draw() {}, moving() {}, view() {}, project: () => null };
  let markReady;
  api.ready = new Promise(done => { markReady = done; });
  function unavailable(reason) { api.ok = false; api.reason = reason; box.classList.add("off");
    note.textContent = `3D stage unavailable: ${reason} The stage plan, magic sheet, prompt book and cue list still follow the cues.`;
    markReady(false); return api; }
  note.textContent = "loading the 3D stage...";
  let levelsNow = null;
  api.update = levels => { levelsNow = levels; };
  const steps = [];
  const later = fn => steps.push(fn);
  api.start = () => new Promise(done => { (function next() { if (!steps.length || api.reason !== "loading" && !api.ok) return done();
    try { steps.shift()(); } catch (error) { unavailable(`it failed to start (${error.message}).`); return done(); }
    setTimeout(next, 0); })(); });

  let T, renderer, canvas, scene, camera, controls, lights, V, pixelScale = 1, dirty = true, pending = false;
  later(() => {  // the library: parsed only now, so that opening the page does not wait for it
    const source = document.getElementById("three-src");
    if (!source || !source.textContent.trim()) { unavailable("this page was made without the 3D library (run `make setup`, which builds it, then plan again)."); return; }
    const script = document.createElement("script"); script.textContent = source.textContent; document.head.appendChild(script);
    T = window.CueflowThree;
    if (!T) unavailable("the 3D library did not load.");
  });
  later(() => {  // a WebGL context
    canvas = document.createElement("canvas"); canvas.id = "stage3d-canvas";
    const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
    if (!gl) { unavailable("this browser gives the page no WebGL (it may be switched off, or its graphics driver blocked)."); return; }
    try { renderer = new T.WebGLRenderer({ canvas, context: gl, antialias: false, powerPreference: "low-power" }); }
    catch (error) { unavailable(`this browser's WebGL would not start (${error.message}).`); return; }
    box.appendChild(canvas);
    canvas.addEventListener("webglcontextlost", e => { e.preventDefault(); unavailable("the browser took the page's WebGL context away."); });
  });
  later(() => { V = (p, dz = 0) => new T.Vector3(-p[0], p[2] + dz, -p[1]); buildRoom(); lights = FIXTURES.map(buildLight); buildRigging(); });
  later(() => {
    camera = new T.PerspectiveCamera(S.cameras.audience.fov, 16 / 9, 0.1, 300);
    controls = new T.OrbitControls(camera, canvas);
    controls.enableDamping = false; controls.maxDistance = 60; controls.screenSpacePanning = true;
    controls.addEventListener("start", () => api.moving(true));
    controls.addEventListener("end", () => api.moving(false));
    controls.addEventListener("change", () => { dirty = true; requestDraw(); });
    resize(); view("audience");
    // Compile every shader now, with every beam and pool shown, rather than on the first frame a beam comes on.
    for (const l of lights) l.cone.visible = l.pool.visible = true;
    renderer.compile(scene, camera);
    for (const l of lights) l.cone.visible = l.pool.visible = false;
  });
  later(() => {
    api.ok = true; api.reason = ""; api.revision = T.REVISION; note.textContent = S.note;
    api.update = update; api.draw = draw; api.view = view; api.project = project; api.moving = moving; api.sample = sample;
    for (const b of document.querySelectorAll("#stage3d-views button")) b.addEventListener("click", () => view(b.dataset.view));
    window.addEventListener("resize", () => { resize(); requestDraw(); });
    if (levelsNow) update(levelsNow);
    draw(); markReady(true);
  });

  const basic = colour => new T.MeshBasicMaterial({ color: new T.Color(colour) });
  const add = (geometry, material, at, parent = scene) => { const m = new T.Mesh(geometry, material); if (at) m.position.copy(at); parent.add(m); return m; };
  function buildRoom() {  // stage floor, cyc, proscenium, the house floor
    scene = new T.Scene(); scene.background = new T.Color(S.colours.background);
    const st = DATA.stage, width = st.right - st.left, depth = st.depth, wide = width + 2 * S.wings;
    add(new T.PlaneGeometry(wide, depth + S.apron), basic(S.colours.floor), V([0, (depth - S.apron) / 2, 0])).rotation.x = -Math.PI / 2;
    add(new T.PlaneGeometry(wide, S.cyc.height), basic(S.colours.cyc), V([0, S.cyc.y, S.cyc.height / 2]));
    const prosMat = basic(S.colours.proscenium), pw = S.proscenium.width, ph = S.proscenium.height, leg = S.proscenium.leg;
    for (const side of [-1, 1]) add(new T.BoxGeometry(leg, ph + leg, 0.3), prosMat, V([side * (pw + leg) / 2, 0, (ph + leg) / 2]));
    add(new T.BoxGeometry(pw + 2 * leg, leg, 0.3), prosMat, V([0, 0, ph + leg / 2]));
    add(new T.PlaneGeometry(wide + 4, S.house.depth), basic(S.colours.house), V([0, -S.apron - S.house.depth / 2, -S.house.drop])).rotation.x = -Math.PI / 2;
    add(new T.BoxGeometry(wide, S.house.drop + 0.02, 0.04), basic(S.colours.stage_edge), V([0, -S.apron, -S.house.drop / 2]));
  }
  let soft, hard, coneShader;
  function poolTexture(core) {  // a beam's pool: soft-edged for a wash, hard for a profile's shutters
    const c = document.createElement("canvas"); c.width = c.height = 128; const g = c.getContext("2d");
    const r = g.createRadialGradient(64, 64, 0, 64, 64, 64);
    r.addColorStop(0, "#fff"); r.addColorStop(core, "rgba(255,255,255,0.82)"); r.addColorStop(1, "rgba(255,255,255,0)");
    g.fillStyle = r; g.fillRect(0, 0, 128, 128); return new T.CanvasTexture(c);
  }
  // A beam in haze: brighter where the eye looks through more of it (its axis) and nearer the lens.
  const coneMaterial = () => new T.ShaderMaterial({
    uniforms: { colour: { value: new T.Color(0, 0, 0) } }, transparent: true, depthWrite: false, blending: T.AdditiveBlending,
    vertexShader: `varying float vAlong; varying float vFacing;
      void main() { vAlong = uv.y; vec4 p = modelViewMatrix * vec4(position, 1.0);
        vFacing = abs(dot(normalize(normalMatrix * normal), normalize(-p.xyz))); gl_Position = projectionMatrix * p; }`,
    fragmentShader: `uniform vec3 colour; varying float vAlong; varying float vFacing;
      void main() { gl_FragColor = vec4(colour * (vFacing * vFacing * (0.3 + 0.7 * vAlong)), 1.0);
        #include <colorspace_fragment>
      }`,
  });
  function buildLight(f) {
    soft ||= poolTexture(S.pool_core.soft); hard ||= poolTexture(S.pool_core.hard);
    const p = f.p3, from = V(p.pos), to = V(p.aim);
    const body = new T.Group(); body.position.copy(from); scene.add(body); body.lookAt(to);
    add(new T.BoxGeometry(0.22, 0.22, 0.34), basic(S.colours.fixture), null, body);
    const lens = add(new T.CylinderGeometry(0.09, 0.09, 0.02, 12), new T.MeshBasicMaterial({ color: 0 }), new T.Vector3(0, 0, 0.18), body);
    lens.rotation.x = Math.PI / 2;
    const length = from.distanceTo(to), radius = Math.max(0.05, Math.min(p.rx, p.ry) * S.cone_fill);
    const coneMat = coneMaterial();
    const cone = add(new T.CylinderGeometry(0.07, radius, length, 20, 1, true), coneMat, from.clone().add(to).multiplyScalar(0.5));
    cone.quaternion.setFromUnitVectors(new T.Vector3(0, 1, 0), from.clone().sub(to).normalize());
    const poolMat = new T.MeshBasicMaterial({ color: 0, map: p.hard ? hard : soft, transparent: true, depthWrite: false, blending: T.AdditiveBlending });
    const pool = add(new T.PlaneGeometry(2 * p.rx, 2 * p.ry), poolMat, V(p.aim, p.surface === "cyc" ? 0 : 0.004));
    if (p.surface === "cyc") pool.position.z += 0.01; else pool.rotation.x = -Math.PI / 2;
    cone.visible = pool.visible = false;
    const haze = S.haze * (p.pos[1] < 0 ? S.house_haze : 1);
    return { f, cone, coneMat, pool, poolMat, lensMat: lens.material, gain: S.pool_gain[p.surface] ?? 1, haze, key: "" };
  }
  function buildRigging() {  // the bars and booms the fixtures hang on
    const rows = new Map(), columns = new Map(), pipe = basic(S.colours.pipe);
    for (const f of FIXTURES) { const p = f.p3.pos;
      if (p[2] >= S.flown_z) { const k = `${p[1].toFixed(1)}/${p[2].toFixed(1)}`; (rows.get(k) || rows.set(k, []).get(k)).push(p); }
      else { const k = `${p[0].toFixed(1)}/${p[1].toFixed(1)}`; columns.set(k, Math.max(columns.get(k) ?? 0, p[2])); } }
    for (const row of rows.values()) if (row.length > 1) { const xs = row.map(p => p[0]), lo = Math.min(...xs) - 0.4, hi = Math.max(...xs) + 0.4;
      add(new T.CylinderGeometry(0.025, 0.025, hi - lo, 6), pipe, V([(lo + hi) / 2, row[0][1], row[0][2] + 0.2])).rotation.z = Math.PI / 2; }
    for (const [k, top] of columns) { const [x, y] = k.split("/").map(Number);
      add(new T.CylinderGeometry(0.03, 0.03, top + 0.4, 6), pipe, V([x, y, (top + 0.4) / 2])); }
  }

  function view(name) { const c = S.cameras[name]; if (!c) return;
    camera.fov = c.fov; camera.position.copy(V(c.eye)); controls.target.copy(V(c.look)); camera.updateProjectionMatrix(); controls.update();
    document.querySelectorAll("#stage3d-views button").forEach(b => b.classList.toggle("on", b.dataset.view === name));
    dirty = true; requestDraw(); }
  function requestDraw() { if (pending) return; pending = true; requestAnimationFrame(() => { pending = false; draw(); }); }
  function resize() { const w = Math.max(200, Math.round(box.clientWidth)), h = Math.round(w * 9 / 16);
    renderer.setPixelRatio(pixelScale); renderer.setSize(w, h, false); canvas.style.width = w + "px"; canvas.style.height = h + "px";
    camera.aspect = w / h; camera.updateProjectionMatrix(); dirty = true; }
  // While the show plays or the view moves: fewer pixels, so the fades run smoothly in software rendering.
  function moving(on) { const scale = on ? S.moving_scale : 1; if (scale === pixelScale) return;
    pixelScale = scale; resize(); requestDraw(); }
  const colour = () => new T.Color();
  let tmp;
  function update(levels) {
    tmp ||= colour();
    for (const l of lights) { const s = levels[l.f.id], key = s.level.toFixed(4) + s.rgb.map(v => v.toFixed(1)).join(",");
      if (key === l.key) continue; l.key = key; dirty = true;
      const on = s.level > 0.002;
      l.pool.visible = on; l.cone.visible = on && s.level * l.haze > 0.002;
      tmp.setRGB(s.rgb[0] / 255, s.rgb[1] / 255, s.rgb[2] / 255, T.SRGBColorSpace);
      l.coneMat.uniforms.colour.value.copy(tmp).multiplyScalar(s.level * l.haze);
      l.poolMat.color.copy(tmp).multiplyScalar(s.level * l.gain);
      if (on) l.lensMat.color.copy(tmp).multiplyScalar(Math.min(1, 0.15 + s.level)); else l.lensMat.color.setRGB(0.03, 0.03, 0.03); }
  }
  // The colours drawn at points of the stage (rig metres), read back from a frame drawn now: for the tests.
  function sample(points) { renderer.render(scene, camera); const gl = renderer.getContext(), px = new Uint8Array(4);
    const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
    return points.map(p => { const v = V(p).project(camera), x = Math.round((v.x + 1) / 2 * (w - 1)), y = Math.round((v.y + 1) / 2 * (h - 1));
      gl.readPixels(x, y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); return [px[0], px[1], px[2]]; }); }
  function draw() { if (!dirty) return; dirty = false; renderer.render(scene, camera); api.frames++; }
  // Where a point of the stage (rig metres) is on screen, in CSS pixels of the page's viewport.
  function project(p) { const v = V(p).project(camera), r = canvas.getBoundingClientRect();
    return { x: r.left + (v.x + 1) / 2 * r.width, y: r.top + (1 - v.y) / 2 * r.height, inside: Math.abs(v.x) <= 1 && Math.abs(v.y) <= 1 }; }
  return api;
})();
