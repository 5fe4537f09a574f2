"""Orbit camera maths of the preview (pure logic, no window)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from renderer import maths
from renderer.interaction.orbit import MIN_POLE_ANGLE_RAD, OrbitCamera, interpolate
from renderer.scene.model import Camera


def front_camera(distance: float = 0.5) -> OrbitCamera:
    return OrbitCamera.from_camera(Camera(eye_m=(0.0, 0.0, distance), target_m=(0.0, 0.0, 0.0), vertical_fov_deg=40))


def project(camera: OrbitCamera, point: np.ndarray, height: int = 200, width: int = 200) -> np.ndarray:
    """Pixel (x, y), top-left origin, of a world point."""
    view = maths.look_at(camera.eye_m, camera.target_m, camera.up)
    projection = maths.perspective(camera.vertical_fov_deg, width / height, 0.01, 10.0)
    clip = projection @ view @ np.r_[point, 1.0]
    ndc = clip[:3] / clip[3]
    return np.array([(ndc[0] * 0.5 + 0.5) * width, (0.5 - ndc[1] * 0.5) * height])


def test_round_trip_keeps_the_declared_camera_exactly():
    camera = Camera(eye_m=(0.36, 0.13, 0.26), target_m=(0.0, -0.02, -0.012), vertical_fov_deg=38)
    again = OrbitCamera.from_camera(camera).to_camera()
    assert again.eye_m == camera.eye_m and again.target_m == camera.target_m
    assert again.vertical_fov_deg == camera.vertical_fov_deg


def test_orbit_keeps_target_and_distance_and_turns_the_right_way():
    camera = front_camera()
    camera.drag_orbit(50, 0)  # drag right: the scene turns right, so the eye moves to the left (-X)
    assert camera.distance_m == pytest.approx(0.5)
    np.testing.assert_allclose(camera.target_m, 0.0)
    assert camera.eye_m[0] < -0.1 and camera.eye_m[1] == pytest.approx(0.0, abs=1e-12)
    camera = front_camera()
    camera.drag_orbit(0, 40)  # drag down: the top comes toward the viewer, seen from higher
    assert camera.eye_m[1] > 0.1 and camera.distance_m == pytest.approx(0.5)


def test_orbit_stops_short_of_the_poles():
    camera = front_camera()
    camera.orbit(0.0, 10.0)  # far past straight down from above
    pole = math.acos(np.dot(maths.normalize(camera.eye_m - camera.target_m), camera.up))
    assert pole == pytest.approx(MIN_POLE_ANGLE_RAD, abs=1e-9)
    camera.orbit(0.0, -10.0)
    pole = math.acos(np.dot(maths.normalize(camera.eye_m - camera.target_m), camera.up))
    assert pole == pytest.approx(math.pi - MIN_POLE_ANGLE_RAD, abs=1e-9)


def test_pan_moves_the_target_plane_with_the_cursor():
    camera = front_camera()
    before = project(camera, np.zeros(3))
    camera.pan(30, -20, 200)
    after = project(camera, np.zeros(3))
    np.testing.assert_allclose(after - before, [30, -20], atol=1e-6)
    assert camera.distance_m == pytest.approx(0.5)


def test_zoom_scales_the_distance_within_limits():
    camera = front_camera()
    camera.zoom(0.5)
    assert camera.distance_m == pytest.approx(0.25)
    camera.zoom(1e-9)
    assert camera.distance_m == pytest.approx(1e-3)


def test_dragging_along_a_direction_follows_the_cursor():
    camera = front_camera()
    metres = camera.drag_distance_along(np.array([1.0, 0.0, 0.0]), 40, 0, 200)
    moved = project(camera, np.array([metres, 0.0, 0.0])) - project(camera, np.zeros(3))
    np.testing.assert_allclose(moved, [40, 0], atol=1e-6)
    # a direction pointing into the screen: dragging up moves it away from the viewer
    assert camera.drag_distance_along(np.array([0.0, 0.0, -1.0]), 0, -10, 200) > 0


def test_interpolation_ends_where_it_should_and_keeps_looking_at_the_path():
    start = front_camera(0.5)
    end = OrbitCamera.from_camera(Camera(eye_m=(0.8, 0.2, 0.1), target_m=(0.1, 0.0, 0.0), vertical_fov_deg=30))
    np.testing.assert_allclose(interpolate(start, end, 0.0).eye_m, start.eye_m, atol=1e-12)
    np.testing.assert_allclose(interpolate(start, end, 1.0).eye_m, end.eye_m, atol=1e-12)
    middle = interpolate(start, end, 0.5)
    assert min(start.distance_m, end.distance_m) <= middle.distance_m <= max(start.distance_m, end.distance_m)
