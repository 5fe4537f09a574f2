"""What a follower shows: the teacher's lesson state applied to the follower's copy of the scene, as
pure functions shared by the headless follower, the window and (later) the headset."""

from __future__ import annotations

import numpy as np

from renderer.classroom.protocol import LessonState, Pose
from renderer.interaction.preview_state import scene_languages
from renderer.scene.load import LoadedScene
from renderer.scene.model import Camera
from renderer.scene.sections import MAX_ACTIVE_PLANES
from renderer.scene.step_state import SceneState, scene_state


def followed_state(loaded: LoadedScene, lesson: LessonState) -> SceneState:
    """The scene as the teacher shows it: their step and language (each only if this scene has it),
    their highlighted parts and their own clip planes on top of the step's."""
    scene = loaded.scene
    language = lesson.language if lesson.language in scene_languages(scene) else None
    state = scene_state(loaded, followed_step(loaded, lesson), language)
    state.highlighted |= {part for part in lesson.highlight if part in scene.parts}
    if lesson.clip_planes:
        planes = np.asarray(lesson.clip_planes, dtype=np.float64).reshape(-1, 4)
        for part_id, own in state.clip_planes.items():
            room = MAX_ACTIVE_PLANES - len(own.reshape(-1, 4))
            if room > 0:
                state.clip_planes[part_id] = np.vstack([own.reshape(-1, 4), planes[:room]])
    return state


def followed_step(loaded: LoadedScene, lesson: LessonState) -> int | None:
    """The teacher's step (0-based), clamped to this copy of the lesson; None before any step."""
    scene = loaded.scene
    count = len(scene.lesson.steps) if scene.lesson else 0
    return None if lesson.step is None or count == 0 else min(lesson.step, count - 1)


def teacher_camera(pose: Pose, base: Camera) -> Camera:
    """Follow-me: the scene camera moved to the teacher's head (same field of view)."""
    return base.model_copy(update={"eye_m": pose.head_eye, "target_m": pose.head_target})
