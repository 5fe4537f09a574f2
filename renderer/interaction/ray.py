"""Rays against parts: `RayHit` (what a controller's ray hits) and a CPU ray cast on given geometry.

The apps do not cast on the CPU: the window and the headset both pick through the stage's GPU id
pass (renderer.stage.picking), which hits deformed, exploded and cut parts where they are drawn --
a CPU cast on the loaded meshes sees rest positions only. `cast_ray` stays as exact reference
geometry for tests of the hand tools (renderer.interaction.xr_controls takes any cast function).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer.scene.alpha_masks import AlphaMask


@dataclass(frozen=True)
class RayTarget:
    """A part as the ray sees it: model -> scene matrix (4, 4), positions (N, 3) float32 and
    triangles (M, 3) uint32 in model space, bounds (2, 3) model space, clip planes (K, 4) in scene
    space (keep n.p + d >= 0); an alpha mask with the texture coordinates (N, 2) it is read by: the
    ray passes through its holes, as it does on screen."""

    part_id: str
    model_matrix: np.ndarray
    positions: np.ndarray
    indices: np.ndarray
    bounds: np.ndarray
    clip_planes: np.ndarray
    uvs: np.ndarray | None = None
    mask: AlphaMask | None = None


@dataclass(frozen=True)
class RayHit:
    part_id: str
    point_m: np.ndarray  # (3,) scene space
    distance: float  # along the ray, scene units


def ray_box(origin: np.ndarray, direction: np.ndarray, box: np.ndarray) -> float | None:
    """Entry distance of the ray into the axis-aligned `box` (2, 3), None when it misses."""
    with np.errstate(divide="ignore", invalid="ignore"):
        inverse = 1.0 / direction
        t0, t1 = (box[0] - origin) * inverse, (box[1] - origin) * inverse
    near = np.nanmax(np.minimum(t0, t1))
    far = np.nanmin(np.maximum(t0, t1))
    if far < max(near, 0.0):
        return None
    return max(float(near), 0.0)


def ray_triangles(origin: np.ndarray, direction: np.ndarray, vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Distances t >= 0 at which the ray crosses each triangle (either side), inf where it does not.
    Moller-Trumbore over all triangles at once; `vertices` (N, 3), `faces` (M, 3)."""
    return ray_triangles_barycentric(origin, direction, vertices, faces)[0]


def ray_triangles_barycentric(origin: np.ndarray, direction: np.ndarray, vertices: np.ndarray,
                              faces: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """As `ray_triangles`, with the barycentric weights (u, v) of corners 1 and 2 at each crossing."""
    a, b, c = vertices[faces[:, 0]], vertices[faces[:, 1]], vertices[faces[:, 2]]
    e1, e2 = b - a, c - a
    p = np.cross(direction, e2)
    det = np.einsum("ij,ij->i", e1, p)
    ok = np.abs(det) > 1e-12
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = origin - a
    u = np.einsum("ij,ij->i", s, p) * inv
    q = np.cross(s, e1)
    v = (q @ direction) * inv
    t = np.einsum("ij,ij->i", e2, q) * inv
    hit = ok & (u >= 0) & (v >= 0) & (u + v <= 1) & (t >= 0)
    return np.where(hit, t, np.inf), u, v


def cast_ray(origin, direction, targets: list[RayTarget], max_distance: float = np.inf) -> RayHit | None:
    """The nearest hit of the ray (scene space) on `targets`, skipping surface cut away by clip planes
    and the holes of alpha masks."""
    origin = np.asarray(origin, dtype=np.float64)
    direction = np.asarray(direction, dtype=np.float64)
    direction = direction / (np.linalg.norm(direction) or 1.0)
    best: RayHit | None = None
    for target in targets:
        inverse = np.linalg.inv(target.model_matrix)
        local_origin = inverse[:3, :3] @ origin + inverse[:3, 3]
        local_direction = inverse[:3, :3] @ direction
        if ray_box(local_origin, local_direction, target.bounds) is None:
            continue
        t, u, v = ray_triangles_barycentric(local_origin, local_direction, target.positions.astype(np.float64),
                                            target.indices)  # fmt: skip
        order = np.argsort(t)
        for index in order[:64]:  # the nearest few crossings; a clip plane or a mask hole may remove the first
            if not np.isfinite(t[index]):
                break
            if target.mask is not None and target.uvs is not None:
                corners = target.uvs[target.indices[index]].astype(np.float64)
                uv = corners[0] * (1 - u[index] - v[index]) + corners[1] * u[index] + corners[2] * v[index]
                if not target.mask.present(uv)[0]:
                    continue
            local_point = local_origin + local_direction * t[index]
            point = target.model_matrix[:3, :3] @ local_point + target.model_matrix[:3, 3]
            if len(target.clip_planes) and np.any(target.clip_planes[:, :3] @ point + target.clip_planes[:, 3] < 0):
                continue
            distance = float(np.linalg.norm(point - origin))
            if distance <= max_distance and (best is None or distance < best.distance):
                best = RayHit(target.part_id, point, distance)
            break
    return best
