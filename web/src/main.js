// Prosector lesson viewer: boots from scene.js, shows one step at a time, on screen or in VR.
import * as THREE from 'three';
import { lessonData, loadGltf, pageOptions } from './boot.js';
import { createLabelLayer, layoutLabels, setLabels, xrLabels } from './labels.js';
import { createPanel, showAnswer, showPicked, showStep, uiText } from './panel.js';
import { applyStep, moveCamera, placeCamera, showScaleBars } from './steps.js';
import { createStage, fitClipRange, resize } from './stage.js';
import { createXr } from './xr.js';
import { startClassroom } from './classroom/follow.js';
import { followedLanguage, followedState, followedStep } from './classroom/followed.js';

const status = { ready: false, firstFrameMs: null, errors: [], step: null, lang: null, xr: null };
window.prosectorViewer = status;

function fail(error) {
  status.errors.push(String(error && error.message ? error.message : error));
  const box = document.getElementById('error');
  if (box) {
    box.hidden = false;
    box.textContent = `This lesson cannot be shown: ${status.errors[status.errors.length - 1]}`;
  }
  console.error(error);
}

async function start() {
  const { lesson, glb } = lessonData();
  const options = pageOptions(lesson);
  document.body.classList.toggle('no-ui', !options.ui);
  const view = document.getElementById('view');
  const canvas = document.getElementById('canvas');
  const gltf = await loadGltf(glb);
  const stage = createStage(canvas, lesson, gltf, options);
  Object.defineProperty(status, 'stage', { value: stage, enumerable: false }); // for tests and the console
  const labels = createLabelLayer(view);
  labels.layer.hidden = !options.labels;
  const xrLabelGroup = new THREE.Group();
  stage.world.add(xrLabelGroup);
  const sceneBox = new THREE.Box3().setFromObject(gltf.scene);
  const sceneSize = sceneBox.isEmpty() ? 1 : sceneBox.getSize(new THREE.Vector3()).length();
  const font = getComputedStyle(document.body).fontFamily;
  let current = options.step;
  let lang = options.lang;
  const panel = document.getElementById('panel');
  let teacher = null; // the classroom teacher's state while following one (classroom/follow.js)

  const stateOf = (index) => followedState(lesson, index === null ? lesson.declared : lesson.steps[index], teacher);
  const render = () => {
    fitClipRange(stage);
    stage.renderer.render(stage.scene, stage.camera);
    if (!stage.renderer.xr.isPresenting && options.labels) {
      layoutLabels(labels, stage.camera, stage.world, view.clientWidth, view.clientHeight);
    }
  };
  // keepCamera: a classroom state change within the same step leaves the student's camera alone.
  const show = (index, animate, keepCamera = false) => {
    const moved = index !== current;
    current = index;
    const state = stateOf(index);
    applyStep(stage, lesson, state);
    showScaleBars(stage, state);
    setLabels(labels, state, lang);
    xrLabels(xrLabelGroup, state, lang, sceneSize, font);
    xrLabelGroup.visible = stage.renderer.xr.isPresenting && options.labels;
    showStep(panel, lesson, index, lang);
    document.documentElement.lang = lang;
    status.reflections = !!stage.scene.environment;
    status.step = index === null ? null : index + 1;
    status.lang = lang;
    const url = new URL(window.location.href);
    if (index !== null) url.searchParams.set('step', String(index + 1));
    url.searchParams.set('lang', lang);
    try { window.history.replaceState(null, '', url); } catch (e) { /* file:// in some browsers */ }
    if (keepCamera && !moved) return;
    stage.cameraMove = null; // a step's own camera (or the teacher's head) replaces a move still running
    if (animate && !stage.renderer.xr.isPresenting) moveCamera(stage, state.camera, state.transition_ms || 0);
    else placeCamera(stage, state.camera);
  };
  const go = (delta) => {
    if (current === null) return;
    const next = Math.max(0, Math.min(lesson.steps.length - 1, current + delta));
    if (next !== current) show(next, true);
  };

  createPanel(panel, lesson, {
    previous: () => go(-1),
    next: () => go(1),
    language: (value) => { lang = value; show(current, false); },
    vr: () => xr.toggle(),
  });
  const xr = createXr(stage, {
    button: panel.querySelector('.vr'),
    sceneBox,
    labelGroup: xrLabelGroup,
    showLabels: options.labels,
    text: () => uiText(lang),
    step: go,
    reapply: () => applyStep(stage, lesson, stateOf(current)),
    status,
    placement: () => (teacher ? teacher.placement : null),
  });
  let firstFrame;
  const beforeFrame = [];
  startClassroom(panel, view, {
    lesson,
    beforeFrame: (callback) => beforeFrame.push(callback),
    firstFrame: new Promise((resolve) => { firstFrame = resolve; }),
    follow(next, teacherView) {
      const placed = JSON.stringify(next.placement) !== JSON.stringify(teacher ? teacher.placement : null);
      teacher = next;
      lang = followedLanguage(lesson, next, lang);
      if (placed) xr.placeWorld();
      show(followedStep(lesson, next), !teacherView, true);
      return current === null ? null : current + 1;
    },
    look: (pose) => lookFrom(stage, pose, stateOf(current).camera),
    setFreeControls: (on) => { stage.controls.enabled = on; },
  }, status);

  // The frame loop draws every frame; nothing else draws (not resize events: a headset's runtime
  // resizes the canvas while its session is ending, when drawing would use the dead session; not
  // camera changes: a classroom's poses come faster than software GL draws).
  window.addEventListener('keydown', (event) => {
    if (event.target && event.target.tagName === 'SELECT') return;
    if (event.key === 'ArrowRight' || event.key === 'PageDown') go(1);
    if (event.key === 'ArrowLeft' || event.key === 'PageUp') go(-1);
  });
  pickParts(stage, canvas, lesson, () => stateOf(current), () => lang, panel);

  show(current, false);
  resize(stage, view.clientWidth, view.clientHeight);
  stage.renderer.setAnimationLoop(() => {
    for (const callback of beforeFrame) callback();
    if (stage.renderer.xr.isPresenting) {
      stage.renderer.render(stage.scene, stage.camera);
      xr.frame();
      return;
    }
    const pixelRatio = stage.renderer.getPixelRatio();
    if (canvas.width !== Math.floor(view.clientWidth * pixelRatio) ||
        canvas.height !== Math.floor(view.clientHeight * pixelRatio)) {
      resize(stage, view.clientWidth, view.clientHeight); // layout changed (fonts, panel, rotation)
    }
    render();
    if (!status.ready) {
      status.ready = true;
      status.firstFrameMs = performance.now();
      document.documentElement.dataset.ready = '1';
      firstFrame();
    }
  });
}

// Follow-me: the camera at the teacher's head (scene space, carried through the world's placement),
// with the step camera's field of view.
function lookFrom(stage, pose, stepCamera) {
  stage.cameraMove = null;
  stage.world.updateMatrixWorld(true);
  const world = stage.world.matrixWorld;
  const eye = new THREE.Vector3(...pose.head_eye).applyMatrix4(world);
  const target = new THREE.Vector3(...pose.head_target).applyMatrix4(world);
  const up = new THREE.Vector3(...stepCamera.up).transformDirection(world);
  placeCamera(stage, { eye_m: eye.toArray(), target_m: target.toArray(), up: up.toArray(),
    vertical_fov_deg: stepCamera.vertical_fov_deg });
}

// A click (not a drag) on a part names it, and answers the step's question if it has one.
function pickParts(stage, canvas, lesson, state, lang, panel) {
  const raycaster = new THREE.Raycaster();
  let down = null;
  canvas.addEventListener('pointerdown', (e) => { down = [e.clientX, e.clientY]; });
  canvas.addEventListener('pointerup', (e) => {
    if (!down || Math.hypot(e.clientX - down[0], e.clientY - down[1]) > 4) return;
    const rect = canvas.getBoundingClientRect();
    const pointer = new THREE.Vector2(((e.clientX - rect.left) / rect.width) * 2 - 1,
      -((e.clientY - rect.top) / rect.height) * 2 + 1);
    raycaster.setFromCamera(pointer, stage.camera);
    const hits = raycaster.intersectObject(stage.world, true).filter((hit) => {
      if (!hit.object.isMesh || !hit.object.userData.owner) return false;
      const planes = hit.object.material.clippingPlanes || [];
      const clipped = hit.object.material.clipIntersection
        ? planes.length && planes.every((p) => p.distanceToPoint(hit.point) < 0)
        : planes.some((p) => p.distanceToPoint(hit.point) < 0);
      let visible = true;
      hit.object.traverseAncestors((a) => { visible = visible && a.visible; });
      return !clipped && visible && hit.object.visible;
    });
    if (!hits.length) return;
    const owner = hits[0].object.userData.owner;
    const id = stage.nodes.get(owner).userData.prosector.id;
    showPicked(panel, lesson, id, lang());
    const question = state().question;
    if (question) showAnswer(panel, lang(), question.accept.includes(id));
  });
}

window.addEventListener('error', (event) => fail(event.error || event.message));
window.addEventListener('DOMContentLoaded', () => {
  start().catch(fail);
});
