// The parts of three.js the preview's 3D stage uses (js/stage3d_view.js), bundled at set-up (`make setup`: esbuild)
// into phases/preview/vendor/three-stage.min.js and inlined in preview.html, which opens offline from disk. The
// camera's orbit is the page's own (js/stage3d.js), so the drawing can run in a worker.
export {
  AdditiveBlending, BoxGeometry, BufferGeometry, Color, CylinderGeometry, Float32BufferAttribute, Matrix4, Mesh,
  Object3D, PerspectiveCamera, PlaneGeometry, Quaternion, Scene, ShaderMaterial, SRGBColorSpace, Vector3,
  WebGLRenderer, REVISION,
} from "three";
