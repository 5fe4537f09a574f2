"""The preview's view state on the example lesson: steps, languages, the viewer's changes (no window)."""

from __future__ import annotations

import numpy as np
import pytest

from renderer.interaction.orbit import OrbitCamera
from renderer.interaction.preview_state import PreviewState, active_planes, scene_languages, viewer_plane_equation
from renderer.scene.load import load_scene
from renderer.scene.model import Camera
from tests.conftest import SCENES


@pytest.fixture(scope="module")
def lesson():
    return load_scene(SCENES / "brain-lesson.yaml")


def test_steps_are_clamped_and_each_starts_clean(lesson):
    preview = PreviewState(step=0)
    assert not preview.go_to_step(-3, lesson.scene)  # already at the first step
    preview.shown["head_skin"] = False
    assert preview.go_to_step(99, lesson.scene) and preview.step == 5
    assert preview.shown == {}
    state = preview.scene_state(lesson)
    assert state.title == "Check yourself" and state.visible["head_skin"] is False


def test_languages_come_from_the_scene_texts_and_cycle(lesson):
    languages = scene_languages(lesson.scene)
    assert languages[0] == "en" and {"zh", "es", "fr"} <= set(languages)
    preview = PreviewState(step=0)
    assert preview.next_language(lesson.scene) == languages[1]
    assert preview.scene_state(lesson).title == {"zh": "头部", "es": "La cabeza", "fr": "La tête"}[languages[1]]


def test_viewer_changes_go_on_top_of_the_step(lesson):
    preview = PreviewState(step=2)  # "Two hemispheres": the skin is hidden
    state = preview.scene_state(lesson)
    assert not state.visible["head_skin"]
    preview.toggle_visible("head_skin", state)
    preview.toggle_highlight("cortex_right", state)
    state = preview.scene_state(lesson)
    assert state.visible["head_skin"] and "cortex_right" in state.highlighted


def test_picking_labels_the_part_at_the_clicked_point_and_checks_the_question(lesson):
    preview = PreviewState(step=5, language="zh")  # "point at the white matter"
    preview.pick(lesson, "cortex_left", np.array([0.03, 0.02, 0.0]))
    assert preview.answer == "wrong"
    state = preview.scene_state(lesson)
    picked = [label for label in state.labels if label.target_id == "cortex_left"]
    assert picked[0].text == "左大脑半球"
    np.testing.assert_allclose(picked[0].anchor_m, [0.03, 0.02, 0.0])
    preview.pick(lesson, "white_matter", np.zeros(3))
    assert preview.answer == "right"
    preview.pick(lesson, None, None)
    assert preview.picked is None and preview.answer is None


def test_dragging_the_step_section_shifts_its_plane(lesson):
    preview = PreviewState(step=4)  # the axial cut at y = 3.5 cm removes what lies above
    assert active_planes(lesson.scene, 4) == ["axial_cut"]
    before = preview.scene_state(lesson).clip_planes["white_matter"][0]
    assert preview.move_plane(lesson.scene, 0.01) == "axial_cut"
    after = preview.scene_state(lesson).clip_planes["white_matter"][0]
    point_before = np.array([0.0, 0.035, 0.0])
    assert before @ np.r_[point_before, 1.0] == pytest.approx(0.0, abs=1e-12)
    assert after @ np.r_[point_before + [0.0, 0.01, 0.0], 1.0] == pytest.approx(0.0, abs=1e-12)
    assert lesson.scene.clip_planes["axial_cut"].point_m == (0.0, 0.035, 0.0)  # the scene itself is untouched


def test_the_viewer_plane_cuts_away_what_faces_the_viewer(lesson):
    camera = OrbitCamera.from_camera(Camera(eye_m=(0.0, 0.0, 0.5), target_m=(0.0, 0.0, 0.0)))
    plane = viewer_plane_equation(camera, 0.02)
    assert plane @ [0.0, 0.0, 0.1, 1.0] < 0 < plane @ [0.0, 0.0, 0.0, 1.0]  # kept behind z = 0.02
    preview = PreviewState(step=0, viewer_plane=True, viewer_plane_offset_m=0.02)
    state = preview.scene_state(lesson, camera)
    np.testing.assert_allclose(state.clip_planes["cortex_left"][-1], plane)


def test_a_reload_keeps_what_still_exists(lesson):
    preview = PreviewState(step=5)
    preview.shown = {"gone": True, "head_skin": True}
    preview.pick(lesson, "cortex_left", np.zeros(3))
    smaller = load_scene(SCENES / "brain.yaml")  # no lesson
    preview.adapt_to(smaller)
    assert preview.step is None and preview.shown == {"head_skin": True}
    assert preview.picked is not None


def test_the_viewer_plane_cuts_molecules_too():
    lesson = load_scene(SCENES / "hiv-protease-lesson.yaml")
    camera = OrbitCamera.from_camera(Camera(eye_m=(0.0, 0.0, 1.0), target_m=(0.0, 0.0, 0.0)))
    plain = PreviewState(step=0).scene_state(lesson, camera)
    cut = PreviewState(step=0, viewer_plane=True, viewer_plane_offset_m=0.0).scene_state(lesson, camera)
    assert len(plain.molecules["protease"].clip_planes) == 0
    assert np.allclose(cut.molecules["protease"].clip_planes, [viewer_plane_equation(camera, 0.0)])
