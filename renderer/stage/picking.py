"""Picking, one path for the window and the headset: the GPU id pass (renderer.passes.picking), which
draws exactly what the shading pass draws -- deformed vertices, explode offsets, clip planes, cut-away
boxes, mask holes -- so a structure is picked where it is seen.

A headset's controller ray becomes a 1x1-pixel view looking down the ray: a triangle covers that
pixel exactly when it covers the pixel's centre, which is the ray itself, so the id pass is a ray cast.
"""

from __future__ import annotations

import numpy as np

from renderer import maths
from renderer.interaction.ray import RayHit
from renderer.view import View, near_far

RAY_HALF_TANGENT = 1e-3  # the 1x1 view's half-width: only the centre ray decides coverage
RAY_DEPTH_RANGE = 1e4  # far / near of the ray's view (float depth resolves mm at 1 m)


def ray_view(origin: np.ndarray, direction: np.ndarray, bounds: np.ndarray, max_distance: float = np.inf) -> View:
    """A 1x1 view from `origin` along `direction` (scene space, any length), reaching the far side of
    `bounds` (2, 3) or `max_distance` (scene units), whichever is nearer."""
    origin = np.asarray(origin, dtype=np.float64)
    direction = maths.normalize(np.asarray(direction, dtype=np.float64))
    up = (0.0, 1.0, 0.0) if abs(direction[1]) < 0.99 else (1.0, 0.0, 0.0)
    view_matrix = maths.look_at(origin, origin + direction, up)
    far = near_far(origin, bounds)[1]
    if np.isfinite(max_distance):
        far = min(far, float(max_distance))
    far = max(far, 1e-6)
    near = far / RAY_DEPTH_RANGE
    t = RAY_HALF_TANGENT
    projection = maths.frustum_from_tangents(-t, t, -t, t, near, far)
    return View(view_matrix, projection, origin, (0, 0, 1, 1), near, far, 0)


def hit_of(part_id: str | None, point_m: np.ndarray | None, origin: np.ndarray,
           max_distance: float) -> RayHit | None:  # fmt: skip
    """The pick's answer as a ray hit (distance in scene units), None when nothing lies within reach."""
    if part_id is None or point_m is None:
        return None
    distance = float(np.linalg.norm(np.asarray(point_m, dtype=np.float64) - np.asarray(origin, dtype=np.float64)))
    return RayHit(part_id, np.asarray(point_m, dtype=np.float64), distance) if distance <= max_distance else None
