// ---- the 3D stage (three.js, inlined): the rig at its positions, beams as cones of the cue's colour and level, pools
// where each fixture is focused, the cyc lit by its wash. It draws from fixtureLevels(t), the numbers the tests hold
// to Phase 8's renderer. Rig metres (x stage left -, y upstage +, z up) map to three.js as (-x, z, -y), so from the
// house stage left is on the right.
// It starts after the rest of the page is up, a step at a time so that clicks are answered in between, and draws at a
// lower resolution while the show plays or the view moves, at full resolution when it stands still. Everything is
// merged into five meshes (five draw calls: software WebGL pays for each); a dark fixture's beam and pool are folded
// away so that they cost nothing to draw. ----
const STAGE3D = (() => {
  const box = document.getElementById("stage3d-view"), note = document.getElementById("stage3d-note"), S = DATA.stage3d;
  const api = { ok: false, reason: "loading", frames: 0, steps: [], update() {}, draw() {}, moving() {}, view() {}, project: () => null };
  let markReady;
  api.ready = new Promise(done => { markReady = done; });
  function unavailable(reason) { api.ok = false; api.reason = reason; box.classList.add("off");
    note.textContent = `3D stage unavailable: ${reason} The stage plan, magic sheet, prompt book and cue list still follow the cues.`;
    markReady(false); return api; }
  note.textContent = "loading the 3D stage...";
  let levelsNow = null;
  api.update = (...args) => { levelsNow = args; };
  const steps = [];
  const later = fn => steps.push(fn);
  api.start = () => new Promise(done => { (function next() { if (!steps.length || api.reason !== "loading" && !api.ok) return done();
    const t0 = performance.now();
    try { steps.shift()(); } catch (error) { unavailable(`it failed to start (${error.message}).`); return done(); }
    api.steps.push(Math.round(performance.now() - t0));
    setTimeout(next, 0); })(); });

  let T, renderer, canvas, scene, camera, controls, lights, lenses, pools, cones, V, pixelScale = 1, dirty = true, pending = false;
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
  later(() => { V = (p, dz = 0) => new T.Vector3(-p[0], p[2] + dz, -p[1]); build(); });
  later(() => {
    camera = new T.PerspectiveCamera(S.cameras.audience.fov, 16 / 9, 0.1, 300);
    controls = new T.OrbitControls(camera, canvas);
    controls.enableDamping = false; controls.maxDistance = 60; controls.screenSpacePanning = true;
    controls.addEventListener("start", () => moving(true));
    controls.addEventListener("end", () => moving(false));
    controls.addEventListener("change", () => { dirty = true; requestDraw(); });
    resize(); view("audience");
    renderer.compile(scene, camera);
  });
  later(() => {
    api.ok = true; api.reason = ""; api.revision = T.REVISION; note.textContent = S.note;
    api.update = update; api.draw = draw; api.view = view; api.project = project; api.moving = moving; api.sample = sample;
    for (const b of document.querySelectorAll("#stage3d-views button")) b.addEventListener("click", () => view(b.dataset.view));
    window.addEventListener("resize", () => { resize(); requestDraw(); });
    if (levelsNow) update(...levelsNow);
    draw(); markReady(true);
  });

  function baked(geometry, matrix, attributes = {}) {  // a part's triangles, placed, with per-vertex attributes
    const g = geometry.index ? geometry.toNonIndexed() : geometry; if (matrix) g.applyMatrix4(matrix);
    const n = g.attributes.position.count, attrs = { position: g.attributes.position.array, normal: g.attributes.normal.array };
    if (g.attributes.uv) attrs.uv = g.attributes.uv.array;
    for (const [name, value] of Object.entries(attributes)) attrs[name] = Float32Array.from({ length: n * value.length }, (_, i) => value[i % value.length]);
    return { n, attrs };
  }
  function merged(parts, sizes) {  // one geometry of all the parts, and where each part's vertices start
    const geometry = new T.BufferGeometry(), total = parts.reduce((a, p) => a + p.n, 0), starts = [];
    for (const [name, size] of Object.entries(sizes)) {
      const array = new Float32Array(total * size); let at = 0;
      for (const p of parts) { array.set(p.attrs[name], at * size); at += p.n; }
      geometry.setAttribute(name, new T.Float32BufferAttribute(array, size)); }
    let at = 0; for (const p of parts) { starts.push(at); at += p.n; }
    return { geometry, starts };
  }
  const linear = hex => { const c = new T.Color(hex); return [c.r, c.g, c.b]; };
  const place = (at, quaternion) => new T.Matrix4().compose(at, quaternion || new T.Quaternion(), new T.Vector3(1, 1, 1));
  const aiming = (from, to) => { const o = new T.Object3D(); o.position.copy(from); o.lookAt(to); o.updateMatrix(); return o.matrix; };
  const COLOURED = `attribute vec3 colour; varying vec3 vC;
    void main() { vC = colour; gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0); }`;
  const FLAT = `varying vec3 vC; void main() { gl_FragColor = vec4(vC, 1.0);
    #include <colorspace_fragment>
    }`;
  const mesh = (geometry, vertexShader, fragmentShader, additive) => { const m = new T.Mesh(geometry, new T.ShaderMaterial(
    { vertexShader, fragmentShader, ...(additive ? { transparent: true, depthWrite: false, blending: T.AdditiveBlending } : {}) }));
    m.frustumCulled = false; scene.add(m); return m; };
  function build() {
    scene = new T.Scene(); scene.background = new T.Color(S.colours.background);
    const st = DATA.stage, width = st.right - st.left, depth = st.depth, wide = width + 2 * S.wings, C = S.colours;
    const flat = new T.Quaternion().setFromAxisAngle(new T.Vector3(1, 0, 0), -Math.PI / 2);
    // the room: stage floor, cyc, proscenium, the house below the stage edge
    const still = [];
    const part = (geometry, at, colour, quaternion) => still.push(baked(geometry, place(at, quaternion), { colour: linear(colour) }));
    part(new T.PlaneGeometry(wide, depth + S.apron), V([0, (depth - S.apron) / 2, 0]), C.floor, flat);
    part(new T.PlaneGeometry(wide, S.cyc.height), V([0, S.cyc.y, S.cyc.height / 2]), C.cyc);
    const pw = S.proscenium.width, ph = S.proscenium.height, leg = S.proscenium.leg;
    for (const side of [-1, 1]) part(new T.BoxGeometry(leg, ph + leg, 0.3), V([side * (pw + leg) / 2, 0, (ph + leg) / 2]), C.proscenium);
    part(new T.BoxGeometry(pw + 2 * leg, leg, 0.3), V([0, 0, ph + leg / 2]), C.proscenium);
    part(new T.PlaneGeometry(wide + 4, S.house.depth), V([0, -S.apron - S.house.depth / 2, -S.house.drop]), C.house, flat);
    part(new T.BoxGeometry(wide, S.house.drop + 0.02, 0.04), V([0, -S.apron, -S.house.drop / 2]), C.stage_edge);
    // the bars (flown fixtures in a row) and booms (fixtures standing one above another) they hang on
    const rows = new Map(), columns = new Map(), across = new T.Quaternion().setFromAxisAngle(new T.Vector3(0, 0, 1), Math.PI / 2);
    for (const f of FIXTURES) { const p = f.p3.pos;
      if (p[2] >= S.flown_z) { const k = `${p[1].toFixed(1)}/${p[2].toFixed(1)}`; (rows.get(k) || rows.set(k, []).get(k)).push(p); }
      else { const k = `${p[0].toFixed(1)}/${p[1].toFixed(1)}`; columns.set(k, Math.max(columns.get(k) ?? 0, p[2])); } }
    for (const row of rows.values()) if (row.length > 1) { const xs = row.map(p => p[0]), lo = Math.min(...xs) - 0.4, hi = Math.max(...xs) + 0.4;
      part(new T.CylinderGeometry(0.025, 0.025, hi - lo, 6), V([(lo + hi) / 2, row[0][1], row[0][2] + 0.2]), C.pipe, across); }
    for (const [k, top] of columns) { const [x, y] = k.split("/").map(Number);
      part(new T.CylinderGeometry(0.03, 0.03, top + 0.4, 6), V([x, y, (top + 0.4) / 2]), C.pipe); }
    // each fixture: a body aimed where its beam lands, a lens, a pool on the floor (or cyc, or house), a beam
    const lensParts = [], poolParts = [], coneParts = [];
    const lensShape = new T.CylinderGeometry(0.09, 0.09, 0.02, 12).applyMatrix4(
      place(new T.Vector3(0, 0, 0.18), new T.Quaternion().setFromAxisAngle(new T.Vector3(1, 0, 0), Math.PI / 2)));
    const landings = [];  // per fixture: where its beam can land (a mover, wherever its cues focus it)
    for (const f of FIXTURES) {
      const mover = DATA.movers[f.id], ways = mover ? mover.landings : [f.p3], from = V(f.p3.pos);
      const aim = aiming(from, V(ways[mover ? mover.cue[0] : 0].aim));
      still.push(baked(new T.BoxGeometry(0.22, 0.22, 0.34), aim, { colour: linear(C.fixture) }));
      lensParts.push(baked(lensShape.clone(), aim, { colour: [0, 0, 0] }));
      landings.push(ways.map(p => {
        const to = V(p.aim), floor = p.surface !== "cyc", at = V(p.aim, floor ? 0.004 : 0); if (!floor) at.z += 0.01;
        poolParts.push(baked(new T.PlaneGeometry(2 * p.rx, 2 * p.ry), place(at, floor ? flat : null),
          { colour: [0, 0, 0], core: [p.hard ? S.pool_core.hard : S.pool_core.soft] }));
        const length = from.distanceTo(to), radius = Math.max(0.05, Math.min(p.rx, p.ry) * S.cone_fill);
        const axis = new T.Quaternion().setFromUnitVectors(new T.Vector3(0, 1, 0), from.clone().sub(to).normalize());
        const cone = baked(new T.CylinderGeometry(0.07, radius, length, 20, 1, true), place(from.clone().add(to).multiplyScalar(0.5), axis), { colour: [0, 0, 0] });
        cone.attrs.along = Float32Array.from({ length: cone.n }, (_, i) => cone.attrs.uv[2 * i + 1]);
        coneParts.push(cone);
        return [poolParts.length - 1, coneParts.length - 1];
      }));
    }
    mesh(merged(still, { position: 3, colour: 3 }).geometry, COLOURED, FLAT, false);
    lenses = merged(lensParts, { position: 3, colour: 3 });
    mesh(lenses.geometry, COLOURED, FLAT, false);
    // a pool: full in its core, falling off to its edge (a wash soft, a profile's shutters hard)
    pools = merged(poolParts, { position: 3, uv: 2, colour: 3, core: 1 });
    mesh(pools.geometry, `attribute vec3 colour; attribute float core; varying vec2 vP; varying vec3 vC; varying float vCore;
      void main() { vP = uv * 2.0 - 1.0; vC = colour; vCore = core; gl_Position = projectionMatrix * modelViewMatrix * vec4(position, 1.0); }`,
      `varying vec2 vP; varying vec3 vC; varying float vCore;
      void main() { float r = length(vP); if (r >= 1.0) discard;
        float a = r < vCore ? mix(1.0, 0.82, r / vCore) : 0.82 * (1.0 - smoothstep(vCore, 1.0, r));
        gl_FragColor = vec4(vC * a, 1.0);
        #include <colorspace_fragment>
      }`, true).renderOrder = 1;
    // a beam in haze: brighter where the eye looks through more of it (along its axis) and nearer the lens
    cones = merged(coneParts, { position: 3, normal: 3, colour: 3, along: 1 });
    mesh(cones.geometry, `attribute vec3 colour; attribute float along; varying vec3 vC; varying float vAlong; varying float vFacing;
      void main() { vAlong = along; vC = colour; vec4 p = modelViewMatrix * vec4(position, 1.0);
        vFacing = abs(dot(normalize(normalMatrix * normal), normalize(-p.xyz))); gl_Position = projectionMatrix * p; }`,
      `varying vec3 vC; varying float vAlong; varying float vFacing;
      void main() { gl_FragColor = vec4(vC * (vFacing * vFacing * (0.3 + 0.7 * vAlong)), 1.0);
        #include <colorspace_fragment>
      }`, true).renderOrder = 2;
    for (const set of [pools, cones]) set.shape = set.geometry.attributes.position.array.slice();
    lights = FIXTURES.map((f, i) => ({ f, key: "", gain: S.pool_gain[f.p3.surface] ?? 1, haze: S.haze * (f.p3.pos[1] < 0 ? S.house_haze : 1),
      ways: landings[i].map(([p, c]) => ({ pool: { start: pools.starts[p], n: poolParts[p].n, on: true },
        cone: { start: cones.starts[c], n: coneParts[c].n, on: true } })),
      lens: { start: lenses.starts[i], n: lensParts[i].n } }));
    for (const l of lights) { for (const w of l.ways) show(w, false); fill(lenses, l.lens, [0.03, 0.03, 0.03]); }
  }
  function fill(set, range, rgb) { const a = set.geometry.attributes.colour.array;
    for (let v = range.start; v < range.start + range.n; v++) a.set(rgb, v * 3); set.geometry.attributes.colour.needsUpdate = true; }
  // A dark fixture's pool, and a beam no haze shows, folded to a point: nothing to draw.
  function show(way, pool, beam = pool) {
    for (const [set, range, on] of [[pools, way.pool, pool], [cones, way.cone, beam]]) { if (range.on === on) continue; range.on = on;
      const a = set.geometry.attributes.position.array;
      if (on) a.set(set.shape.subarray(range.start * 3, (range.start + range.n) * 3), range.start * 3);
      else a.fill(0, range.start * 3, (range.start + range.n) * 3);
      set.geometry.attributes.position.needsUpdate = true; } }

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
  let tmp;
  // levels: each fixture's level and colour; focus: for movers, which of their landings are lit and how much (a
  // focus move while lit dissolves from one landing to the next as the cue's fade runs).
  function update(levels, focus = {}) {
    tmp ||= new T.Color();
    for (const l of lights) { const s = levels[l.f.id], share = focus[l.f.id] || [[0, 1]];
      const key = s.level.toFixed(4) + s.rgb.map(v => v.toFixed(1)).join(",") + share.map(w => w.join(":")).join("/");
      if (key === l.key) continue; l.key = key; dirty = true;
      const on = s.level > 0.002;
      tmp.setRGB(s.rgb[0] / 255, s.rgb[1] / 255, s.rgb[2] / 255, T.SRGBColorSpace);
      const rgb = [tmp.r, tmp.g, tmp.b];
      l.ways.forEach((way, j) => { const part = share.reduce((a, [w, k]) => a + (w === j ? k : 0), 0), lit = on && part > 0.002;
        show(way, lit, lit && l.haze > 0);
        if (!lit) return;
        fill(pools, way.pool, rgb.map(v => v * s.level * part * l.gain));
        fill(cones, way.cone, rgb.map(v => v * s.level * part * l.haze)); });
      fill(lenses, l.lens, on ? rgb.map(v => v * Math.min(1, 0.15 + s.level)) : [0.03, 0.03, 0.03]); }
  }
  function draw() { if (!dirty) return; dirty = false; renderer.render(scene, camera); api.frames++; }
  // The colours drawn at points of the stage (rig metres), read back from a frame drawn now: for the tests.
  function sample(points) { renderer.render(scene, camera); const gl = renderer.getContext(), px = new Uint8Array(4);
    const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight;
    return points.map(p => { const v = V(p).project(camera), x = Math.round((v.x + 1) / 2 * (w - 1)), y = Math.round((v.y + 1) / 2 * (h - 1));
      gl.readPixels(x, y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); return [px[0], px[1], px[2]]; }); }
  // Where a point of the stage (rig metres) is on screen, in CSS pixels of the page's viewport.
  function project(p) { const v = V(p).project(camera), r = canvas.getBoundingClientRect();
    return { x: r.left + (v.x + 1) / 2 * r.width, y: r.top + (1 - v.y) / 2 * r.height, inside: Math.abs(v.x) <= 1 && Math.abs(v.y) <= 1 }; }
  return api;
})();
