"""Small 3D maths on NumPy: row-major 4x4 float64 matrices acting on column vectors (p' = M @ p).

Spaces: model (a part's mesh, metres), scene/world (metres, Y up, right-handed), view (camera at the
origin looking down -Z), clip (OpenGL, depth in [-1, 1]).
"""

from __future__ import annotations

import math

import numpy as np


def normalize(v: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(v)
    return v / n if n > 0 else v


def translation(t) -> np.ndarray:
    m = np.eye(4)
    m[:3, 3] = t
    return m


def scaling(s) -> np.ndarray:
    m = np.eye(4)
    m[0, 0], m[1, 1], m[2, 2] = np.broadcast_to(np.asarray(s, dtype=np.float64), 3)
    return m


def rotation_euler_deg(angles_deg) -> np.ndarray:
    """Rotation by intrinsic X, then Y, then Z angles in degrees (R = Rz @ Ry @ Rx)."""
    x, y, z = np.radians(np.asarray(angles_deg, dtype=np.float64))
    cx, sx, cy, sy, cz, sz = math.cos(x), math.sin(x), math.cos(y), math.sin(y), math.cos(z), math.sin(z)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    m = np.eye(4)
    m[:3, :3] = rz @ ry @ rx
    return m


def quaternion_matrix(q) -> np.ndarray:
    """4x4 rotation from a unit quaternion (x, y, z, w) -- the OpenXR and glTF order."""
    x, y, z, w = np.asarray(q, dtype=np.float64) / (np.linalg.norm(q) or 1.0)
    m = np.eye(4)
    m[:3, :3] = [
        [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
        [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
        [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)],
    ]
    return m


def look_at(eye, target, up=(0.0, 1.0, 0.0)) -> np.ndarray:
    """World -> view matrix for a camera at `eye` (metres) looking at `target`."""
    eye, target, up = (np.asarray(v, dtype=np.float64) for v in (eye, target, up))
    forward = normalize(target - eye)
    if abs(np.dot(forward, normalize(up))) > 0.999:  # looking straight up or down
        up = np.array([0.0, 0.0, -1.0]) if forward[1] < 0 else np.array([0.0, 0.0, 1.0])
    right = normalize(np.cross(forward, up))
    true_up = np.cross(right, forward)
    m = np.eye(4)
    m[0, :3], m[1, :3], m[2, :3] = right, true_up, -forward
    m[:3, 3] = -m[:3, :3] @ eye
    return m


def perspective(vertical_fov_deg: float, aspect: float, near: float, far: float) -> np.ndarray:
    """Symmetric OpenGL projection; `aspect` = width / height."""
    t = math.tan(math.radians(vertical_fov_deg) / 2)
    return frustum_from_tangents(-t * aspect, t * aspect, -t, t, near, far)


def frustum_from_tangents(left: float, right: float, down: float, up: float, near: float, far: float) -> np.ndarray:
    """OpenGL projection from the tangents of the four half-angles (OpenXR's `XrFovf`, asymmetric)."""
    m = np.zeros((4, 4))
    m[0, 0] = 2 / (right - left)
    m[0, 2] = (right + left) / (right - left)
    m[1, 1] = 2 / (up - down)
    m[1, 2] = (up + down) / (up - down)
    m[2, 2] = -(far + near) / (far - near)
    m[2, 3] = -2 * far * near / (far - near)
    m[3, 2] = -1
    return m


def transform_points(matrix: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Apply a 4x4 affine or projective matrix to (N, 3) points; returns (N, 3) after division."""
    homogeneous = np.c_[points, np.ones(len(points))] @ matrix.T
    return homogeneous[:, :3] / homogeneous[:, 3:4]


def normal_matrix(model: np.ndarray) -> np.ndarray:
    """3x3 inverse-transpose of the model matrix's linear part (for normals)."""
    return np.linalg.inv(model[:3, :3]).T
