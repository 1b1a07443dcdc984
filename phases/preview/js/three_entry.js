// The parts of three.js the preview's 3D stage uses, bundled at set-up (`make setup`: esbuild) into
// phases/preview/vendor/three-stage.min.js and inlined in preview.html, which opens offline from disk.
export {
  AdditiveBlending, BoxGeometry, BufferGeometry, CanvasTexture, Color, CylinderGeometry, DoubleSide, Float32BufferAttribute,
  Group, LineBasicMaterial, LineSegments, Mesh, MeshBasicMaterial, PerspectiveCamera, PlaneGeometry, Scene, ShaderMaterial,
  SphereGeometry, SRGBColorSpace, Vector3, WebGLRenderer, REVISION,
} from "three";
export { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
