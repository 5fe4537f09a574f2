"""The stage (issue 15): one core drawn into any target, and one picking path for the window and the
headset that sees parts where they are drawn -- deformed, not at rest. Real Mesa GL."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import save_png

from renderer.scene.load import load_scene
from renderer.scene.step_state import scene_state
from renderer.scene.viewer_changes import moved_step, with_clip_planes, with_highlight, with_label
from renderer.targets.base import Frame
from renderer.targets.offscreen import OffscreenTarget

pytestmark = pytest.mark.gl
SHIFT_M = 0.2  # how far the exploded view moves the ball (+X)


@pytest.fixture
def exploding_ball(sphere_on_plane):
    """The sphere-on-slab scene with the ball sliding SHIFT_M to +X over 1 s (an exploded view)."""
    scene = sphere_on_plane.parent / "exploding.yaml"
    exploding = ("  ball:\n    mesh: sphere.glb\n    material: bone\n    deform:\n"
                 f"      - {{kind: exploded_view, distance_m: {SHIFT_M}, direction: [1, 0, 0], duration_s: 1.0}}\n")
    scene.write_text(sphere_on_plane.read_text().replace("  ball: {mesh: sphere.glb, material: bone}\n", exploding))
    return scene


def test_a_deformed_part_is_picked_where_it_is_drawn(headless, exploding_ball, output_dir):
    headless.load(load_scene(exploding_ball))
    down = np.array([0.0, -1.0, 0.0])  # rays from above, onto the ball's top
    above_rest, above_moved = np.array([0.0, 0.5, 0.0]), np.array([SHIFT_M, 0.5, 0.0])
    at_rest = headless.pick_ray(above_rest, down)
    assert at_rest is not None and at_rest.part_id == "ball"
    assert np.allclose(at_rest.point_m, [0.0, 0.1, 0.0], atol=2e-3)  # the top of the 10 cm sphere
    headless.pose(2.0)  # fully exploded
    image = headless.render(320, 240)
    save_png(output_dir / "exploded.png", image)
    moved = headless.pick_ray(above_moved, down)
    assert moved is not None and moved.part_id == "ball", "the moved ball must be hit where it is drawn"
    assert np.allclose(moved.point_m, [SHIFT_M, 0.1, 0.0], atol=2e-3)
    assert abs(moved.distance - 0.4) < 2e-3
    where_it_was = headless.pick_ray(above_rest, down)
    assert where_it_was is not None and where_it_was.part_id == "floor", "nothing of the ball is left at rest"
    assert headless.pick_ray(above_moved, down, max_distance=0.35) is None  # out of reach (a poke's)
    # the window's pixel pick and the headset's ray agree: the pixel under the moved ball's centre
    view = headless.last_views[0]
    clip = view.view_projection @ np.array([SHIFT_M, 0.0, 0.0, 1.0])
    ndc = clip[:2] / clip[3]
    x, y = int((ndc[0] + 1) / 2 * 320), int((1 - ndc[1]) / 2 * 240)
    assert headless.pick(view, x, y).part_id == "ball"


def test_a_see_through_part_lets_the_ray_reach_inside(headless, sphere_on_plane):
    loaded = load_scene(sphere_on_plane)
    headless.load(loaded)
    state = scene_state(loaded)
    state.opacity["ball"] = 0.3
    headless.show(state)
    hit = headless.pick_ray((0.0, 0.5, 0.0), (0.0, -1.0, 0.0), min_opacity=0.5)
    assert hit is not None and hit.part_id == "floor"
    assert headless.pick_ray((0.0, 0.5, 0.0), (0.0, -1.0, 0.0)).part_id == "ball"


def test_the_view_loop_draws_the_offscreen_target_as_render_does(headless, sphere_on_plane):
    headless.load(load_scene(sphere_on_plane))
    expected = headless.render(160, 120)
    target = OffscreenTarget(headless.context.resources, 160, 120)
    try:
        views, results = headless.draw(target, Frame(headless.options(), headless.camera(160 / 120)))
        assert len(views) == len(results) == 1
        assert np.array_equal(target.read_image(), expected)
    finally:
        target.release()


def test_viewer_changes_are_pure(sphere_on_plane):
    loaded = load_scene(sphere_on_plane)
    state = scene_state(loaded)
    plane = np.array([0.0, -1.0, 0.0, 0.05])
    changed = with_label(with_clip_planes(with_highlight(state, on=["ball"]), plane), "ball", "Ball", (0, 0.1, 0))
    assert changed.highlighted == {"ball"} and state.highlighted == set()
    assert [len(p) for p in changed.clip_planes.values()] == [1, 1]
    assert all(len(p) == 0 for p in state.clip_planes.values())
    assert [label.text for label in changed.labels] == ["Ball"] and state.labels == []
    hidden = dataclasses.replace(state, visible=dict(state.visible, ball=False))
    assert with_label(hidden, "ball", "Ball", (0, 0, 0)).labels == []  # a hidden part's label does not show
    assert moved_step(loaded.scene, None, 1) is None  # no lesson: no step to move to
