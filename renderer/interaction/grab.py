"""Grabbing the model with one or two hands: pure maths on 4x4 row-major matrices.

`placement` maps scene space (metres, the scene file's frame) into the XR reference space (STAGE or
LOCAL, metres). Hand poses are 4x4 rigid transforms in the same XR space. One hand moves and rotates
the model rigidly with the hand; two hands also scale it by the change in distance between them and
turn it by the change in the direction from one hand to the other.
"""

from __future__ import annotations

import numpy as np

from renderer import maths

MIN_SCALE, MAX_SCALE = 0.05, 20.0


def pose_matrix(position, orientation) -> np.ndarray:
    """4x4 from a position (3,) metres and a quaternion (x, y, z, w)."""
    m = maths.quaternion_matrix(orientation)
    m[:3, 3] = position
    return m


def rigid_inverse(pose: np.ndarray) -> np.ndarray:
    """Inverse of a rotation + translation 4x4 (cheaper and exacter than a general inverse)."""
    out = np.eye(4)
    out[:3, :3] = pose[:3, :3].T
    out[:3, 3] = -pose[:3, :3].T @ pose[:3, 3]
    return out


def one_hand(placement_at_grab: np.ndarray, hand_at_grab: np.ndarray, hand_now: np.ndarray) -> np.ndarray:
    """The model follows the hand rigidly: placement = hand_now . hand_at_grab^-1 . placement_at_grab."""
    return hand_now @ rigid_inverse(hand_at_grab) @ placement_at_grab


def placement_scale(placement: np.ndarray) -> float:
    """Uniform scale of a placement (scene metres -> XR metres)."""
    return float(np.cbrt(abs(np.linalg.det(placement[:3, :3]))))


def rotation_between(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """3x3 rotation taking direction `a` to direction `b` by the shortest arc."""
    a, b = maths.normalize(np.asarray(a, float)), maths.normalize(np.asarray(b, float))
    axis = np.cross(a, b)
    s, c = float(np.linalg.norm(axis)), float(np.dot(a, b))
    if s < 1e-9:
        if c > 0:
            return np.eye(3)
        perpendicular = np.cross(a, [1.0, 0.0, 0.0] if abs(a[0]) < 0.9 else [0.0, 1.0, 0.0])
        k = maths.normalize(perpendicular)
        return 2 * np.outer(k, k) - np.eye(3)  # half turn about a perpendicular axis
    k = axis / s
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + s * kx + (1 - c) * (kx @ kx)


def two_hands(placement_at_grab: np.ndarray, left_at_grab, right_at_grab, left_now, right_now) -> np.ndarray:
    """Scale about the midpoint between the hands by the ratio of their distances, turn by the change
    in the left-to-right direction, and move with the midpoint. Positions (3,) in XR metres."""
    l0, r0, l1, r1 = (np.asarray(p, dtype=np.float64) for p in (left_at_grab, right_at_grab, left_now, right_now))
    d0, d1 = float(np.linalg.norm(r0 - l0)), float(np.linalg.norm(r1 - l1))
    ratio = d1 / d0 if d0 > 1e-4 else 1.0
    current = placement_scale(placement_at_grab)
    ratio = float(np.clip(current * ratio, MIN_SCALE, MAX_SCALE) / current) if current > 0 else 1.0
    turn = np.eye(4)
    turn[:3, :3] = rotation_between(r0 - l0, r1 - l1)
    mid0, mid1 = (l0 + r0) / 2, (l1 + r1) / 2
    return maths.translation(mid1) @ turn @ maths.scaling(ratio) @ maths.translation(-mid0) @ placement_at_grab


def initial_placement(bounds: np.ndarray, centre_xr=(0.0, 1.3, -0.6), size_m: float = 0.35) -> np.ndarray:
    """Put the scene's bounding box centre at `centre_xr` (in front of a standing user, STAGE space),
    scaled so its bounding diameter is `size_m` when the scene is smaller than a hand or larger than
    an arm's reach (a molecule, a whole body); anatomy of that size stays life size."""
    centre = bounds.mean(axis=0)
    diameter = float(np.linalg.norm(bounds[1] - bounds[0])) or 1.0
    scale = 1.0 if 0.1 <= diameter <= 1.0 else size_m / diameter
    return maths.translation(centre_xr) @ maths.scaling(scale) @ maths.translation(-centre)


def in_front_of(head: np.ndarray, distance_m: float = 0.55, below_m: float = 0.15) -> np.ndarray:
    """A point `distance_m` ahead of the head along its facing direction projected on the floor, and
    `below_m` below the eyes, (3,) XR metres: where a model is put for a user to look at."""
    facing = -head[:3, 2].copy()
    facing[1] = 0.0
    facing = maths.normalize(facing) if np.linalg.norm(facing) > 1e-6 else np.array([0.0, 0.0, -1.0])
    return head[:3, 3] + facing * distance_m - np.array([0.0, below_m, 0.0])
