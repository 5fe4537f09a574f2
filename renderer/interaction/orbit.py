"""Orbit camera control: turn around a target, pan across the view, zoom toward the target.

Pure maths on (eye, target, up) in scene space (metres), so the camera a scene declares is kept
exactly until the user moves it, and every operation is unit-testable without a window. Screen
quantities are pixels with the origin at the top left and y pointing down (as GLFW reports them).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from renderer import maths
from renderer.scene.model import Camera

ORBIT_RAD_PER_PIXEL = 0.008
MIN_POLE_ANGLE_RAD = 0.02  # never look exactly along `up`: the view would spin


@dataclass
class OrbitCamera:
    """eye_m, target_m: (3,) float64 scene metres; up: (3,) the world direction that stays up on screen."""

    eye_m: np.ndarray
    target_m: np.ndarray
    up: np.ndarray
    vertical_fov_deg: float

    @classmethod
    def from_camera(cls, camera: Camera) -> OrbitCamera:
        return cls(np.array(camera.eye_m, dtype=np.float64), np.array(camera.target_m, dtype=np.float64),
                   maths.normalize(np.array(camera.up, dtype=np.float64)), float(camera.vertical_fov_deg))  # fmt: skip

    def to_camera(self) -> Camera:
        return Camera(eye_m=tuple(float(v) for v in self.eye_m), target_m=tuple(float(v) for v in self.target_m),
                      up=tuple(float(v) for v in self.up), vertical_fov_deg=self.vertical_fov_deg)  # fmt: skip

    def copy(self) -> OrbitCamera:
        return OrbitCamera(self.eye_m.copy(), self.target_m.copy(), self.up.copy(), self.vertical_fov_deg)

    @property
    def distance_m(self) -> float:
        return float(np.linalg.norm(self.eye_m - self.target_m))

    def basis(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(right, screen_up, forward) unit vectors, as the view matrix uses them."""
        view = maths.look_at(self.eye_m, self.target_m, self.up)
        return view[0, :3].copy(), view[1, :3].copy(), -view[2, :3].copy()

    def metres_per_pixel(self, viewport_height_px: int) -> float:
        """Size of one pixel at the target's distance."""
        half = math.radians(self.vertical_fov_deg) / 2
        return 2.0 * self.distance_m * math.tan(half) / max(viewport_height_px, 1)

    def orbit(self, yaw_rad: float, pitch_rad: float) -> None:
        """Turn the eye around the target: `yaw` about `up` (positive: the scene turns right, as when
        dragging right), `pitch` about the screen's horizontal axis (positive: look from higher)."""
        offset = self.eye_m - self.target_m
        offset = _rotate(offset, self.up, -yaw_rad)
        pole = math.acos(float(np.clip(np.dot(maths.normalize(offset), self.up), -1.0, 1.0)))
        pitch = float(np.clip(pitch_rad, pole - math.pi + MIN_POLE_ANGLE_RAD, pole - MIN_POLE_ANGLE_RAD))
        right = np.cross(self.up, offset)
        if np.linalg.norm(right) > 1e-12:
            offset = _rotate(offset, maths.normalize(right), -pitch)
        self.eye_m = self.target_m + offset

    def drag_orbit(self, dx_px: float, dy_px: float) -> None:
        """Orbit as a mouse drag of (dx, dy) pixels does: the scene follows the cursor."""
        self.orbit(dx_px * ORBIT_RAD_PER_PIXEL, dy_px * ORBIT_RAD_PER_PIXEL)

    def pan(self, dx_px: float, dy_px: float, viewport_height_px: int) -> None:
        """Slide eye and target so that the point under the cursor follows a drag of (dx, dy) pixels."""
        right, screen_up, _ = self.basis()
        scale = self.metres_per_pixel(viewport_height_px)
        shift = (-dx_px * right + dy_px * screen_up) * scale
        self.eye_m = self.eye_m + shift
        self.target_m = self.target_m + shift

    def zoom(self, factor: float, min_distance_m: float = 1e-3, max_distance_m: float = 1e3) -> None:
        """Multiply the distance to the target by `factor` (< 1 moves closer), within limits."""
        offset = self.eye_m - self.target_m
        distance = float(np.linalg.norm(offset))
        wanted = float(np.clip(distance * factor, min_distance_m, max_distance_m))
        self.eye_m = self.target_m + offset * (wanted / distance)

    def drag_distance_along(self, direction: np.ndarray, dx_px: float, dy_px: float,
                            viewport_height_px: int) -> float:  # fmt: skip
        """Metres to move something along scene `direction` (3,) for a drag of (dx, dy) pixels, so that
        it follows the cursor. When `direction` points almost into the screen, dragging up moves it
        away from the viewer."""
        right, screen_up, forward = self.basis()
        d = maths.normalize(np.asarray(direction, dtype=np.float64))
        on_screen = np.array([d @ right, -(d @ screen_up)])  # pixels: y down
        length = float(np.linalg.norm(on_screen))
        scale = self.metres_per_pixel(viewport_height_px)
        if length < 0.3:
            sign = 1.0 if d @ forward >= 0 else -1.0
            return float(-dy_px * scale * sign)
        return float((dx_px * on_screen[0] + dy_px * on_screen[1]) / length**2 * scale)


def interpolate(start: OrbitCamera, end: OrbitCamera, t: float) -> OrbitCamera:
    """The camera a fraction `t` (0..1, eased) of the way from `start` to `end`: the target moves
    straight, the viewing direction turns on the great circle, the distance changes geometrically."""
    s = float(np.clip(t, 0.0, 1.0))
    s = s * s * (3.0 - 2.0 * s)
    target = start.target_m + (end.target_m - start.target_m) * s
    a, b = start.eye_m - start.target_m, end.eye_m - end.target_m
    da, db = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    direction = _slerp(a / da, b / db, s)
    distance = da * (db / da) ** s
    fov = start.vertical_fov_deg + (end.vertical_fov_deg - start.vertical_fov_deg) * s
    return OrbitCamera(target + direction * distance, target, end.up.copy(), fov)


def _slerp(a: np.ndarray, b: np.ndarray, s: float) -> np.ndarray:
    angle = math.acos(float(np.clip(a @ b, -1.0, 1.0)))
    if angle < 1e-6:
        return maths.normalize(a + (b - a) * s)
    return (math.sin((1 - s) * angle) * a + math.sin(s * angle) * b) / math.sin(angle)


def _rotate(v: np.ndarray, axis: np.ndarray, angle_rad: float) -> np.ndarray:
    """Rodrigues' rotation of `v` about unit `axis` by `angle_rad` (right-handed)."""
    c, s = math.cos(angle_rad), math.sin(angle_rad)
    return v * c + np.cross(axis, v) * s + axis * (axis @ v) * (1 - c)
