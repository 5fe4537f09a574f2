// Reads the lesson and the GLB that scene.js put on `window` (classic scripts: works from file://).
import { GLTFLoader } from 'three/examples/jsm/loaders/GLTFLoader.js';
import { MeshoptDecoder } from 'three/examples/jsm/libs/meshopt_decoder.module.js';

export function lessonData() {
  const lesson = window.PROSECTOR_LESSON;
  const glb = window.PROSECTOR_GLB;
  if (!lesson || typeof glb !== 'string') {
    throw new Error('scene.js did not load: keep index.html, viewer.js and scene.js in the same folder');
  }
  return { lesson, glb };
}

function base64ToBuffer(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

export async function loadGltf(base64) {
  const loader = new GLTFLoader();
  loader.setMeshoptDecoder(MeshoptDecoder);
  await MeshoptDecoder.ready;
  return new Promise((resolve, reject) => loader.parse(base64ToBuffer(base64), '', resolve, reject));
}

// Query parameters: step (1-based), lang, ui=0 (canvas only), labels=0, xr=emulate,
// reflections=1|0 (default auto: off on software GL).
export function pageOptions(lesson) {
  const query = new URLSearchParams(window.location.search);
  const count = lesson.steps.length;
  let step = parseInt(query.get('step') || '1', 10);
  if (!Number.isFinite(step) || step < 1) step = 1;
  if (count && step > count) step = count;
  let lang = query.get('lang') || lesson.languages[0];
  if (!lesson.languages.includes(lang)) {
    const base = lang.split('-')[0];
    lang = lesson.languages.find((l) => l === base || l.split('-')[0] === base) || lesson.languages[0];
  }
  return {
    step: count ? step - 1 : null,
    lang,
    ui: query.get('ui') !== '0',
    labels: query.get('labels') !== '0',
    reflections: ['0', '1'].includes(query.get('reflections')) ? query.get('reflections') : 'auto',
  };
}
