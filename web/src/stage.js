// The three.js scene: renderer, camera, lights, orbit controls, and the nodes by Prosector id.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

function srgb(rgb) {
  return new THREE.Color().setRGB(rgb[0], rgb[1], rgb[2], THREE.SRGBColorSpace);
}

// Prosector's environment light: sky above the horizon, ground below, as an image for diffuse and
// glossy reflections alike (a HemisphereLight would give no reflections on wet tissue).
function skyAndGround(renderer, env) {
  const width = 64;
  const height = 32;
  const data = new Float32Array(width * height * 4);
  const sky = srgb(env.sky_color);
  const ground = srgb(env.ground_color);
  for (let y = 0; y < height; y++) {
    const c = y < height / 2 ? ground : sky; // row 0 is the bottom of the equirectangular image
    for (let x = 0; x < width; x++) data.set([c.r * env.intensity, c.g * env.intensity, c.b * env.intensity, 1], (y * width + x) * 4);
  }
  const texture = new THREE.DataTexture(data, width, height, THREE.RGBAFormat, THREE.FloatType);
  texture.mapping = THREE.EquirectangularReflectionMapping;
  texture.colorSpace = THREE.LinearSRGBColorSpace;
  texture.needsUpdate = true;
  const pmrem = new THREE.PMREMGenerator(renderer);
  const target = pmrem.fromEquirectangular(texture);
  pmrem.dispose();
  texture.dispose();
  return target.texture;
}

// Software rasterisers (SwiftShader, llvmpipe: PCs without a GPU driver, virtual machines) take tens of
// seconds to compile the image-lit material shaders; they get the hemisphere light instead.
function softwareGl(renderer) {
  const gl = renderer.getContext();
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER);
  return /swiftshader|llvmpipe|softpipe|software/i.test(String(name));
}

export function createStage(canvas, lesson, gltf, options) {
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(window.devicePixelRatio || 1);
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  renderer.localClippingEnabled = true;
  renderer.xr.enabled = true;

  const scene = new THREE.Scene();
  scene.background = srgb(lesson.background);
  const world = new THREE.Group(); // moved in front of the student in VR; identity on screen
  world.name = 'prosector-world';
  scene.add(world);
  world.add(gltf.scene);

  renderer.toneMapping = THREE.NeutralToneMapping; // Khronos PBR Neutral, as Prosector's present pass
  renderer.toneMappingExposure = lesson.exposure || 1;
  const env = lesson.lights.environment;
  const reflections = options.reflections === 'auto' ? !softwareGl(renderer) : options.reflections === '1';
  if (reflections) {
    scene.environment = skyAndGround(renderer, env);
  } else {
    // Diffuse sky and ground light only: exact for Prosector's two-colour environment (three.js
    // divides by pi where Prosector's environment_diffuse already holds irradiance / pi).
    scene.add(new THREE.HemisphereLight(srgb(env.sky_color), srgb(env.ground_color), env.intensity * Math.PI));
  }
  const key = lesson.lights.key;
  let keyLight = null;
  if (key) {
    keyLight = new THREE.DirectionalLight(srgb(key.color), key.intensity);
    keyLight.position.set(...key.direction).normalize();
    scene.add(keyLight);
    scene.add(keyLight.target);
  }

  const camera = new THREE.PerspectiveCamera(35, 1, 0.01, 100);
  const controls = new OrbitControls(camera, canvas);
  controls.enableDamping = false;
  controls.screenSpacePanning = true;

  // Nodes named after parts and molecules (kept by gltfpack -kn); extras say which is which.
  const nodes = new Map();
  gltf.scene.traverse((object) => {
    const info = object.userData && object.userData.prosector;
    if (info && !nodes.has(object.name)) {
      object.updateMatrix();
      object.userData.baseMatrix = object.matrix.clone();
      object.matrixAutoUpdate = false;
      nodes.set(object.name, object);
    }
  });
  // Each part gets its own materials, so per-step opacity and highlight touch that part only.
  for (const node of nodes.values()) {
    node.traverse((object) => {
      if (object.isMesh) {
        object.material = object.material.clone();
        object.material.userData.baseOpacity = object.material.opacity;
        object.material.userData.baseTransparent = object.material.transparent;
        object.userData.owner = node.name;
      }
    });
  }
  return { renderer, scene, world, camera, controls, nodes, keyLight };
}

export function resize(stage, width, height) {
  stage.renderer.setSize(width, height, false);
  stage.camera.aspect = width / height;
  stage.camera.updateProjectionMatrix();
}

// Near and far planes enclosing the scene's bounding sphere (as Prosector's near_far).
export function fitClipRange(stage) {
  const box = new THREE.Box3().setFromObject(stage.world);
  if (box.isEmpty()) return;
  const sphere = box.getBoundingSphere(new THREE.Sphere());
  const distance = stage.camera.position.distanceTo(sphere.center);
  const far = distance + sphere.radius * 1.05;
  stage.camera.far = far * 4;
  stage.camera.near = Math.max(distance - sphere.radius * 1.05, far / 2000, 1e-4);
  stage.camera.updateProjectionMatrix();
  stage.controls.minDistance = sphere.radius * 0.05;
  stage.controls.maxDistance = sphere.radius * 20;
}
