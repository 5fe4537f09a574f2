"""Pure logic of the headset's hands: grab maths, ray casting, and the tools' state machine."""

from __future__ import annotations

import numpy as np
import pytest

from renderer import maths
from renderer.interaction.grab import (
    in_front_of,
    initial_placement,
    one_hand,
    placement_scale,
    pose_matrix,
    rotation_between,
    two_hands,
)
from renderer.interaction.ray import RayTarget, cast_ray, ray_box, ray_triangles
from renderer.interaction.xr_controls import HandInput, XrControls
from renderer.xr.feedback import _box_mesh


def _yaw(deg: float, position=(0.0, 0.0, 0.0)) -> np.ndarray:
    m = maths.rotation_euler_deg((0.0, deg, 0.0))
    m[:3, 3] = position
    return m


def test_one_hand_grab_moves_and_turns_with_the_hand():
    placement = maths.translation((0.0, 1.3, -0.6))
    hand0 = _yaw(0, (0.2, 1.3, -0.5))
    hand1 = _yaw(90, (0.2, 1.5, -0.5))
    result = one_hand(placement, hand0, hand1)
    point_scene = np.array([0.0, 0.0, 0.0, 1.0])  # the model origin, at (0, 1.3, -0.6) before
    # relative to the hand it was at (-0.2, 0, -0.1); turned 90 deg about +Y: (-0.1, 0, 0.2); hand moved up 0.2
    assert np.allclose(result @ point_scene, [0.2 - 0.1, 1.5, -0.5 + 0.2, 1.0])
    assert np.allclose(one_hand(placement, hand0, hand0), placement)


def test_two_hands_scale_by_distance_and_turn_by_direction():
    placement = np.eye(4)
    left0, right0 = np.array([-0.1, 1.0, 0.0]), np.array([0.1, 1.0, 0.0])
    left1, right1 = np.array([0.0, 1.0, -0.2]), np.array([0.0, 1.0, 0.2])  # twice as far apart, turned 90 deg
    result = two_hands(placement, left0, right0, left1, right1)
    assert placement_scale(result) == pytest.approx(2.0)
    assert np.allclose(result @ [0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0])  # the midpoint stays
    assert np.allclose(result @ [0.1, 1.0, 0.0, 1.0], [0.0, 1.0, 0.2, 1.0])  # the right hand's point follows it
    huge = two_hands(np.eye(4) * np.array([15, 15, 15, 1.0]), left0, right0, left0 * 10, right0 * 10)
    assert placement_scale(huge) == pytest.approx(20.0)  # clamped


@pytest.mark.parametrize("a, b", [((1, 0, 0), (0, 0, 1)), ((0, 1, 0), (0, 1, 0)), ((0, 0, 1), (0, 0, -1))])
def test_rotation_between(a, b):
    r = rotation_between(np.array(a, float), np.array(b, float))
    assert np.allclose(r @ a, b) and np.allclose(r @ r.T, np.eye(3)) and np.linalg.det(r) == pytest.approx(1.0)


def test_placement_in_front_of_the_head():
    head = _yaw(90, (1.0, 1.6, 0.0))  # looking along -X
    assert np.allclose(in_front_of(head), [1.0 - 0.55, 1.45, 0.0])
    bounds = np.array([[-0.1, -0.1, -0.1], [0.1, 0.1, 0.1]]) + 5.0
    placement = initial_placement(bounds, (0.0, 1.4, -0.5))
    assert np.allclose(maths.transform_points(placement, bounds.mean(axis=0)[None])[0], [0.0, 1.4, -0.5])
    assert placement_scale(placement) == 1.0  # life size
    assert placement_scale(initial_placement(bounds * 1e-3)) > 1.0  # a molecule is enlarged


def test_ray_box_and_triangles():
    box = np.array([[-1.0, -1.0, -1.0], [1.0, 1.0, 1.0]])
    assert ray_box(np.array([0.0, 0.0, 5.0]), np.array([0.0, 0.0, -1.0]), box) == pytest.approx(4.0)
    assert ray_box(np.array([3.0, 0.0, 5.0]), np.array([0.0, 0.0, -1.0]), box) is None
    mesh = _box_mesh()
    t = ray_triangles(np.array([0.0, 0.0, 5.0]), np.array([0.0, 0.0, -1.0]), mesh.positions.astype(float),
                      mesh.indices)  # fmt: skip
    assert np.min(t) == pytest.approx(4.5) and np.isfinite(t).sum() == 4  # front and back faces, two each


def _target(part_id, offset, planes=None):
    mesh = _box_mesh()
    planes = np.zeros((0, 4)) if planes is None else planes
    return RayTarget(part_id, maths.translation(offset) @ maths.scaling(0.1), mesh.positions, mesh.indices,
                     mesh.bounds, planes)  # fmt: skip


def test_cast_ray_nearest_part_and_clip_planes():
    near, far = _target("near", (0.0, 0.0, -1.0)), _target("far", (0.0, 0.0, -2.0))
    hit = cast_ray((0.0, 0.0, 0.0), (0.0, 0.0, -1.0), [far, near])
    assert hit.part_id == "near" and np.allclose(hit.point_m, [0.0, 0.0, -0.95])
    cut = _target("near", (0.0, 0.0, -1.0), planes=np.array([[0.0, 0.0, -1.0, -1.0]]))  # keeps z <= -1
    assert np.allclose(cast_ray((0, 0, 0), (0, 0, -1), [cut]).point_m, [0.0, 0.0, -1.05])  # the back face
    assert cast_ray((0, 0, 0), (0, 1, 0), [near, far]) is None
    assert cast_ray((0, 0, 0), (0, 0, -1), [near], max_distance=0.5) is None


def test_cast_ray_passes_through_alpha_mask_holes():
    """The XR pointer, like the screen, goes through a masked part's holes to what lies behind."""
    from renderer.scene.alpha_masks import AlphaMask

    positions = np.array([[-1, -1, 0], [1, -1, 0], [1, 1, 0], [-1, 1, 0]], dtype=np.float32)
    faces = np.array([[0, 1, 2], [0, 2, 3]], dtype=np.uint32)
    uvs = (positions[:, :2] + 1) / 2  # u along x, v along y
    alpha = np.full((4, 4), 255, dtype=np.uint8)
    alpha[:, :2] = 0  # the image's left half (u < 0.5, x < 0) is a hole
    sheet = RayTarget("sheet", np.eye(4), positions, faces, np.array([[-1, -1, 0], [1, 1, 0]]), np.zeros((0, 4)),
                      uvs, AlphaMask(alpha, 0.5, "test"))  # fmt: skip
    behind = _target("behind", (-0.5, 0.0, -1.0))
    assert cast_ray((-0.5, 0.0, 1.0), (0, 0, -1), [sheet, behind]).part_id == "behind"
    assert cast_ray((0.5, 0.0, 1.0), (0, 0, -1), [sheet, behind]).part_id == "sheet"


def _cast_at(part_id):
    def cast(origin, direction, max_distance):
        return cast_ray(origin, direction, [_target(part_id, (0.0, 1.3, -0.6))], max_distance)
    return cast


def test_controls_point_select_steps_and_modes():
    controls = XrControls(np.eye(4))
    aim = pose_matrix((0.0, 1.3, 0.0), (0, 0, 0, 1))  # pointing along -Z at the box
    events = controls.update({"right": HandInput(grip=aim, aim=aim)}, _cast_at("brain"))
    assert events == [] and controls.hover["right"].part_id == "brain"
    events = controls.update({"right": HandInput(grip=aim, aim=aim, trigger=1.0)}, _cast_at("brain"))
    assert [e.kind for e in events] == ["select", "haptic"] and events[0].part_id == "brain"
    events = controls.update({"right": HandInput(grip=aim, aim=aim, trigger=0.5)}, _cast_at("brain"))
    assert events == []  # still held (hysteresis): no second selection
    kinds = []
    for pressed in (True, False, True, False):
        kinds += [e.value for e in controls.update({"right": HandInput(next_step=pressed)}, _cast_at("brain"))]
    assert kinds == [1, 1]
    events = controls.update({"left": HandInput(mode=True)}, _cast_at("brain"))
    assert [(e.kind, e.value) for e in events] == [("mode", "clip")]


def test_clip_plane_held_in_the_hand():
    controls = XrControls(maths.translation((0.0, 1.0, 0.0)), mode="clip")
    hand = pose_matrix((0.0, 1.2, -0.5), (0, 0, 0, 1))  # pointing along -Z
    controls.update({"right": HandInput(grip=hand, aim=hand)}, _cast_at("x"))
    plane = controls.clip_plane  # scene space: the hand is at scene (0, 0.2, -0.5)
    assert np.allclose(plane, [0.0, 0.0, -1.0, -0.5])  # keeps z <= -0.5: what lies beyond the hand
    controls.update({"right": HandInput(grip=hand, aim=hand, trigger=1.0)}, _cast_at("x"))
    moved = pose_matrix((0.0, 1.2, -0.2), (0, 0, 0, 1))
    controls.update({"right": HandInput(grip=moved, aim=moved)}, _cast_at("x"))
    assert controls.clip_frozen and np.allclose(controls.clip_plane, plane)  # left in place


def test_poke_grabs_drags_and_releases_soft_tissue():
    controls = XrControls(np.eye(4), mode="poke")
    tip = pose_matrix((0.0, 1.3, -0.52), (0, 0, 0, 1))  # 3 cm in front of the box's face at z = -0.55
    events = controls.update({"right": HandInput(grip=tip, aim=tip, trigger=1.0)}, _cast_at("liver"), {"liver"})
    assert [e.kind for e in events] == ["poke_start", "haptic"] and controls.poking == "liver"
    moved = pose_matrix((0.0, 1.31, -0.52), (0, 0, 0, 1))
    events = controls.update({"right": HandInput(grip=moved, aim=moved, trigger=1.0)}, _cast_at("liver"), {"liver"})
    assert events[0].kind == "poke_drag" and np.allclose(events[0].point_m, [0.0, 0.01, 0.0])
    events = controls.update({"right": HandInput(grip=moved, aim=moved)}, _cast_at("liver"), {"liver"})
    assert [e.kind for e in events] == ["poke_end"] and controls.poking is None
    events = controls.update({"right": HandInput(grip=tip, aim=tip, trigger=1.0)}, _cast_at("bone"), {"liver"})
    assert events == []  # not soft tissue


def test_grab_events_and_release_on_focus_loss():
    controls = XrControls(np.eye(4))
    grip = _yaw(0, (0.1, 1.0, 0.0))
    assert [e.value for e in controls.update({"left": HandInput(grip=grip, squeeze=1.0)}, _cast_at("x"))] == [1]
    turned = _yaw(45, (0.1, 1.0, 0.0))
    controls.update({"left": HandInput(grip=turned, squeeze=1.0)}, _cast_at("x"))
    assert np.allclose(controls.placement, one_hand(np.eye(4), grip, turned))
    controls.release_all()
    assert controls.grabbing == ()
