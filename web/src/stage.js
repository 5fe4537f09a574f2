// The three.js scene: renderer, camera, lights, orbit controls, and the nodes by Prosector id.
import * as THREE from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';

function srgb(rgb) {
  return new THREE.Color().setRGB(rgb[0], rgb[1], rgb[2], THREE.SRGBColorSpace);
}

export function createStage(canvas, lesson, gltf) {
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

  const env = lesson.lights.environment;
  scene.add(new THREE.HemisphereLight(srgb(env.sky_color), srgb(env.ground_color), env.intensity));
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
