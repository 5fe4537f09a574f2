"""Sphere and cylinder impostors as triangles, at the finest detail a triangle budget allows.

On the GPU Prosector ray-casts atoms and bonds; a glTF file needs real triangles. Every atom becomes
an icosphere, every bond two open tubes (one per half, in its atom's colour), all in one mesh with
per-vertex colours. Detail levels go from coarse to fine; the finest that fits the budget wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from renderer.molecules.representations import Cylinders, Spheres

SPHERE_LEVELS = (0, 1, 2, 3)  # icosphere subdivisions: 20, 80, 320, 1280 triangles per atom
TUBE_SIDES = (4, 6, 8, 12, 16)


@dataclass(frozen=True)
class Tessellated:
    """positions, normals: (V, 3) float32 (model space, ångström); colors: (V, 3) float32 sRGB;
    indices: (T, 3) uint32."""

    positions: np.ndarray
    normals: np.ndarray
    colors: np.ndarray
    indices: np.ndarray

    @property
    def triangle_count(self) -> int:
        return len(self.indices)


@lru_cache(maxsize=8)
def icosphere(level: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit sphere: vertices (V, 3) float64, faces (F, 3) int64, counter-clockwise from outside."""
    t = (1.0 + 5 ** 0.5) / 2
    v = [(-1, t, 0), (1, t, 0), (-1, -t, 0), (1, -t, 0), (0, -1, t), (0, 1, t), (0, -1, -t), (0, 1, -t),
         (t, 0, -1), (t, 0, 1), (-t, 0, -1), (-t, 0, 1)]  # fmt: skip
    f = [(0, 11, 5), (0, 5, 1), (0, 1, 7), (0, 7, 10), (0, 10, 11), (1, 5, 9), (5, 11, 4), (11, 10, 2), (10, 7, 6),
         (7, 1, 8), (3, 9, 4), (3, 4, 2), (3, 2, 6), (3, 6, 8), (3, 8, 9), (4, 9, 5), (2, 4, 11), (6, 2, 10),
         (8, 6, 7), (9, 8, 1)]  # fmt: skip
    vertices = [np.array(p, float) / np.linalg.norm(p) for p in v]
    faces = f
    for _ in range(level):
        midpoint: dict = {}

        def middle(a: int, b: int, midpoint: dict = midpoint) -> int:
            key = (min(a, b), max(a, b))
            if key not in midpoint:
                m = vertices[a] + vertices[b]
                vertices.append(m / np.linalg.norm(m))
                midpoint[key] = len(vertices) - 1
            return midpoint[key]

        faces = [tri for a, b, c in faces for tri in
                 ((a, middle(a, b), middle(c, a)), (b, middle(b, c), middle(a, b)),
                  (c, middle(c, a), middle(b, c)), (middle(a, b), middle(b, c), middle(c, a)))]  # fmt: skip
    return np.array(vertices), np.array(faces, dtype=np.int64)


def sphere_triangles(level: int) -> int:
    return 20 * 4**level


def tessellate_spheres(spheres: Spheres, level: int) -> Tessellated:
    unit, faces = icosphere(level)
    n, k = spheres.count, len(unit)
    positions = spheres.centres_a[:, None, :] + spheres.radii_a[:, None, None] * unit[None]
    normals = np.broadcast_to(unit[None], (n, k, 3))
    colors = np.broadcast_to(spheres.colors[:, None, :], (n, k, 3))
    indices = faces[None] + (np.arange(n) * k)[:, None, None]
    return Tessellated(positions.reshape(-1, 3).astype(np.float32), normals.reshape(-1, 3).astype(np.float32),
                       colors.reshape(-1, 3).astype(np.float32), indices.reshape(-1, 3).astype(np.uint32))  # fmt: skip


def tessellate_cylinders(cylinders: Cylinders, sides: int) -> Tessellated:
    """Two open tubes per cylinder (start half, end half), `sides` around: 4 * sides triangles each."""
    a, b = cylinders.starts_a.astype(np.float64), cylinders.ends_a.astype(np.float64)
    mid = (a + b) / 2
    axis = b - a
    length = np.maximum(np.linalg.norm(axis, axis=1), 1e-9)
    axis = axis / length[:, None]
    helper = np.where(np.abs(axis[:, :1]) < 0.9, [[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]])
    u = np.cross(axis, helper)
    u /= np.linalg.norm(u, axis=1)[:, None]
    w = np.cross(axis, u)
    angles = np.linspace(0.0, 2 * np.pi, sides, endpoint=False)
    ring = np.cos(angles)[None, :, None] * u[:, None] + np.sin(angles)[None, :, None] * w[:, None]  # (C, S, 3)
    r = cylinders.radii_a[:, None, None]
    rings = [a[:, None] + r * ring, mid[:, None] + r * ring, mid[:, None] + r * ring, b[:, None] + r * ring]
    positions = np.stack(rings, axis=1)  # (C, 4, S, 3): two tubes, each of two rings
    normals = np.broadcast_to(ring[:, None], positions.shape)
    colors = np.stack([cylinders.colors_start, cylinders.colors_start, cylinders.colors_end, cylinders.colors_end],
                      axis=1)[:, :, None, :]  # fmt: skip
    colors = np.broadcast_to(colors, positions.shape)
    s = np.arange(sides)
    quad = []
    for tube in (0, 2):
        lo, hi = tube * sides + s, (tube + 1) * sides + s
        lo_next, hi_next = tube * sides + (s + 1) % sides, (tube + 1) * sides + (s + 1) % sides
        quad += [np.stack([lo, lo_next, hi_next], 1), np.stack([lo, hi_next, hi], 1)]
    faces = np.concatenate(quad)  # (4 * sides, 3), counter-clockwise seen from outside
    count = len(a)
    indices = faces[None] + (np.arange(count) * 4 * sides)[:, None, None]
    return Tessellated(positions.reshape(-1, 3).astype(np.float32), normals.reshape(-1, 3).astype(np.float32),
                       colors.reshape(-1, 3).astype(np.float32), indices.reshape(-1, 3).astype(np.uint32))  # fmt: skip


def tessellate_atoms(spheres: Spheres, cylinders: Cylinders, budget_triangles: int) -> tuple[Tessellated, str]:
    """The finest sphere level and tube side count whose total fits the budget (the coarsest if none
    does). Returns the mesh and a short description of the detail chosen."""
    options = [(level, sides) for level in SPHERE_LEVELS for sides in TUBE_SIDES if sides <= 4 + 4 * level]
    cost = {o: spheres.count * sphere_triangles(o[0]) + cylinders.count * 4 * o[1] for o in options}
    fitting = [o for o in options if cost[o] <= budget_triangles]
    level, sides = max(fitting, key=lambda o: cost[o]) if fitting else options[0]
    parts = [tessellate_spheres(spheres, level)] if spheres.count else []
    if cylinders.count:
        parts.append(tessellate_cylinders(cylinders, sides))
    return join(parts), f"{sphere_triangles(level)} triangles per atom, {sides}-sided bonds"


def join(parts: list[Tessellated]) -> Tessellated:
    if not parts:
        z = np.zeros((0, 3), np.float32)
        return Tessellated(z, z, z, np.zeros((0, 3), np.uint32))
    offsets = np.cumsum([0] + [len(p.positions) for p in parts[:-1]])
    indices = [p.indices + np.uint32(o) for p, o in zip(parts, offsets, strict=True)]
    return Tessellated(np.concatenate([p.positions for p in parts]), np.concatenate([p.normals for p in parts]),
                       np.concatenate([p.colors for p in parts]), np.concatenate(indices))  # fmt: skip
