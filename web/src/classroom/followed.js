// What a web follower shows: the teacher's lesson state applied to the page's own copy of the lesson,
// as Prosector's renderer/classroom/follower.py does for the window and the headset (pure functions).
import * as THREE from 'three';

const MAX_ACTIVE_PLANES = 6; // as renderer/scene/sections.py

// The teacher's step (0-based), clamped to this lesson; null before any step or without steps.
export function followedStep(lesson, teacher) {
  const count = lesson.steps.length;
  return teacher.step === null || count === 0 ? null : Math.min(teacher.step, count - 1);
}

// The teacher's language if this lesson has it, else the one shown now.
export function followedLanguage(lesson, teacher, current) {
  return teacher.language && lesson.languages.includes(teacher.language) ? teacher.language : current;
}

// A step's state (lesson JSON) with the teacher's highlighted parts (parts only, as Prosector) and
// own clip planes on top.
// A part cut by a box only keeps its box when the teacher adds no plane: three.js clips a material by
// planes either all together (box) or each alone (planes), not both.
export function followedState(lesson, stepState, teacher) {
  if (!teacher || (!teacher.highlight.length && !teacher.clip_planes.length)) return stepState;
  const highlight = new Set(teacher.highlight);
  const parts = {};
  for (const [id, part] of Object.entries(stepState.parts)) {
    const room = MAX_ACTIVE_PLANES - part.clip_planes.length;
    const planes = room > 0 ? part.clip_planes.concat(teacher.clip_planes.slice(0, room)) : part.clip_planes;
    parts[id] = { ...part, highlight: part.highlight || highlight.has(id), clip_planes: planes };
  }
  return { ...stepState, parts };
}

// The world group's matrix on screen for the teacher's model placement (scene -> room, row-major
// 4x4): its rotation about the scene's centre, so the student sees the model turned as the teacher
// turned it while the page's camera keeps framing it (a screen has no room to stand the model in).
export function screenPlacement(placement, sceneBox) {
  const matrix = new THREE.Matrix4();
  if (!placement) return matrix;
  const rotation = new THREE.Matrix4().extractRotation(new THREE.Matrix4().set(...placement));
  const centre = sceneBox.isEmpty() ? new THREE.Vector3() : sceneBox.getCenter(new THREE.Vector3());
  return matrix.makeTranslation(centre.x, centre.y, centre.z).multiply(rotation)
    .multiply(new THREE.Matrix4().makeTranslation(-centre.x, -centre.y, -centre.z));
}

// The teacher's placement as the world group's matrix in VR: the model where the teacher put it.
export function roomPlacement(placement) {
  return placement ? new THREE.Matrix4().set(...placement) : null;
}
