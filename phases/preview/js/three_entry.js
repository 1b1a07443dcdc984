// The parts of three.js the preview's 3D stage uses, bundled at set-up (`make setup`: esbuild) into
// phases/preview/vendor/three-stage.min.js and inlined in preview.html, which opens offline from disk.
export {
  AdditiveBlending, BoxGeometry, BufferGeometry, Color, CylinderGeometry, Float32BufferAttribute, Matrix4, Mesh,
  MeshBasicMaterial, Object3D, PerspectiveCamera, PlaneGeometry, Quaternion, Scene, ShaderMaterial, SRGBColorSpace, Vector3,
  WebGLRenderer, REVISION,
} from "three";
export { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
