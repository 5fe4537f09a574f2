// "Enter VR" through WebXR where the browser has it: the lesson floats in front of the student,
// labels become sprites, the right trigger goes to the next step, the left one back.
import * as THREE from 'three';
import { roomPlacement, screenPlacement } from './classroom/followed.js';

const STAND_IN_FRONT = new THREE.Vector3(0, 1.35, -0.6); // metres, local-floor space
const REACH_M = 0.6; // the scene is scaled up or down to about this size

export function createXr(stage, options) {
  const { button, sceneBox, labelGroup, status } = options;
  let session = null;
  let frames = 0;
  status.xr = { supported: false, presenting: false, frames: 0 };

  if (navigator.xr && navigator.xr.isSessionSupported) {
    navigator.xr.isSessionSupported('immersive-vr').then((supported) => {
      status.xr.supported = supported;
      button.hidden = !supported;
    }).catch(() => { button.hidden = true; });
  }

  // A classroom teacher's placement (options.placement(), scene -> room) stands the model where the
  // teacher put it in VR, and turns it the same way on screen.
  const placeWorld = (presenting) => {
    const teacher = options.placement ? options.placement() : null;
    const world = stage.world;
    if (presenting && teacher) {
      roomPlacement(teacher).decompose(world.position, world.quaternion, world.scale);
    } else if (presenting && !sceneBox.isEmpty()) {
      stage.world.quaternion.identity();
      const centre = sceneBox.getCenter(new THREE.Vector3());
      const size = sceneBox.getSize(new THREE.Vector3()).length();
      const scale = Math.min(Math.max(REACH_M / size, 0.05), 20);
      stage.world.scale.setScalar(scale);
      stage.world.position.copy(STAND_IN_FRONT).addScaledVector(centre, -scale);
    } else {
      screenPlacement(teacher, sceneBox).decompose(world.position, world.quaternion, world.scale);
    }
    stage.world.updateMatrixWorld(true);
    options.reapply(); // clip planes live in world space
    labelGroup.visible = presenting && options.showLabels;
  };

  const onEnd = () => {
    session = null;
    status.xr.presenting = false;
    placeWorld(false);
    button.textContent = options.text().vr;
  };

  for (const index of [0, 1]) {
    const controller = stage.renderer.xr.getController(index);
    controller.addEventListener('connected', (event) => { controller.userData.hand = event.data.handedness; });
    controller.addEventListener('select', () => options.step(controller.userData.hand === 'left' ? -1 : 1));
    stage.scene.add(controller);
  }

  return {
    placeWorld: () => placeWorld(!!session),
    async toggle() {
      if (session) { await session.end(); return; }
      session = await navigator.xr.requestSession('immersive-vr', { optionalFeatures: ['local-floor'] });
      session.addEventListener('end', onEnd);
      await stage.renderer.xr.setSession(session);
      status.xr.presenting = true;
      placeWorld(true);
      button.textContent = options.text().exitVr;
    },
    frame() {
      frames += 1;
      status.xr.frames = frames;
    },
  };
}
