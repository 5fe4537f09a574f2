"""Triangle meshes for molecule representations (cartoons, base slabs, surfaces) and the two ways
cartoons are made of them: a profile swept along a curve, and flat polygons given thickness.

Everything is array code over samples and polygons; nothing loops over atoms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RING = 12  # vertices around a swept cross-section


@dataclass(frozen=True)
class TriangleMesh:
    """positions, normals: (V, 3) float32 (ångström, model space); colors: (V, 3) float32 sRGB;
    indices: (T * 3,) uint32, counter-clockwise seen from outside."""

    positions: np.ndarray
    normals: np.ndarray
    colors: np.ndarray
    indices: np.ndarray

    @property
    def triangle_count(self) -> int:
        return len(self.indices) // 3


def empty_mesh() -> TriangleMesh:
    z = np.zeros((0, 3), np.float32)
    return TriangleMesh(z, z, z, np.zeros(0, np.uint32))


def catmull_rom(guide: np.ndarray, samples_per_span: int) -> tuple[np.ndarray, np.ndarray]:
    """Points (S, 3) on a Catmull-Rom spline through `guide` (G, 3), and their parameter u (S,) in
    [0, G - 1] (guide point i sits at u = i)."""
    count = len(guide)
    u = np.linspace(0.0, count - 1.0, (count - 1) * samples_per_span + 1)
    k = np.minimum(np.floor(u).astype(int), count - 2)
    t = (u - k)[:, None]
    p0, p1, p2, p3 = (guide[np.clip(k + d, 0, count - 1)] for d in (-1, 0, 1, 2))
    points = 0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (3 * (p1 - p2) + p3 - p0) * t**3)
    return points, u


def unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=-1, keepdims=True), 1e-9)


def swept_tube(points: np.ndarray, width_dir: np.ndarray, half_width: np.ndarray, half_thick: np.ndarray,
               square: np.ndarray, colors: np.ndarray, ring: int = RING) -> TriangleMesh:  # fmt: skip
    """A closed tube along `points` (S, 3): at each sample a superellipse of `half_width` along
    `width_dir` (S, 3, made orthogonal to the curve here), `half_thick` across it and exponent
    `square` (1 round, toward 0 a box); colours (S, 3) per sample; `ring` vertices around."""
    rings = tube_rings(points, width_dir, half_width, half_thick, square, ring)
    return tube_from_rings(rings, np.repeat(np.asarray(colors, np.float32), ring, axis=0))


def tube_rings(points: np.ndarray, width_dir: np.ndarray, half_width: np.ndarray, half_thick: np.ndarray,
               square: np.ndarray, ring: int = RING) -> np.ndarray:  # fmt: skip
    """(S, ring, 3) the cross-sections `swept_tube` joins (arguments as there)."""
    tangent = unit(np.gradient(points, axis=0))
    width_dir = unit(width_dir - tangent * np.einsum("ij,ij->i", width_dir, tangent)[:, None])
    thick_dir = np.cross(tangent, width_dir)
    theta = np.linspace(0.0, 2 * np.pi, ring, endpoint=False)
    cos, sin = np.cos(theta)[None, :], np.sin(theta)[None, :]
    e = np.asarray(square, np.float64)[:, None]
    x = np.asarray(half_width)[:, None] * np.sign(cos) * np.abs(cos) ** e
    y = np.asarray(half_thick)[:, None] * np.sign(sin) * np.abs(sin) ** e
    return points[:, None, :] + x[..., None] * width_dir[:, None, :] + y[..., None] * thick_dir[:, None, :]


def tube_from_rings(rings: np.ndarray, colors: np.ndarray) -> TriangleMesh:
    """Triangles joining consecutive rings (M, K, 3), with smooth normals and end caps;
    colours (M * K, 3)."""
    return tubes_from_rings([rings], [colors])


def tubes_from_rings(rings: list[np.ndarray], colors: list[np.ndarray]) -> TriangleMesh:
    """Many tubes as one mesh, built in one go: each as `tube_from_rings` makes it (same vertices,
    triangles and normals, in list order), but without a Python pass per tube -- a million-atom
    assembly has thousands of chains. rings: [(M_i, K, 3)], one K for all; colours [(M_i * K, 3)]."""
    rings = [r for r in rings if len(r) >= 2]
    if not rings:
        return empty_mesh()
    k = rings[0].shape[1]
    m = np.array([len(r) for r in rings])
    per_tube = m * k + 2  # ring vertices, then the two cap centres
    base = np.concatenate([[0], np.cumsum(per_tube)[:-1]])
    # Side quads: one per (ring step, corner), numbered per tube from its own first vertex.
    steps = m - 1
    owner = np.repeat(np.arange(len(rings)), steps * k)
    local = np.arange(int((steps * k).sum())) - np.repeat(np.cumsum(steps * k) - steps * k, steps * k)
    i, j = (local // k) * k, local % k
    a, b = i + j, i + (j + 1) % k
    quads = np.stack([a, a + k, b, b, a + k, b + k], axis=-1).reshape(-1, 3) + np.repeat(base[owner], 2)[:, None]
    # Caps: a fan around each end ring's centre.
    corner = np.arange(k)
    first_cap = np.stack([np.broadcast_to(m[:, None] * k, (len(m), k)), np.broadcast_to((corner + 1) % k, (len(m), k)),
                          np.broadcast_to(corner, (len(m), k))], axis=-1) + base[:, None, None]  # fmt: skip
    last = (m - 1)[:, None] * k
    last_cap = np.stack([np.broadcast_to(m[:, None] * k + 1, (len(m), k)), last + corner, last + (corner + 1) % k],
                        axis=-1) + base[:, None, None]  # fmt: skip
    # Per tube: its sides, then its first cap, then its last cap (where each lands in the output).
    per_tube_triangles = steps * k * 2 + 2 * k
    triangle_base = np.concatenate([[0], np.cumsum(per_tube_triangles)[:-1]])
    triangles = np.empty((int(per_tube_triangles.sum()), 3), np.int64)
    side_slot = np.repeat(triangle_base[owner], 2) + np.repeat(local, 2) * 2 + np.tile([0, 1], len(local))
    triangles[side_slot] = quads
    cap_slot = (triangle_base + steps * k * 2)[:, None] + corner
    triangles[cap_slot.ravel()] = first_cap.reshape(-1, 3)
    triangles[(cap_slot + k).ravel()] = last_cap.reshape(-1, 3)
    tube_of_triangle = np.repeat(np.arange(len(rings)), per_tube_triangles)
    positions = np.concatenate([np.concatenate([r.reshape(-1, 3), r[[0, -1]].mean(axis=1)]) for r in rings])
    vertex_colors = np.concatenate([np.concatenate([np.asarray(c), np.asarray(c)[[0, -1]]]) for c in colors])
    # Each tube outward: flip the ones whose signed volume is negative.
    p = positions[triangles]
    volume = np.bincount(tube_of_triangle, weights=np.einsum("ij,ij->i", p[:, 0], _cross(p[:, 1], p[:, 2])),
                         minlength=len(rings))  # fmt: skip
    flip = volume[tube_of_triangle] < 0
    triangles[flip] = triangles[flip][:, ::-1]
    normals = vertex_normals(positions, triangles)
    return TriangleMesh(positions.astype(np.float32), normals, vertex_colors.astype(np.float32),
                        triangles.astype(np.uint32).ravel())  # fmt: skip


def prisms(polygons: np.ndarray, half_thickness_a: float, colors: np.ndarray) -> TriangleMesh:
    """Flat slabs: each polygon (P, K, 3) (K corners in order around it, roughly planar) thickened by
    `half_thickness_a` on both sides of its best-fit plane; colours (P, 3). Faces are flat-shaded
    (own vertices per face), so slabs read as solid blocks."""
    p, k = polygons.shape[:2]
    if p == 0:
        return empty_mesh()
    centre = polygons.mean(axis=1)
    # Plane normal: the sum of fan cross products (Newell's method), robust for any convex ring.
    nxt = np.roll(polygons, -1, axis=1)
    normal = unit(np.cross(polygons - centre[:, None], nxt - centre[:, None]).sum(axis=1))
    offset = normal[:, None, :] * half_thickness_a
    top, bottom = polygons + offset, polygons - offset
    top_c, bottom_c = centre + normal * half_thickness_a, centre - normal * half_thickness_a
    corners = np.arange(k)
    # Top and bottom: fans (P, K, 3 vertices); sides: quads as two triangles (P, K, 2, 3 vertices).
    top_tris = np.stack([np.broadcast_to(top_c[:, None], (p, k, 3)), top, top[:, (corners + 1) % k]], axis=2)
    bot_tris = np.stack([np.broadcast_to(bottom_c[:, None], (p, k, 3)), bottom[:, (corners + 1) % k], bottom], axis=2)
    a, b = top, top[:, (corners + 1) % k]
    c, d = bottom, bottom[:, (corners + 1) % k]
    side_tris = np.stack([np.stack([a, c, b], axis=2), np.stack([b, c, d], axis=2)], axis=2).reshape(p, 2 * k, 3, 3)
    tris = np.concatenate([top_tris, bot_tris, side_tris], axis=1)  # (P, 4K, 3, 3)
    face = np.cross(tris[..., 1, :] - tris[..., 0, :], tris[..., 2, :] - tris[..., 0, :])
    # Outward: away from the slab's centre.
    outward = np.einsum("pfi,pfi->pf", face, tris.mean(axis=2) - centre[:, None, :]) >= 0
    tris = np.where(outward[..., None, None], tris, tris[..., ::-1, :])
    face = np.where(outward[..., None], face, -face)
    positions = tris.reshape(-1, 3)
    normals = np.repeat(unit(face).reshape(-1, 3), 3, axis=0)
    vertex_colors = np.repeat(np.asarray(colors, np.float32), 4 * k * 3, axis=0)
    return TriangleMesh(positions.astype(np.float32), normals.astype(np.float32), vertex_colors,
                        np.arange(len(positions), dtype=np.uint32))  # fmt: skip


def _signed_volume(positions: np.ndarray, triangles: np.ndarray) -> float:
    p = positions[triangles]
    return float(np.einsum("ij,ij->i", p[:, 0], np.cross(p[:, 1], p[:, 2])).sum())


def vertex_normals(positions: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """(V, 3) float32 area-weighted vertex normals of an indexed triangle mesh (T, 3)."""
    p = positions[triangles]
    face = _cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    normals = np.stack([np.bincount(triangles.ravel(), weights=np.repeat(face[:, k], 3), minlength=len(positions))
                        for k in range(3)], axis=1)  # fmt: skip
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    return normals.astype(np.float32)


def _cross(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(T, 3) row-wise cross products: np.cross's arithmetic, without its general-axis overhead."""
    out = np.empty_like(a)
    out[:, 0] = a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1]
    out[:, 1] = a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2]
    out[:, 2] = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return out


def concatenate(meshes: list[TriangleMesh]) -> TriangleMesh:
    meshes = [m for m in meshes if m.triangle_count]
    if not meshes:
        return empty_mesh()
    offsets = np.cumsum([0] + [len(m.positions) for m in meshes[:-1]])
    return TriangleMesh(
        np.concatenate([m.positions for m in meshes]),
        np.concatenate([m.normals for m in meshes]),
        np.concatenate([m.colors for m in meshes]),
        np.concatenate([m.indices + np.uint32(o) for m, o in zip(meshes, offsets, strict=True)]),
    )


def rods(starts: np.ndarray, ends: np.ndarray, radius_a: float, colors: np.ndarray) -> TriangleMesh:
    """Capped round rods (R of them) from `starts` to `ends` (R, 3); colours (R, 3). One mesh, built
    in one go (no loop over rods)."""
    count = len(starts)
    if count == 0:
        return empty_mesh()
    axis = unit(ends - starts)
    helper = np.where(np.abs(axis[:, 1:2]) < 0.9, [[0.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]])
    x = unit(np.cross(axis, helper))
    y = np.cross(axis, x)
    theta = np.linspace(0.0, 2 * np.pi, RING, endpoint=False)
    around = np.cos(theta)[None, :, None] * x[:, None] + np.sin(theta)[None, :, None] * y[:, None]  # (R, RING, 3)
    ring_a = starts[:, None] + radius_a * around
    ring_b = ends[:, None] + radius_a * around
    j = np.arange(RING)
    jn = (j + 1) % RING
    # Counter-clockwise seen from outside. Per rod: ring a (0..RING-1), ring b (RING..2RING-1), then the
    # two cap centres (2RING, 2RING+1).
    local = np.concatenate([np.stack([j, jn, j + RING], 1), np.stack([jn, jn + RING, j + RING], 1),
                            np.stack([np.full(RING, 2 * RING), jn, j], 1),
                            np.stack([np.full(RING, 2 * RING + 1), j + RING, jn + RING], 1)])  # fmt: skip
    per_rod = 2 * RING + 2
    positions = np.concatenate([ring_a, ring_b, starts[:, None], ends[:, None]], axis=1)  # (R, per_rod, 3)
    triangles = (local[None] + (np.arange(count) * per_rod)[:, None, None]).reshape(-1, 3)
    positions = positions.reshape(-1, 3)
    normals = np.concatenate([around, around, -axis[:, None], axis[:, None]], axis=1).reshape(-1, 3)
    vertex_colors = np.repeat(np.asarray(colors, np.float32), per_rod, axis=0)
    return TriangleMesh(positions.astype(np.float32), normals.astype(np.float32), vertex_colors,
                        triangles.astype(np.uint32).ravel())  # fmt: skip


def transported_normals(points: np.ndarray) -> np.ndarray:
    """(S, 3) unit vectors normal to the curve through `points` (S, 3), carried along it without
    twisting (parallel transport: each is the previous one rotated by the turn of the tangent).
    A round tube swept with them has no pinches where the curve turns through any fixed axis."""
    tangent = unit(np.gradient(points, axis=0))
    out = np.empty_like(tangent)
    helper = np.array([0.0, 1.0, 0.0]) if abs(tangent[0, 1]) < 0.9 else np.array([1.0, 0.0, 0.0])
    normal = unit(np.cross(tangent[0], helper))
    for i in range(len(tangent)):  # a loop over spline samples (a few per residue), not atoms
        normal = normal - tangent[i] * (normal @ tangent[i])
        length = np.linalg.norm(normal)
        normal = normal / length if length > 1e-9 else unit(np.cross(tangent[i], helper))
        out[i] = normal
    return out
