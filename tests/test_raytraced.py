"""The ray-traced tier on the real Mesa driver: occlusion and shadows where geometry predicts them,
temporal accumulation that helps in motion, separate eye histories, refit after deformation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from renderer.scene.load import load_scene
from renderer.scene.model import Camera

pytestmark = pytest.mark.gl
SIZE = 64


def _options(headless, view="ao", **changes):
    base = dict(view_mode=view, ao_tier="raytraced", ao_radius_m=math.inf, rt_denoise_iterations=2)
    base.update(changes)
    return headless.options(**base)


def _pixel_of(headless, point):
    view = headless.last_views[0]
    clip = view.view_projection @ np.append(point, 1.0)
    ndc = clip[:2] / clip[3]
    return int((1 - (ndc[1] * 0.5 + 0.5)) * SIZE), int((ndc[0] * 0.5 + 0.5) * SIZE)


def test_contact_shadow_and_cast_shadow_where_geometry_predicts(headless, sphere_on_plane):
    headless.load(load_scene(sphere_on_plane))
    camera = headless.camera(1.0)
    ao = headless.render(SIZE, SIZE, camera, _options(headless, "ao", ao_rays_per_pixel=4, rt_still_frames=8))
    ao = ao[:, :, 0] / 255.0
    near_contact = _pixel_of(headless, np.array([0.0, -0.1, 0.105]))  # floor just in front of the contact
    far_floor = _pixel_of(headless, np.array([0.22, -0.1, -0.12]))
    assert ao[near_contact] < ao[far_floor] - 0.2
    assert ao[0, 0] == 1.0  # the open sky

    light = np.array([0.0, 0.5, -math.sqrt(0.75)])  # low, from behind: the shadow falls toward the camera
    options = _options(headless, "shadow", shadow_rays_per_pixel=4, rt_still_frames=4, key_direction=tuple(light))
    shadow = headless.render(SIZE, SIZE, camera, options)[:, :, 0] / 255.0
    # Where the ray from the sphere's centre away from the light meets the floor (y = -0.1).
    t = (-0.1 - 0.0) / -light[1]
    in_shadow = _pixel_of(headless, -light * t)
    assert shadow[in_shadow] < 0.05 and shadow[far_floor] > 0.95


def test_accumulation_in_motion_beats_single_frames(headless, sphere_on_plane):
    """Orbit the camera one degree per frame with 1 ray per pixel: the reprojected history must bring
    each frame much closer to the converged answer than a frame without history."""
    headless.load(load_scene(sphere_on_plane))
    base = headless.camera(1.0)

    def camera_at(degrees):
        a = math.radians(degrees)
        eye = np.asarray(base.eye_m)
        rotated = (eye[0] * math.cos(a) + eye[2] * math.sin(a), eye[1], -eye[0] * math.sin(a) + eye[2] * math.cos(a))
        return Camera(eye_m=rotated, target_m=base.target_m, vertical_fov_deg=base.vertical_fov_deg)

    def ao(camera, **changes):
        return headless.render(SIZE, SIZE, camera, _options(headless, **changes))[:, :, 0] / 255.0

    moving = None
    for step in range(12):
        moving = ao(camera_at(step), ao_rays_per_pixel=1, rt_denoise_iterations=1)
    final = camera_at(11)
    converged = ao(final, ao_rays_per_pixel=4, rt_still_frames=16, ao_radius_m=1e3)  # new signal: fresh history
    single = ao(final, ao_rays_per_pixel=1, rt_denoise_iterations=1, ao_radius_m=2e3)
    error_moving = np.abs(moving - converged).mean()
    error_single = np.abs(single - converged).mean()
    assert error_moving < 0.6 * error_single, (error_moving, error_single)


def test_stereo_eyes_keep_their_own_history(headless, sphere_on_plane):
    headless.load(load_scene(sphere_on_plane))
    options = _options(headless, ao_rays_per_pixel=2, rt_still_frames=4)
    image = headless.render(SIZE, SIZE, headless.camera(1.0), options, stereo=True, ipd_m=0.063)
    left, right = image[:, :SIZE, 0] / 255.0, image[:, SIZE:, 0] / 255.0
    assert abs(left.mean() - right.mean()) < 0.02  # same scene, nearly the same view
    assert len(headless.renderer.raytraced._histories) >= 2


def test_refit_moves_the_shadow_with_the_deformed_vertices(headless, sphere_on_plane):
    headless.load(load_scene(sphere_on_plane))
    camera = headless.camera(1.0)
    options = _options(headless, "shadow", shadow_rays_per_pixel=4, rt_still_frames=2)
    before = headless.render(SIZE, SIZE, camera, options)[:, :, 0] / 255.0
    rays = headless.renderer.raytraced.rays
    builds = rays.builds
    ball = headless.scene.parts["ball"]
    lifted = ball.mesh.source.positions + np.array([0.15, 0.0, 0.0], dtype=np.float32)
    rays.update_part_vertices(ball, lifted)  # as a deformer would, without moving the drawn mesh
    after = headless.render(SIZE, SIZE, camera, options)[:, :, 0] / 255.0
    assert rays.builds == builds and rays.refits >= 1
    assert np.abs(after - before).mean() > 0.01  # the cast shadow moved with the occluder
