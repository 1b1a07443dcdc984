// ---- the 3D stage (three.js, inlined): the rig at its positions, beams as cones of the cue's colour and level, pools
// where each fixture is focused, the cyc lit by its wash. It draws the moment every other view shows (momentAt: the
// numbers the tests hold to Phase 8's renderer); a mover's beam, body and pool go where its pan and tilt point them,
// sweeping as they move. Rig metres (x stage left -, y upstage +, z up) map to three.js as (-x, z, -y), so from the
// house stage left is on the right.
// It starts after the rest of the page is up, a step at a time so that clicks are answered in between. It draws only
// when something changed, at the next animation frame (a click is answered first), at a lower resolution while the
// show plays or the view moves and at full resolution when it stands still. Everything is merged into four meshes
// (four draw calls: software WebGL pays for each), no lights, no shadows; a dark fixture's beam and pool are folded
// away so that they cost nothing to draw. ----
const STAGE3D = (() => {
  const box = document.getElementById("stage3d-view"), note = document.getElementById("stage3d-note"), S = DATA.stage3d;
  const api = { ok: false, reason: "loading", frames: 0, steps: [], update() {}, draw() {}, later() {}, moving() {}, view() {},
    project: () => null, beams: () => ({}) };
  let markReady;
  api.ready = new Promise(done => { markReady = done; });
  function unavailable(reason) { api.ok = false; api.reason = reason; box.classList.add("off");
    note.textContent = `3D stage unavailable: ${reason} The stage plan, magic sheet, prompt book and cue list still follow the cues.`;
    markReady(false); return api; }
  note.textContent = "loading the 3D stage...";
  let momentNow = null;
  api.update = m => { momentNow = m; };
  const steps = [];
  const later = fn => steps.push(fn);
  api.start = () => new Promise(done => { (function next() { if (!steps.length || api.reason !== "loading" && !api.ok) return done();
    const t0 = performance.now();
    try { steps.shift()(); } catch (error) { unavailable(`it failed to start (${error.message}).`); return done(); }
    api.steps.push(Math.round(performance.now() - t0));
    setTimeout(next, 0); })(); });

  let T, renderer, canvas, scene, camera, controls, lights, heads, pools, cones, V, pixelScale = 1, dirty = true, pending = false;
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
    api.update = update; api.draw = draw; api.later = requestDraw; api.view = view; api.project = project; api.moving = moving;
    api.sample = sample; api.beams = beams;
    for (const b of document.querySelectorAll("#stage3d-views button")) b.addEventListener("click", () => view(b.dataset.view));
    window.addEventListener("resize", () => { resize(); requestDraw(); });
    if (momentNow) update(momentNow);
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
    // each fixture: a body aimed where its beam lands, a lens, a pool on the floor (or cyc, or house), a beam. A mover's
    // are made once in its own frame (the beam along +z) and placed wherever its pan and tilt point it.
    const headParts = [], poolParts = [], coneParts = [], movers = [];
    const lensShape = new T.CylinderGeometry(0.09, 0.09, 0.02, 12).applyMatrix4(
      place(new T.Vector3(0, 0, 0.18), new T.Quaternion().setFromAxisAngle(new T.Vector3(1, 0, 0), Math.PI / 2)));
    const bodyShape = new T.BoxGeometry(0.22, 0.22, 0.34), unitPool = new T.PlaneGeometry(1, 1), unitCone = new T.CylinderGeometry(1, 1, 1, 20, 1, true);
    for (const f of FIXTURES) {
      const from = V(f.p3.pos), mover = PLAY.movers[f.id], p = f.p3;
      const aim = mover ? null : aiming(from, V(p.aim)), floor = p.surface !== "cyc";  // a mover's head is made in its own frame
      const head = { body: baked(bodyShape.clone(), aim, { colour: linear(C.fixture) }), lens: baked(lensShape.clone(), aim, { colour: [0, 0, 0] }) };
      headParts.push(head.body, head.lens);
      let pool, cone;
      if (mover) {
        pool = baked(unitPool.clone(), null, { colour: [0, 0, 0], core: [S.pool_core.hard] });
        cone = baked(unitCone.clone(), null, { colour: [0, 0, 0] });
        movers.push({ f, head, pool, cone, body0: head.body.attrs.position.slice(), lens0: head.lens.attrs.position.slice(),
          unitPool: pool.attrs.position.slice(), unitCone: cone.attrs.position.slice(),
          angle: (S.mover_beam[f.type] ?? S.mover_beam.default) * Math.PI / 360 });
      } else {
        const to = V(p.aim), at = V(p.aim, floor ? 0.004 : 0); if (!floor) at.z += 0.01;
        pool = baked(new T.PlaneGeometry(2 * p.rx, 2 * p.ry), place(at, floor ? flat : null),
          { colour: [0, 0, 0], core: [p.hard ? S.pool_core.hard : S.pool_core.soft] });
        const length = from.distanceTo(to), radius = Math.max(0.05, Math.min(p.rx, p.ry) * S.cone_fill);
        const axis = new T.Quaternion().setFromUnitVectors(new T.Vector3(0, 1, 0), from.clone().sub(to).normalize());
        cone = baked(new T.CylinderGeometry(0.07, radius, length, 20, 1, true), place(from.clone().add(to).multiplyScalar(0.5), axis), { colour: [0, 0, 0] });
      }
      cone.attrs.along = Float32Array.from({ length: cone.n }, (_, i) => cone.attrs.uv[2 * i + 1]);
      poolParts.push(pool); coneParts.push(cone);
    }
    mesh(merged(still, { position: 3, colour: 3 }).geometry, COLOURED, FLAT, false);
    heads = merged(headParts, { position: 3, colour: 3 });
    mesh(heads.geometry, COLOURED, FLAT, false);
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
    lights = FIXTURES.map((f, i) => ({ f, i, key: "", aim: "", gain: S.pool_gain[f.p3.surface] ?? 1, haze: S.haze * (f.p3.pos[1] < 0 ? S.house_haze : 1),
      pool: { start: pools.starts[i], n: poolParts[i].n, on: true }, cone: { start: cones.starts[i], n: coneParts[i].n, on: true },
      body: { start: heads.starts[2 * i], n: headParts[2 * i].n }, lens: { start: heads.starts[2 * i + 1], n: headParts[2 * i + 1].n },
      mover: movers.find(m => m.f === f) || null }));
    for (const l of lights) { show(l, false); fill(heads, l.lens, [0.03, 0.03, 0.03]);
      if (l.mover) { l.mover.spot = null; aimMover(l, 0.5, 0.5); } }
  }
  function fill(set, range, rgb) { const a = set.geometry.attributes.colour.array;
    for (let v = range.start; v < range.start + range.n; v++) a.set(rgb, v * 3); set.geometry.attributes.colour.needsUpdate = true; }
  // A dark fixture's pool, and a beam no haze shows, folded to a point: nothing to draw.
  function show(l, pool, beam = pool) {
    for (const [set, range, on] of [[pools, l.pool, pool], [cones, l.cone, beam]]) { if (range.on === on) continue; range.on = on;
      const a = set.geometry.attributes.position.array;
      if (on) a.set(set.shape.subarray(range.start * 3, (range.start + range.n) * 3), range.start * 3);
      else a.fill(0, range.start * 3, (range.start + range.n) * 3);
      set.geometry.attributes.position.needsUpdate = true; } }
  // A mover pointed by its pan and tilt: its body and lens turned that way, its beam to where it lands, its pool there
  // (an ellipse where the beam meets the surface at a slant), sized by its field angle.
  function aimMover(l, pan, tilt) {
    const mv = l.mover, spot = beamLanding(l.i, pan, tilt), from = V(spot.from), to = V(spot.to);
    mv.spot = spot;
    const turn = aiming(from, to), hp = heads.geometry.attributes.position.array, v = new T.Vector3();
    for (const [range, local] of [[l.body, mv.body0], [l.lens, mv.lens0]])
      for (let j = 0; j < range.n; j++) { v.fromArray(local, 3 * j).applyMatrix4(turn); v.toArray(hp, 3 * (range.start + j)); }
    heads.geometry.attributes.position.needsUpdate = true;
    const axis = to.clone().sub(from), length = axis.length(), dir = axis.clone().normalize();
    const e1 = new T.Vector3(0, 1, 0).cross(dir); if (e1.lengthSq() < 1e-9) e1.set(1, 0, 0); e1.normalize();
    const e2 = dir.clone().cross(e1).normalize(), mouth = Math.max(0.05, length * Math.tan(mv.angle)), lens = 0.07;
    // the beam: the unit cylinder's rings (y = +0.5 at the lens, -0.5 at the mouth) laid along the beam
    const cp = cones.shape, cn = cones.geometry.attributes.normal.array, c0 = l.cone.start * 3;
    for (let j = 0; j < l.cone.n; j++) { const x = mv.unitCone[3 * j], y = mv.unitCone[3 * j + 1], z = mv.unitCone[3 * j + 2];
      const along = y + 0.5, r = mouth + (lens - mouth) * along, k = c0 + 3 * j;
      for (let c = 0; c < 3; c++) { const radial = e1.getComponent(c) * x + e2.getComponent(c) * z;
        cp[k + c] = to.getComponent(c) + (from.getComponent(c) - to.getComponent(c)) * along + radial * r; cn[k + c] = radial; } }
    cones.geometry.attributes.normal.needsUpdate = true;
    // the pool: the unit square laid on the surface it meets, stretched along the beam's slant
    const normal = spot.surface === "cyc" ? new T.Vector3(0, 0, 1) : new T.Vector3(0, 1, 0);
    const slant = Math.max(0.25, Math.abs(dir.dot(normal)));
    let u = dir.clone().sub(normal.clone().multiplyScalar(dir.dot(normal))); if (u.lengthSq() < 1e-9) u = e1.clone(); u.normalize();
    const w = normal.clone().cross(u).normalize(), centre = to.clone().add(normal.clone().multiplyScalar(0.004));
    const pp = pools.shape, p0 = l.pool.start * 3, a = mouth / slant, b = mouth, reach = spot.surface ? 1 : 0;
    for (let j = 0; j < l.pool.n; j++) { const x = mv.unitPool[3 * j] * 2, y = mv.unitPool[3 * j + 1] * 2;
      for (let c = 0; c < 3; c++) pp[p0 + 3 * j + c] = centre.getComponent(c) + (u.getComponent(c) * x * a + w.getComponent(c) * y * b) * reach; }
    for (const [set, range] of [[pools, l.pool], [cones, l.cone]]) if (range.on) {
      set.geometry.attributes.position.array.set(set.shape.subarray(range.start * 3, (range.start + range.n) * 3), range.start * 3);
      set.geometry.attributes.position.needsUpdate = true; }
  }
  // Where each mover's beam lands now (rig metres) and on what: for the tests.
  function beams() { return Object.fromEntries(lights.filter(l => l.mover && l.mover.spot).map(l => [l.f.id, { to: l.mover.spot.to, surface: l.mover.spot.surface }])); }

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
  // The moment on stage: each fixture's level and colour, and where each mover points.
  function update(m) {
    tmp ||= new T.Color();
    for (const l of lights) { const i = l.i, level = m.level[i], r = m.rgb[3 * i], g = m.rgb[3 * i + 1], b = m.rgb[3 * i + 2];
      if (l.mover) { const aim = m.pan[i] + "/" + m.tilt[i]; if (aim !== l.aim) { l.aim = aim; aimMover(l, m.pan[i], m.tilt[i]); l.key = ""; } }
      const key = level.toFixed(4) + "/" + r.toFixed(1) + "," + g.toFixed(1) + "," + b.toFixed(1);
      if (key === l.key) continue; l.key = key; dirty = true;
      const on = level > 0.002;
      tmp.setRGB(r / 255, g / 255, b / 255, T.SRGBColorSpace);
      const rgb = [tmp.r, tmp.g, tmp.b], lands = !l.mover || l.mover.spot.surface !== null;
      const gain = l.mover ? S.pool_gain[l.mover.spot.surface] ?? 0 : l.gain;
      show(l, on && lands, on && l.haze > 0);
      if (on) { fill(pools, l.pool, rgb.map(v => v * level * gain)); fill(cones, l.cone, rgb.map(v => v * level * l.haze)); }
      fill(heads, l.lens, on ? rgb.map(v => v * Math.min(1, 0.15 + level)) : [0.03, 0.03, 0.03]); }
    if (dirty) requestDraw();
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
