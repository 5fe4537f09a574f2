// Applies one lesson step (as Prosector's scene_state computed it) to the three.js scene.
import * as THREE from 'three';

// Highlight as Prosector's pbr.frag draws it: a warm tint and an emissive rim toward the silhouette.
// Cut surfaces: back faces seen through a clip plane are shaded as if facing out of the cut, a
// solid section like Prosector's caps.
function addHighlightUniform(material) {
  if (material.userData.highlight) return material.userData.highlight;
  const uniform = { value: new THREE.Vector4(0, 0, 0, 0) };
  material.userData.highlight = uniform;
  material.onBeforeCompile = (shader) => {
    shader.uniforms.prosectorHighlight = uniform;
    shader.fragmentShader = 'uniform vec4 prosectorHighlight;\n' + shader.fragmentShader
      .replace('#include <color_fragment>', '#include <color_fragment>\n' +
        'diffuseColor.rgb = mix(diffuseColor.rgb, mix(diffuseColor.rgb, diffuseColor.rgb * 0.7 + ' +
        'prosectorHighlight.rgb * 0.12, 0.5), prosectorHighlight.a);')
      .replace('#include <normal_fragment_begin>', '#include <normal_fragment_begin>\n' +
        '#if NUM_CLIPPING_PLANES > 0 && UNION_CLIPPING_PLANES == NUM_CLIPPING_PLANES\n' +
        'if (!gl_FrontFacing) { normal = -clippingPlanes[0].xyz; }\n#endif')
      .replace('#include <emissivemap_fragment>', '#include <emissivemap_fragment>\n' +
        'float prosectorRim = 1.0 - clamp(dot(normal, normalize(vViewPosition)), 0.0, 1.0);\n' +
        'totalEmissiveRadiance += prosectorHighlight.a * prosectorHighlight.rgb * (0.04 + 0.9 * prosectorRim * prosectorRim);');
  };
  material.customProgramCacheKey = () => 'prosector-highlight';
  material.needsUpdate = true;
  return uniform;
}

function planesFor(part, worldMatrix) {
  const planes = part.clip_planes.map((p) =>
    new THREE.Plane(new THREE.Vector3(p[0], p[1], p[2]), p[3]).applyMatrix4(worldMatrix));
  if (planes.length || !part.cut_boxes.length) return { planes, intersection: false };
  // A cut box removes what lies inside it: inside = behind all six outward-facing planes.
  const [lo, hi] = part.cut_boxes[0];
  const box = [
    [-1, 0, 0, lo[0]], [1, 0, 0, -hi[0]], [0, -1, 0, lo[1]], [0, 1, 0, -hi[1]], [0, 0, -1, lo[2]], [0, 0, 1, -hi[2]],
  ].map((p) => new THREE.Plane(new THREE.Vector3(p[0], p[1], p[2]), p[3]).applyMatrix4(worldMatrix));
  return { planes: box, intersection: true };
}

function styleMeshes(node, opacity, highlight, highlightColor, clip) {
  node.traverse((object) => {
    if (!object.isMesh) return;
    const m = object.material;
    const alpha = m.userData.baseOpacity * opacity;
    m.opacity = alpha;
    m.transparent = alpha < 0.999 || m.userData.baseTransparent;
    m.depthWrite = alpha >= 0.999;
    addHighlightUniform(m).value.set(...highlightColor, highlight ? 1 : 0);
    if (clip) {
      m.clippingPlanes = clip.planes.length ? clip.planes : null;
      m.clipIntersection = clip.intersection;
    }
    m.needsUpdate = true;
  });
}

export function applyStep(stage, lesson, state) {
  const color = new THREE.Color().setRGB(...lesson.highlight_color, THREE.SRGBColorSpace);
  const highlightColor = [color.r, color.g, color.b];
  stage.world.updateMatrixWorld(true);
  const worldMatrix = stage.world.matrixWorld;
  const motion = new THREE.Matrix4();
  for (const [id, part] of Object.entries(state.parts)) {
    const node = stage.nodes.get(id);
    if (!node) continue;
    node.visible = part.visible && part.opacity > 0;
    motion.fromArray(part.motion);
    node.matrix.multiplyMatrices(motion, node.userData.baseMatrix);
    node.matrixWorldNeedsUpdate = true;
    styleMeshes(node, part.opacity, part.highlight, highlightColor, planesFor(part, worldMatrix));
  }
  // Every look a molecule takes is its own node; show the one this step uses.
  const shownMolecules = new Set();
  for (const molecule of Object.values(state.molecules)) {
    const node = molecule.node && stage.nodes.get(molecule.node);
    if (!node) continue;
    node.visible = molecule.visible;
    if (molecule.visible) shownMolecules.add(molecule.node);
    styleMeshes(node, molecule.opacity, molecule.highlight, highlightColor, null);
  }
  for (const [name, node] of stage.nodes) {
    if (node.userData.prosector.kind === 'molecule' && !shownMolecules.has(name)) node.visible = false;
  }
}

// Scale bars of the molecules shown: a bar along +X with ticks up at both ends (scene space).
export function showScaleBars(stage, state) {
  if (!stage.scaleBars) {
    stage.scaleBars = new THREE.Group();
    stage.scaleBars.name = 'prosector-scale-bars';
    stage.world.add(stage.scaleBars);
  }
  for (const child of [...stage.scaleBars.children]) {
    stage.scaleBars.remove(child);
    child.geometry.dispose();
    child.material.dispose();
  }
  for (const molecule of Object.values(state.molecules)) {
    const bar = molecule.scale_bar;
    if (!bar) continue;
    const material = new THREE.MeshBasicMaterial({ color: new THREE.Color().setRGB(...bar.color, THREE.SRGBColorSpace) });
    const thick = bar.length_m / 40;
    const pieces = [[bar.length_m, thick, thick, bar.length_m / 2, 0], [thick, thick * 5, thick, 0, thick * 2],
      [thick, thick * 5, thick, bar.length_m, thick * 2]];
    for (const [w, h, d, x, y] of pieces) {
      const mesh = new THREE.Mesh(new THREE.BoxGeometry(w, h, d), material.clone());
      mesh.position.set(bar.start_m[0] + x, bar.start_m[1] + y, bar.start_m[2]);
      stage.scaleBars.add(mesh);
    }
    material.dispose();
  }
}

export function placeCamera(stage, camera) {
  stage.camera.position.set(...camera.eye_m);
  stage.camera.up.set(...camera.up).normalize();
  stage.camera.fov = camera.vertical_fov_deg;
  stage.controls.target.set(...camera.target_m);
  stage.camera.lookAt(stage.controls.target);
  stage.controls.update();
}

// Camera moves smoothly into a step over its transition time (not on page load). The viewer's frame
// loop draws; a new move replaces one still running (a classroom teacher may step faster than that).
export function moveCamera(stage, camera, durationMs) {
  const from = { eye: stage.camera.position.clone(), target: stage.controls.target.clone(), fov: stage.camera.fov };
  const to = { eye: new THREE.Vector3(...camera.eye_m), target: new THREE.Vector3(...camera.target_m) };
  const move = {};
  stage.cameraMove = move;
  if (!durationMs) {
    placeCamera(stage, camera);
    return;
  }
  const start = performance.now();
  const tick = () => {
    if (stage.cameraMove !== move) return;
    const t = Math.min(1, (performance.now() - start) / durationMs);
    const s = t * t * (3 - 2 * t);
    stage.camera.position.lerpVectors(from.eye, to.eye, s);
    stage.controls.target.lerpVectors(from.target, to.target, s);
    stage.camera.fov = from.fov + (camera.vertical_fov_deg - from.fov) * s;
    stage.camera.up.set(...camera.up).normalize();
    stage.camera.lookAt(stage.controls.target);
    stage.controls.update();
    if (t < 1) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
}
