"""A surface mesh embedded in a tetrahedralised lattice, for soft-tissue simulation.

The mesh's box is cut into cubic cells (`cells` along its longest side); cells the surface passes
through, and every cell enclosed by them, are kept. Each kept cell is split into 6 tetrahedra around
its main diagonal (Kuhn), which tiles the lattice without cracks. Every surface vertex is tied to the 8
corners of its cell by trilinear weights, so the surface follows the lattice smoothly. Setup-time
NumPy; the simulation uses the arrays on `xp`.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations

import numpy as np

CORNERS = np.array([[x, y, z] for z in (0, 1) for y in (0, 1) for x in (0, 1)])  # corner c = x + 2y + 4z


@dataclass(frozen=True)
class Lattice:
    nodes: np.ndarray  # (P, 3) float64, rest positions, model space, metres
    tets: np.ndarray  # (T, 4) int32, positive volume
    edges: np.ndarray  # (E, 2) int32, unique
    vertex_nodes: np.ndarray  # (N, 8) int32: the corners of each surface vertex's cell
    vertex_weights: np.ndarray  # (N, 8) float32: trilinear weights, rows sum to 1
    cell_size_m: float


def build_lattice(positions: np.ndarray, faces: np.ndarray, cells: int) -> Lattice:
    p = np.asarray(positions, np.float64)
    lo, hi = p.min(axis=0), p.max(axis=0)
    size = float((hi - lo).max())
    h = size / cells if size > 0 else 1.0
    dims = np.maximum(np.ceil((hi - lo) / h - 1e-9).astype(int), 1)
    origin = (lo + hi) / 2.0 - dims * h / 2.0 - h  # one empty cell of margin on each side for the flood fill
    dims = dims + 2
    surface = np.zeros(dims, bool)
    cell_of = np.clip(np.floor((_surface_samples(p, faces, h / 3.0) - origin) / h).astype(int), 0, dims - 1)
    surface[tuple(cell_of.T)] = True
    keep = surface | ~_outside(surface)
    nodes, node_id, tets = _tetrahedra(keep, origin, h)
    vertex_cells = np.clip(np.floor((p - origin) / h).astype(int), 0, dims - 1)
    frac = (p - origin) / h - vertex_cells
    corner_cells = vertex_cells[:, None, :] + CORNERS[None]
    vertex_nodes = node_id[tuple(corner_cells.reshape(-1, 3).T)].reshape(-1, 8)
    wx = np.where(CORNERS[None, :, 0] == 1, frac[:, None, 0], 1 - frac[:, None, 0])
    wy = np.where(CORNERS[None, :, 1] == 1, frac[:, None, 1], 1 - frac[:, None, 1])
    wz = np.where(CORNERS[None, :, 2] == 1, frac[:, None, 2], 1 - frac[:, None, 2])
    edges = np.unique(np.sort(tets[:, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]].reshape(-1, 2), axis=1), axis=0)
    return Lattice(nodes, tets.astype(np.int32), edges.astype(np.int32), vertex_nodes.astype(np.int32),
                   (wx * wy * wz).astype(np.float32), h)  # fmt: skip


def _surface_samples(p: np.ndarray, faces: np.ndarray, spacing: float) -> np.ndarray:
    """Points on the surface no farther apart than about `spacing`: corners plus midpoints of
    triangles split until their longest edge is shorter than `spacing`."""
    samples = [p]
    tris = p[np.asarray(faces, np.int64)]
    while len(tris):
        longest = np.max(np.linalg.norm(tris - np.roll(tris, 1, axis=1), axis=2), axis=1)
        tris = tris[longest > spacing]
        if not len(tris):
            break
        a, b, c = tris[:, 0], tris[:, 1], tris[:, 2]
        ab, bc, ca = (a + b) / 2, (b + c) / 2, (c + a) / 2
        samples += [ab, bc, ca]
        tris = np.concatenate([np.stack(t, axis=1) for t in ((a, ab, ca), (ab, b, bc), (ca, bc, c), (ab, bc, ca))])
    return np.concatenate(samples)


def _outside(surface: np.ndarray) -> np.ndarray:
    """Cells reachable from the lattice's border without crossing the surface (6-connected)."""
    outside = np.zeros_like(surface)
    outside[0, :, :] = outside[-1, :, :] = outside[:, 0, :] = outside[:, -1, :] = True
    outside[:, :, 0] = outside[:, :, -1] = True
    outside &= ~surface
    while True:
        grown = outside.copy()
        grown[1:] |= outside[:-1]
        grown[:-1] |= outside[1:]
        grown[:, 1:] |= outside[:, :-1]
        grown[:, :-1] |= outside[:, 1:]
        grown[:, :, 1:] |= outside[:, :, :-1]
        grown[:, :, :-1] |= outside[:, :, 1:]
        grown &= ~surface
        if (grown == outside).all():
            return outside
        outside = grown


def _tetrahedra(keep: np.ndarray, origin: np.ndarray, h: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nodes (P, 3), the node id of every lattice point (-1 if unused), and (T, 4) positive tets."""
    cells = np.argwhere(keep)
    used = np.zeros(np.array(keep.shape) + 1, bool)
    for corner in CORNERS:
        used[tuple((cells + corner).T)] = True
    node_id = np.full(used.shape, -1, np.int64)
    points = np.argwhere(used)
    node_id[tuple(points.T)] = np.arange(len(points))
    corner_ids = np.stack([node_id[tuple((cells + c).T)] for c in CORNERS], axis=1)  # (C, 8)
    kuhn = []
    for axes in permutations(range(3)):  # the path 0 -> e_a -> e_a + e_b -> 7 along the diagonal
        a = 1 << axes[0]
        b = a | (1 << axes[1])
        kuhn.append((0, a, b, 7))
    tets = corner_ids[:, np.array(kuhn)].reshape(-1, 4)
    nodes = origin + points * h
    d = nodes[tets[:, 1:]] - nodes[tets[:, :1]]
    negative = np.einsum("ij,ij->i", d[:, 0], np.cross(d[:, 1], d[:, 2])) < 0
    tets[negative] = tets[negative][:, [0, 2, 1, 3]]
    return nodes, node_id, tets
