// ---- the 3D stage's drawing (three.js): the rig at its positions, beams as cones of each fixture's colour and level,
// pools where each is focused, the cyc lit by its wash; a mover's head, beam and pool where its pan and tilt point it.
// It runs in a worker (an OffscreenCanvas: software WebGL's frames then never hold up the page) or, in a browser
// without one, on the page. It knows nothing of the page: stage3d.js sends it the rig once and then each moment, the
// camera and the size, and it draws at the next animation frame when something changed. Everything is merged into
// four meshes (four draw calls: software WebGL pays for each), no lights, no shadows; a dark fixture's beam and pool
// are folded away so that they cost nothing to draw. Rig metres (x stage left -, y upstage +, z up) map to three.js as
// (-x, z, -y), so from the house stage left is on the right. ----
function cueflowStageView(T, canvas, init, send) {
  const S = init.S, FX = init.fixtures;
  const gl = canvas.getContext("webgl2") || canvas.getContext("webgl");
  if (!gl) return send({ type: "failed", reason: "this browser gives the page no WebGL (it may be switched off, or its graphics driver blocked)." });
  let renderer;
  try { renderer = new T.WebGLRenderer({ canvas, context: gl, antialias: false, powerPreference: "low-power" }); }
  catch (error) { return send({ type: "failed", reason: `this browser's WebGL would not start (${error.message}).` }); }
  renderer.debug.checkShaderErrors = false;  // no status query after each compile: those wait for the GPU
  canvas.addEventListener("webglcontextlost", e => { e.preventDefault(); send({ type: "failed", reason: "the browser took the page's WebGL context away." }); });
  const V = (p, dz = 0) => new T.Vector3(-p[0], p[2] + dz, -p[1]);
  const camera = new T.PerspectiveCamera(35, 16 / 9, 0.1, 300);
  let scene, lights, heads, pools, cones, dirty = true, pending = false, frames = 0, seq = 0, size = [init.width, init.height, init.scale];

  function baked(geometry, matrix, attributes = {}) {  // a part's triangles, placed, with per-vertex attributes
    const g = geometry.index ? geometry.toNonIndexed() : geometry; if (matrix) g.applyMatrix4(matrix);
    const n = g.attributes.position.count, attrs = { position: g.attributes.position.array, normal: g.attributes.normal.array };
    if (g.attributes.uv) attrs.uv = g.attributes.uv.array;
    for (const [name, value] of Object.entries(attributes)) attrs[name] = Float32Array.from({ length: n * value.length }, (_, i) => value[i % value.length]);
    return { n, attrs };
  }
  function merged(parts, sizes) {  // one geometry of all the parts, and where each part's vertices start
    const geometry = new T.BufferGeometry(), total = parts.reduce((a, p) => a + p.n, 0), starts = [];
    for (const [name, width] of Object.entries(sizes)) {
      const array = new Float32Array(total * width); let at = 0;
      for (const p of parts) { array.set(p.attrs[name], at * width); at += p.n; }
      geometry.setAttribute(name, new T.Float32BufferAttribute(array, width)); }
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
    const st = init.stage, width = st.right - st.left, depth = st.depth, wide = width + 2 * S.wings, C = S.colours;
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
    for (const f of FX) { const p = f.p3.pos;
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
    const bodyShape = new T.BoxGeometry(0.22, 0.22, 0.34), unitPool = new T.PlaneGeometry(1, 1);
    const unitCone = new T.CylinderGeometry(1, 1, 1, S.cone_sides, 1, true);
    for (const f of FX) {
      const from = V(f.p3.pos), p = f.p3, floor = p.surface !== "cyc";
      const aim = f.mover ? null : aiming(from, V(p.aim));  // a mover's head is made in its own frame
      const head = { body: baked(bodyShape.clone(), aim, { colour: linear(C.fixture) }), lens: baked(lensShape.clone(), aim, { colour: [0, 0, 0] }) };
      headParts.push(head.body, head.lens);
      let pool, cone;
      if (f.mover) {
        pool = baked(unitPool.clone(), null, { colour: [0, 0, 0], core: [S.pool_core.hard] });
        cone = baked(unitCone.clone(), null, { colour: [0, 0, 0] });
        movers.push({ f, body0: head.body.attrs.position.slice(), lens0: head.lens.attrs.position.slice(),
          unitPool: pool.attrs.position.slice(), unitCone: cone.attrs.position.slice(), angle: f.mover.angle });
      } else {
        const to = V(p.aim), at = V(p.aim, floor ? 0.004 : 0); if (!floor) at.z += 0.01;
        pool = baked(new T.PlaneGeometry(2 * p.rx, 2 * p.ry), place(at, floor ? flat : null),
          { colour: [0, 0, 0], core: [p.hard ? S.pool_core.hard : S.pool_core.soft] });
        const length = from.distanceTo(to), radius = Math.max(0.05, Math.min(p.rx, p.ry) * S.cone_fill);
        const axis = new T.Quaternion().setFromUnitVectors(new T.Vector3(0, 1, 0), from.clone().sub(to).normalize());
        cone = baked(new T.CylinderGeometry(0.07, radius, length, S.cone_sides, 1, true), place(from.clone().add(to).multiplyScalar(0.5), axis), { colour: [0, 0, 0] });
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
    mesh(cones.geometry, `attribute vec3 colour; attribute float along; varying vec3 vC;
      void main() { vec4 p = modelViewMatrix * vec4(position, 1.0); float facing = abs(dot(normalize(normalMatrix * normal), normalize(-p.xyz)));
        vC = colour * (facing * facing * (0.3 + 0.7 * along)); gl_Position = projectionMatrix * p; }`,
      `varying vec3 vC; void main() { gl_FragColor = vec4(vC, 1.0);
        #include <colorspace_fragment>
      }`, true).renderOrder = 2;
    for (const set of [pools, cones]) set.shape = set.geometry.attributes.position.array.slice();
    lights = FX.map((f, i) => ({ f, i, key: "", aim: "", gain: S.pool_gain[f.p3.surface] ?? 1, haze: S.haze * (f.p3.pos[1] < 0 ? S.house_haze : 1),
      pool: { start: pools.starts[i], n: poolParts[i].n, on: true }, cone: { start: cones.starts[i], n: coneParts[i].n, on: true },
      body: { start: heads.starts[2 * i], n: headParts[2 * i].n }, lens: { start: heads.starts[2 * i + 1], n: headParts[2 * i + 1].n },
      mover: movers.find(m => m.f === f) || null, spot: null }));
    for (const l of lights) { show(l, false); fill(heads, l.lens, [0.03, 0.03, 0.03]); }
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
  // A mover pointed where its pan and tilt send it (spot: from the lens to where the beam meets a surface, worked out
  // by the page from Phase 8's values): its body and lens turned that way, its beam to there, its pool there (an
  // ellipse where the beam meets the surface at a slant), sized by its field angle.
  function aimMover(l, spot) {
    const mv = l.mover, from = V(spot.from), to = V(spot.to);
    l.spot = spot;
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
  const tmp = new T.Color();
  // The moment on stage: each fixture's level and colour (by fixture index), and where each mover's beam goes.
  function update(m) {
    for (const l of lights) { const i = l.i, level = m.level[i], r = m.rgb[3 * i], g = m.rgb[3 * i + 1], b = m.rgb[3 * i + 2];
      if (l.mover) { const spot = m.spots[i], aim = spot.to.join(","); if (aim !== l.aim) { l.aim = aim; aimMover(l, spot); l.key = ""; } }
      const key = level.toFixed(4) + "/" + r.toFixed(1) + "," + g.toFixed(1) + "," + b.toFixed(1);
      if (key === l.key) continue; l.key = key; dirty = true;
      const on = level > 0.002;
      tmp.setRGB(r / 255, g / 255, b / 255, T.SRGBColorSpace);
      const rgb = [tmp.r, tmp.g, tmp.b], lands = !l.mover || l.spot.surface !== null;
      const gain = l.mover ? S.pool_gain[l.spot.surface] ?? 0 : l.gain;
      show(l, on && lands, on && l.haze > 0);
      if (on) { fill(pools, l.pool, rgb.map(v => v * level * gain)); fill(cones, l.cone, rgb.map(v => v * level * l.haze)); }
      fill(heads, l.lens, on ? rgb.map(v => v * Math.min(1, 0.15 + level)) : [0.03, 0.03, 0.03]); }
  }
  function resize(width, height, scale) { size = [width, height, scale];
    renderer.setPixelRatio(scale); renderer.setSize(width, height, false); camera.aspect = width / height; camera.updateProjectionMatrix(); dirty = true; }
  function aimCamera(c) { camera.fov = c.fov; camera.position.copy(V(c.eye)); camera.lookAt(V(c.look)); camera.updateProjectionMatrix(); dirty = true; }
  const nextFrame = typeof requestAnimationFrame === "function" ? requestAnimationFrame : fn => setTimeout(fn, 16);
  function later() { if (pending) return; pending = true; nextFrame(() => { pending = false; draw(); }); }
  // "drawn" as soon as the frame is drawn (the page may send the next moment); "shown" a frame later, once the frame has
  // gone to the compositor (what the tests wait for before they look at the screen).
  function draw() { const now = seq; if (dirty) { dirty = false; renderer.render(scene, camera); frames++; }
    send({ type: "drawn", seq: now, frames }); nextFrame(() => send({ type: "shown", seq: now })); }
  // The colours drawn at points of the stage (rig metres), read back from a frame drawn now: for the tests.
  function sample(points) { renderer.render(scene, camera); frames++;
    const w = gl.drawingBufferWidth, h = gl.drawingBufferHeight, px = new Uint8Array(4);
    return points.map(p => { const v = V(p).project(camera), x = Math.round((v.x + 1) / 2 * (w - 1)), y = Math.round((v.y + 1) / 2 * (h - 1));
      gl.readPixels(x, y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px); return [px[0], px[1], px[2]]; }); }

  build();
  resize(...size); aimCamera(init.camera);
  renderer.compile(scene, camera);
  send({ type: "ready", revision: T.REVISION });
  return msg => {
    if (msg.type === "moment") { seq = msg.seq; update(msg); later(); }
    else if (msg.type === "camera") { aimCamera(msg); later(); }
    else if (msg.type === "size") { resize(msg.width, msg.height, msg.scale); later(); }
    else if (msg.type === "sample") send({ type: "sample", id: msg.id, colours: sample(msg.points) });
    else if (msg.type === "moment+sample") {  // another moment drawn for the purpose, then the one on stage again
      update(msg.moment); send({ type: "sample", id: msg.id, colours: sample(msg.points) }); update(msg.restore); later(); }
  };
}
