"""Views: what one eye (or the one desktop camera) sees, independent of the target it draws into.

Every target -- offscreen image, window, OpenXR swapchain -- yields `View`s, and one draw loop
renders each: `for view in target.views(frame): renderer.render_view(gpu_scene, view, ...)`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from renderer import maths
from renderer.scene.model import Camera


@dataclass(frozen=True)
class View:
    """One rendered view.

    view_matrix: (4, 4) world -> view; projection: (4, 4) view -> clip (OpenGL);
    eye_m: (3,) eye position in world metres; viewport: (x, y, width, height) pixels in the target;
    index: 0 = left/mono, 1 = right eye.
    """

    view_matrix: np.ndarray
    projection: np.ndarray
    eye_m: np.ndarray
    viewport: tuple[int, int, int, int]
    near_m: float
    far_m: float
    index: int = 0

    @property
    def size(self) -> tuple[int, int]:
        return self.viewport[2], self.viewport[3]

    @property
    def view_projection(self) -> np.ndarray:
        return self.projection @ self.view_matrix


@dataclass(frozen=True)
class Frame:
    """Everything shared by the views of one frame: time and the desktop camera (or rig)."""

    camera: Camera
    time_s: float = 0.0


def bounding_sphere(bounds: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre (3,) and radius (metres) of the sphere around an axis-aligned box (2, 3)."""
    centre = bounds.mean(axis=0)
    return centre, float(np.linalg.norm(bounds[1] - bounds[0]) / 2) or 1.0


def auto_camera(
    bounds: np.ndarray, vertical_fov_deg: float = 35.0, aspect: float = 1.0, direction=(0.35, 0.25, 1.0)
) -> Camera:
    """A camera that frames the whole box, looking from the front (+Z), slightly from above right."""
    centre, radius = bounding_sphere(bounds)
    half = math.radians(vertical_fov_deg) / 2
    half_narrow = min(half, math.atan(math.tan(half) * aspect))
    distance = radius / math.sin(half_narrow) * 1.02
    eye = centre + maths.normalize(np.asarray(direction, dtype=np.float64)) * distance
    return Camera(eye_m=tuple(eye), target_m=tuple(centre), vertical_fov_deg=vertical_fov_deg)


def near_far(eye: np.ndarray, bounds: np.ndarray) -> tuple[float, float]:
    """Clip distances (metres) that enclose the scene's bounding sphere as seen from `eye`."""
    centre, radius = bounding_sphere(bounds)
    distance = float(np.linalg.norm(eye - centre))
    far = distance + radius * 1.05
    near = max(distance - radius * 1.05, far / 2000.0, 1e-4)
    return near, far


def camera_views(
    camera: Camera, bounds: np.ndarray, width: int, height: int, stereo: bool = False, ipd_m: float = 0.063
) -> list[View]:
    """Mono: one view of `width`x`height`. Stereo: left and right eyes side by side (2*width wide),
    parallel axes, each eye offset by ipd/2 along the camera's right vector."""
    view = maths.look_at(camera.eye_m, camera.target_m, camera.up)
    eye = np.asarray(camera.eye_m, dtype=np.float64)
    near, far = near_far(eye, bounds)
    projection = maths.perspective(camera.vertical_fov_deg, width / height, near, far)
    if not stereo:
        return [View(view, projection, eye, (0, 0, width, height), near, far, 0)]
    right = view[0, :3]
    views = []
    for index, sign in enumerate((-1.0, 1.0)):
        offset = right * sign * ipd_m / 2
        eye_view = maths.translation(-np.array([sign * ipd_m / 2, 0.0, 0.0])) @ view
        views.append(View(eye_view, projection, eye + offset, (index * width, 0, width, height), near, far, index))
    return views
