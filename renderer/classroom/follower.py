"""What a follower shows: the teacher's lesson state applied to the follower's copy of the scene, as
pure functions shared by the headless follower, the window and (later) the headset."""

from __future__ import annotations

from renderer.classroom.protocol import LessonState, Pose
from renderer.interaction.preview_state import scene_languages
from renderer.scene.load import LoadedScene
from renderer.scene.model import Camera
from renderer.scene.step_state import SceneState, scene_state
from renderer.scene.viewer_changes import clamped_step, with_clip_planes, with_highlight


def followed_state(loaded: LoadedScene, lesson: LessonState) -> SceneState:
    """The scene as the teacher shows it: their step and language (each only if this scene has it),
    their highlighted parts and their own clip planes on top of the step's."""
    scene = loaded.scene
    language = lesson.language if lesson.language in scene_languages(scene) else None
    state = scene_state(loaded, followed_step(loaded, lesson), language)
    state = with_highlight(state, on=lesson.highlight)
    return with_clip_planes(state, lesson.clip_planes)


def followed_step(loaded: LoadedScene, lesson: LessonState) -> int | None:
    """The teacher's step (0-based), clamped to this copy of the lesson; None before any step."""
    return clamped_step(loaded.scene, lesson.step)


def teacher_camera(pose: Pose, base: Camera) -> Camera:
    """Follow-me: the scene camera moved to the teacher's head (same field of view)."""
    return base.model_copy(update={"eye_m": pose.head_eye, "target_m": pose.head_target})
