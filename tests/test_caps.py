"""Clipping planes with capped cut faces, on the real Mesa driver."""

from __future__ import annotations

import numpy as np
import pytest

from renderer.scene.load import load_scene

pytestmark = pytest.mark.gl
SIZE = 96
CUT = ((0.0, 0.0, -1.0, 0.02),)  # keep z <= 0.02: the sphere's front is cut away, facing the camera


def _cut(headless):
    """Section every part with CUT, as a lesson step's section would (GpuPart.clip_planes)."""
    for part in headless.scene.parts.values():
        part.clip_planes = np.array(CUT, dtype=np.float64)


def _albedo(headless, **changes):
    _cut(headless)
    options = headless.options(view_mode="albedo", **changes)
    return headless.render(SIZE, SIZE, headless.camera(1.0), options).astype(np.float32) / 255.0


def _centre_of_ball(headless):
    view = headless.last_views[0]
    clip = view.view_projection @ np.array([0.0, 0.0, 0.02, 1.0])
    ndc = clip[:2] / clip[3]
    return int((1 - (ndc[1] * 0.5 + 0.5)) * SIZE), int((ndc[0] * 0.5 + 0.5) * SIZE)


def test_cut_face_is_filled_in_the_parts_colour(headless, sphere_on_plane, output_dir):
    headless.load(load_scene(sphere_on_plane))
    image = _albedo(headless)
    y, x = _centre_of_ball(headless)
    bone = np.asarray(headless.scene.parts["ball"].material.base_color)
    # The albedo view shows base colours as sRGB: the cap shows the ball's colour where the cut is.
    patch = image[y - 3:y + 4, x - 3:x + 4].reshape(-1, 3)
    if not np.allclose(patch.mean(axis=0), bone, atol=0.03):
        from conftest import save_png

        save_png(output_dir / "albedo.png", (image * 255).astype(np.uint8))
    assert np.allclose(patch.mean(axis=0), bone, atol=0.03)
    # Seen straight on, the cap is a disc: its pixels show the ball's colour over most of its area.
    ball_pixels = np.all(np.abs(image - bone) < 0.03, axis=2)
    assert ball_pixels.sum() > 0.5 * np.pi * (0.25 * SIZE) ** 2


def test_without_a_cap_the_cut_shows_the_inside(headless, sphere_on_plane):
    """A translucent part is not capped: through the cut one sees the back faces, not a fill."""
    headless.load(load_scene(sphere_on_plane))
    _cut(headless)
    headless.scene.parts["ball"].opacity = 0.5
    colour = headless.render(SIZE, SIZE, headless.camera(1.0), headless.options())
    headless.scene.parts["ball"].opacity = 1.0
    capped = headless.render(SIZE, SIZE, headless.camera(1.0), headless.options())
    y, x = _centre_of_ball(headless)
    assert np.abs(colour[y, x].astype(int) - capped[y, x].astype(int)).max() > 10


def test_caps_follow_a_deforming_mesh(headless, sphere_on_plane):
    headless.load(load_scene(sphere_on_plane))
    before = _albedo(headless)
    rays = headless.renderer.raytraced.rays
    ball = headless.scene.parts["ball"]
    shifted = ball.mesh.source.positions + np.array([0.05, 0.0, 0.0], dtype=np.float32)
    rays.update_part_vertices(ball, shifted)  # the BVH is refitted as a deformer's update would
    after = _albedo(headless)
    bone = np.asarray(ball.material.base_color)
    centre_x = lambda img: np.argwhere(np.all(np.abs(img - bone) < 0.03, axis=2))[:, 1].mean()
    assert centre_x(after) > centre_x(before) + 3  # the cap moved right with the vertices
