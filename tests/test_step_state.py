"""Lesson step semantics (pure logic): groups, show/hide/only, opacity, sections, cameras, animations."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import trimesh

from renderer.errors import ProsectorError
from renderer.scene.animation import KeyframeAnimation, keyframe_matrix
from renderer.scene.load import load_scene
from renderer.scene.part_materials import part_material
from renderer.scene.step_state import group_members, scene_state

SCENE = """
version: 1
language: en
bookmarks:
  side: {eye_m: [1, 0, 0], target_m: [0, 0, 0]}
parts:
  humerus: {mesh: box.glb, material: bone, name: {en: Humerus, zh: 肱骨}}
  radius: {mesh: box.glb, transform: {translation_m: [0, -0.3, 0]}}
  ulna: {mesh: box.glb, transform: {translation_m: [0.1, -0.3, 0]}, name: {en: Ulna}}
  skin: {mesh: box.glb, material: skin, opacity: 0.4}
groups:
  skeleton: {material: cartilage, name: {en: Skeleton}}
  upper_limb: {parts: [humerus], parent: skeleton}
  forearm: {parts: [radius, ulna], parent: upper_limb, material: bone}
clip_planes:
  half: {point_m: [0, 0, 0], normal: [1, 0, 0], parts: [skin]}
  low: {point_m: [0, -0.2, 0], normal: [0, -1, 0], active: false}
cut_boxes:
  window: {min_m: [-1, -1, 0], max_m: [1, 1, 1], active: false, parts: [forearm]}
animations:
  lift: {kind: keyframes, targets: [forearm], keyframes: [{time_s: 0}, {time_s: 2, translation_m: [0, 0.1, 0]}]}
  apart: {kind: explode, targets: [radius, ulna], distance_m: 0.05}
lesson:
  steps:
    - title: {en: Bones, zh: 骨}
      only: [skeleton]
      camera: side
      label: [humerus, forearm, ulna]
    - title: Forearm
      hide: [upper_limb]
      show: [skin, forearm]  # show wins over hide
      opacity: {forearm: 0.5}
      clip: [low, window]
      highlight: [forearm]
      camera: {eye_m: [0, 1, 1], target_m: [0, 0, 0]}
    - title: Moving
      animate: [lift, apart]
"""


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder: Path = tmp_path_factory.mktemp("arm")
    trimesh.creation.box(extents=(0.1, 0.2, 0.1)).export(folder / "box.glb")
    (folder / "arm.yaml").write_text(SCENE, encoding="utf-8")
    return load_scene(folder / "arm.yaml")


def test_groups_expand_through_the_hierarchy(loaded):
    scene = loaded.scene
    assert group_members(scene, ["skeleton"]) == ["humerus", "radius", "ulna"]
    assert group_members(scene, ["forearm", "ulna", "skin"]) == ["radius", "ulna", "skin"]


def test_group_material_applies_where_a_part_names_none(loaded):
    scene = loaded.scene
    assert part_material(scene, "humerus") == "bone"  # its own
    assert part_material(scene, "radius") == "bone"  # nearest group (forearm) before skeleton's cartilage
    assert part_material(scene, "skin") == "skin"


def test_scene_as_declared_without_a_step(loaded):
    state = scene_state(loaded)
    assert all(state.visible.values()) and state.opacity["skin"] == 0.4
    assert state.camera is None and state.labels == [] and state.highlighted == set()
    assert len(state.clip_planes["skin"]) == 1 and len(state.clip_planes["humerus"]) == 0  # only `half` is active
    plane = state.clip_planes["skin"][0]
    assert plane @ [-0.1, 0, 0, 1] > 0 > plane @ [0.1, 0, 0, 1]  # +X (where the normal points) is cut away


def test_only_and_bookmark_and_labels_in_the_chosen_language(loaded):
    state = scene_state(loaded, 0, "zh")
    assert [p for p, v in state.visible.items() if v] == ["humerus", "radius", "ulna"]
    assert state.camera.eye_m == (1.0, 0.0, 0.0)
    assert state.title == "骨"
    assert [(label.target_id, label.text) for label in state.labels] == [("humerus", "肱骨"), ("forearm", "forearm"),
                                                                         ("ulna", "Ulna")]  # fmt: skip
    assert all(len(label.points_m) > 0 for label in state.labels)


def test_steps_do_not_accumulate(loaded):
    second = scene_state(loaded, 1)
    assert second.visible == {"humerus": False, "radius": True, "ulna": True, "skin": True}
    assert second.opacity["radius"] == 0.5 and second.opacity["skin"] == 0.4
    assert second.highlighted == {"radius", "ulna"}
    assert len(second.clip_planes["skin"]) == 1 and len(second.clip_planes["humerus"]) == 1  # `low` cuts all parts
    assert len(second.cut_boxes["radius"]) == 1 and len(second.cut_boxes["skin"]) == 0
    third = scene_state(loaded, 2)
    assert all(third.visible.values()) and third.highlighted == set()


def test_animations_end_state_for_a_still_image(loaded):
    moved = scene_state(loaded, 2).motion
    start = scene_state(loaded, 2, time_s=0.0).motion
    assert np.allclose(moved["humerus"], np.eye(4))
    assert np.allclose(start["radius"], np.eye(4))
    # the forearm is lifted 10 cm and the radius and ulna pushed 5 cm apart along X (their centres differ in X)
    assert np.allclose(moved["radius"][:3, 3], [-0.05, 0.1, 0.0], atol=1e-6)
    assert np.allclose(moved["ulna"][:3, 3], [0.05, 0.1, 0.0], atol=1e-6)


def test_keyframes_interpolate_and_clamp():
    animation = KeyframeAnimation(kind="keyframes", targets=["x"], keyframes=[
        {"time_s": 0}, {"time_s": 2, "translation_m": [0.2, 0, 0], "rotation_deg": [0, 90, 0]}])  # fmt: skip
    pivot = np.zeros(3)
    assert np.allclose(keyframe_matrix(animation, 1.0, pivot)[:3, 3], [0.1, 0, 0])
    assert np.allclose(keyframe_matrix(animation, 9.0, pivot), keyframe_matrix(animation, 2.0, pivot))
    assert np.allclose(keyframe_matrix(animation, -1.0, pivot), np.eye(4))


def test_step_out_of_range_is_a_clear_error(loaded):
    with pytest.raises(ProsectorError, match="step 4 does not exist; the lesson has 3 step"):
        scene_state(loaded, 3)
