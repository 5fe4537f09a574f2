"""A bounding volume hierarchy over world-space triangles, built on the CPU with vectorised NumPy.

Construction is a linear BVH (Karras-style): triangles are sorted by the Morton code of their
centroid and every node splits its range where the highest differing Morton bit flips, so a whole
tree level is split at once with one `searchsorted`. That costs no Python loop per node (a 1M
triangle scene builds in about a second) at a traversal cost somewhat above a full SAH build.

`refit` recomputes the boxes for moved vertices (deformation) without changing the topology: one
`minimum.reduceat` for the leaves and one vectorised step per tree level.

GPU layout (see shaders/lib/bvh.glsl): node i = (lo.xyz, a, hi.xyz, b), 32 bytes; internal nodes
have a = left child, b = right child; leaves have a = first triangle (in BVH order), b = -count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer import progress

LEAF_SIZE = 4
_MORTON_BITS = 21  # per axis: 63-bit codes


@dataclass
class Bvh:
    """A built hierarchy. Arrays: node_lo/node_hi (K, 3) float32 metres; node_a/node_b (K,) int32;
    order (T,) int64, the input triangle index of each BVH slot; levels: internal node ids per depth."""

    node_lo: np.ndarray
    node_hi: np.ndarray
    node_a: np.ndarray
    node_b: np.ndarray
    order: np.ndarray
    levels: list[np.ndarray]
    leaf_ids: np.ndarray  # leaf node ids sorted by first triangle
    leaf_starts: np.ndarray  # first BVH slot of each leaf in leaf_ids order

    @property
    def node_count(self) -> int:
        return len(self.node_a)

    @property
    def depth(self) -> int:
        return len(self.levels) + 1

    def packed_nodes(self) -> np.ndarray:
        """(K, 8) float32 rows (lo, a-as-int-bits, hi, b-as-int-bits) for an std430 SSBO."""
        out = np.empty((self.node_count, 8), dtype=np.float32)
        out[:, 0:3] = self.node_lo
        out[:, 4:7] = self.node_hi
        out.view(np.int32)[:, 3] = self.node_a
        out.view(np.int32)[:, 7] = self.node_b
        return out

    def refit(self, triangles: np.ndarray) -> None:
        """Recompute every box for new vertex positions; triangles (T, 3, 3) in the original order."""
        self._leaf_bounds(np.asarray(triangles, dtype=np.float32)[self.order])
        for level in reversed(self.levels):
            left, right = self.node_a[level], self.node_b[level]
            self.node_lo[level] = np.minimum(self.node_lo[left], self.node_lo[right])
            self.node_hi[level] = np.maximum(self.node_hi[left], self.node_hi[right])

    def _leaf_bounds(self, ordered: np.ndarray) -> None:
        lo = np.minimum.reduceat(ordered.min(axis=1), self.leaf_starts, axis=0)
        hi = np.maximum.reduceat(ordered.max(axis=1), self.leaf_starts, axis=0)
        self.node_lo[self.leaf_ids] = lo
        self.node_hi[self.leaf_ids] = hi


def morton_codes(points: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """63-bit Morton codes (uint64) of (N, 3) points quantised inside the box [lo, hi]."""
    scale = (1 << _MORTON_BITS) - 1
    extent = np.maximum(hi - lo, 1e-12)
    q = np.clip((points - lo) / extent * scale, 0, scale).astype(np.uint64)
    code = np.zeros(len(points), dtype=np.uint64)
    for axis in range(3):
        code |= _spread_bits(q[:, axis]) << np.uint64(2 - axis)
    return code


def _spread_bits(v: np.ndarray) -> np.ndarray:
    """Insert two zero bits between each of the low 21 bits of v (uint64)."""
    v = v & np.uint64(0x1FFFFF)
    for shift, mask in ((32, 0x1F00000000FFFF), (16, 0x1F0000FF0000FF), (8, 0x100F00F00F00F00F),
                        (4, 0x10C30C30C30C30C3), (2, 0x1249249249249249)):  # fmt: skip
        v = (v | (v << np.uint64(shift))) & np.uint64(mask)
    return v


def _highest_bit(x: np.ndarray) -> np.ndarray:
    """Index of the highest set bit of each non-zero uint64 (exact despite the float estimate)."""
    guess = np.floor(np.log2(x.astype(np.float64))).astype(np.int64)
    guess = np.clip(guess, 0, 63)
    too_high = (x >> guess.astype(np.uint64)) == 0
    guess[too_high] -= 1
    too_low = (guess < 63) & ((x >> (guess + 1).clip(0, 63).astype(np.uint64)) != 0)
    guess[too_low] += 1
    return guess


def _build_level(codes, ids, starts, ends, used, leaf_size, node_a, node_b, levels, leaves):
    """One level of the top-down build: leaves are final, inner nodes split at their Morton midpoint.
    Returns the next level's (used, ids, starts, ends); an empty `ids` ends the build."""
    size = ends - starts
    is_leaf = size <= leaf_size
    leaf, inner = ids[is_leaf], ids[~is_leaf]
    node_a[leaf] = starts[is_leaf]
    node_b[leaf] = -size[is_leaf]
    leaves.append((leaf, starts[is_leaf]))
    if not len(inner):
        return used, inner, starts[:0], ends[:0]
    s, e = starts[~is_leaf], ends[~is_leaf]
    split = _split_points(codes, s, e)
    left = used + 2 * np.arange(len(inner))
    right = left + 1
    used += 2 * len(inner)
    node_a[inner], node_b[inner] = left, right
    levels.append(inner)
    return used, np.concatenate([left, right]), np.concatenate([s, split]), np.concatenate([split, e])


def build_bvh(triangles: np.ndarray, leaf_size: int = LEAF_SIZE) -> Bvh:
    """Build over (T, 3, 3) float triangle vertices (world metres). T >= 1."""
    triangles = np.asarray(triangles, dtype=np.float32)
    count = len(triangles)
    if count == 0:
        raise ValueError("a BVH needs at least one triangle")
    centroids = triangles.mean(axis=1).astype(np.float64)
    codes = morton_codes(centroids, centroids.min(axis=0), centroids.max(axis=0))
    order = np.argsort(codes, kind="stable")
    codes = codes[order]

    capacity = 2 * count  # a binary tree over T leaves-or-fewer has < 2T nodes
    node_a = np.zeros(capacity, dtype=np.int32)
    node_b = np.zeros(capacity, dtype=np.int32)
    levels: list[np.ndarray] = []
    leaves: list[tuple[np.ndarray, np.ndarray]] = []
    ids, starts, ends = np.array([0]), np.array([0]), np.array([count])
    used = 1
    depth = max(1, int(np.ceil(np.log2(max(count / leaf_size, 1.0)))) + 1)  # balanced estimate, for the bar
    with progress.task("building the ray-tracing structure", total=depth, unit="level") as bar:
        while len(ids):
            bar.advance()
            used, ids, starts, ends = _build_level(codes, ids, starts, ends, used, leaf_size, node_a, node_b,
                                                   levels, leaves)  # fmt: skip

    leaf_ids = np.concatenate([ids for ids, _ in leaves])
    leaf_first = np.concatenate([first for _, first in leaves])
    by_start = np.argsort(leaf_first)
    bvh = Bvh(
        node_lo=np.zeros((used, 3), dtype=np.float32),
        node_hi=np.zeros((used, 3), dtype=np.float32),
        node_a=node_a[:used].copy(),
        node_b=node_b[:used].copy(),
        order=order,
        levels=levels,
        leaf_ids=leaf_ids[by_start],
        leaf_starts=leaf_first[by_start],
    )
    bvh.refit(triangles)
    return bvh


def _split_points(codes: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Where each range [start, end) of sorted codes splits: at its highest differing bit, or in the
    middle when all codes in the range are equal. Every split lies strictly inside its range."""
    first, last = codes[starts], codes[ends - 1]
    differing = first ^ last
    middle = (starts + ends) // 2
    split = middle.copy()
    has_bit = differing != 0
    if has_bit.any():
        bit = _highest_bit(differing[has_bit]).astype(np.uint64)
        prefix = (last[has_bit] >> bit) << bit  # last code's prefix: bit set, lower bits cleared
        split[has_bit] = np.searchsorted(codes, prefix, side="left")
    return np.clip(split, starts + 1, ends - 1)
