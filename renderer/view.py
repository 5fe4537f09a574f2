"""Views: what one eye (or the one desktop camera) sees, independent of the target it draws into.

Every target -- offscreen image, window, OpenXR swapchain -- yields `View`s, and one draw loop
(`Stage.draw`, renderer/stage/stage.py) renders each with `Renderer.render_view`.
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

    def project(self, points_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(K, 3) world points -> (K, 2) pixels (top-left origin, within the view) and (K,) view depth, metres."""
        homogeneous = np.c_[points_m, np.ones(len(points_m))]
        clip = homogeneous @ self.view_projection.T
        depth = -(homogeneous @ self.view_matrix.T)[:, 2]
        w = np.where(np.abs(clip[:, 3]) < 1e-9, 1e-9, clip[:, 3])
        width, height = self.size
        pixels = np.c_[(clip[:, 0] / w * 0.5 + 0.5) * width, (0.5 - clip[:, 1] / w * 0.5) * height]
        return pixels, depth


def bounding_sphere(bounds: np.ndarray) -> tuple[np.ndarray, float]:
    """Centre (3,) and radius (metres) of the sphere around an axis-aligned box (2, 3)."""
    centre = bounds.mean(axis=0)
    return centre, float(np.linalg.norm(bounds[1] - bounds[0]) / 2) or 1.0


FRONT = (0.35, 0.25, 1.0)  # the anatomical front (+Z), a little from above and from the patient's left
SIDE = (1.0, 0.25, 0.35)  # from the patient's left, for things longest front to back (a foot)
FILL = 0.9  # the framed points span this fraction of the narrower image side


def auto_camera(bounds: np.ndarray, vertical_fov_deg: float = 35.0, aspect: float = 1.0, direction=None,
                points: np.ndarray | None = None) -> Camera:  # fmt: skip
    """A camera that fits `points` ((N, 3) metres, e.g. the corners of each visible part's box;
    default: the corners of `bounds`) in the view, seen from the anatomical front, or from the side
    when the box is longest front to back (the longest extent then lies across the view).

    The distance is the least at which every point's projection lies within FILL of the frame,
    and the target is moved so that the projected extent is centred."""
    bounds = np.asarray(bounds, dtype=np.float64)
    if points is None or len(points) == 0:
        points = _corners(bounds)
    points = np.asarray(points, dtype=np.float64)
    if direction is None:
        size = bounds[1] - bounds[0]
        direction = SIDE if size[2] > max(size[0], size[1]) else FRONT
    back = maths.normalize(np.asarray(direction, dtype=np.float64))  # from the target toward the eye
    right = maths.normalize(np.cross((0.0, 1.0, 0.0), back)) if abs(back[1]) < 0.999 else np.array([1.0, 0, 0])
    up = np.cross(back, right)
    tan_y = math.tan(math.radians(vertical_fov_deg) / 2) * FILL
    tan_x = tan_y * aspect
    target = bounds.mean(axis=0)
    for _ in range(3):  # fit the distance, then centre the projection; converges in two or three rounds
        d = points - target
        x, y, depth = d @ right, d @ up, d @ back  # depth: toward the eye
        distance = max(float(np.max(np.abs(x) / tan_x + depth)), float(np.max(np.abs(y) / tan_y + depth)), 1e-3)
        ahead = distance - depth  # each point's distance in front of the eye
        sx, sy = x / ahead, y / ahead  # projected (tangent) coordinates
        shift_x = (sx.max() + sx.min()) / 2 * distance
        shift_y = (sy.max() + sy.min()) / 2 * distance
        target = target + right * shift_x + up * shift_y
    eye = target + back * distance
    return Camera(eye_m=tuple(eye), target_m=tuple(target), vertical_fov_deg=vertical_fov_deg)


def _corners(bounds: np.ndarray) -> np.ndarray:
    lo, hi = bounds
    return np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])


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
