"""The CPU-built BVH: structure, boxes, refit, and ray queries against brute force (pure NumPy)."""

from __future__ import annotations

import numpy as np
import pytest

from renderer.raytrace.bvh import LEAF_SIZE, build_bvh


def _random_triangles(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.random((count, 1, 3))
    return (centres + 0.02 * rng.standard_normal((count, 3, 3))).astype(np.float32)


def _leaf_ranges(bvh):
    leaves = np.flatnonzero(bvh.node_b < 0)
    return leaves, bvh.node_a[leaves], -bvh.node_b[leaves]


def _occluded_brute(triangles, origin, direction, t_max):
    v0, e1, e2 = triangles[:, 0], triangles[:, 1] - triangles[:, 0], triangles[:, 2] - triangles[:, 0]
    p = np.cross(direction, e2)
    det = np.einsum("ij,ij->i", e1, p)
    ok = np.abs(det) > 1e-20
    inv = np.where(ok, 1.0 / np.where(ok, det, 1.0), 0.0)
    s = origin - v0
    u = np.einsum("ij,ij->i", s, p) * inv
    q = np.cross(s, e1)
    v = (q @ direction) * inv
    t = np.einsum("ij,ij->i", e2, q) * inv
    return bool(np.any(ok & (u >= 0) & (u <= 1) & (v >= 0) & (u + v <= 1) & (t > 0) & (t < t_max)))


def _occluded_bvh(bvh, ordered, origin, direction, t_max):
    inv = 1.0 / np.where(np.abs(direction) < 1e-30, 1e-30, direction)
    stack = [0]
    while stack:
        node = stack.pop()
        t0, t1 = (bvh.node_lo[node] - origin) * inv, (bvh.node_hi[node] - origin) * inv
        enter = max(np.minimum(t0, t1).max(), 0.0)
        if enter > min(np.maximum(t0, t1).min(), t_max):
            continue
        if bvh.node_b[node] < 0:
            first, count = bvh.node_a[node], -bvh.node_b[node]
            if _occluded_brute(ordered[first:first + count], origin, direction, t_max):
                return True
        else:
            stack += [bvh.node_a[node], bvh.node_b[node]]
    return False


def test_every_triangle_sits_in_exactly_one_small_leaf():
    triangles = _random_triangles(5000)
    bvh = build_bvh(triangles)
    _leaves, first, count = _leaf_ranges(bvh)
    covered = np.zeros(len(triangles), dtype=int)
    for f, c in zip(first, count, strict=True):
        covered[f:f + c] += 1
    assert (covered == 1).all()
    assert count.max() <= LEAF_SIZE and count.min() >= 1
    assert sorted(bvh.order.tolist()) == list(range(len(triangles)))


def test_boxes_contain_their_triangles_and_children():
    triangles = _random_triangles(3000, seed=1)
    bvh = build_bvh(triangles)
    ordered = triangles[bvh.order]
    leaves, first, count = _leaf_ranges(bvh)
    for node, f, c in zip(leaves, first, count, strict=True):
        pts = ordered[f:f + c].reshape(-1, 3)
        assert (pts >= bvh.node_lo[node] - 1e-7).all() and (pts <= bvh.node_hi[node] + 1e-7).all()
    inner = np.concatenate(bvh.levels)
    for child in (bvh.node_a[inner], bvh.node_b[inner]):
        assert (bvh.node_lo[child] >= bvh.node_lo[inner]).all() and (bvh.node_hi[child] <= bvh.node_hi[inner]).all()


def test_refit_follows_moved_vertices_without_rebuilding():
    triangles = _random_triangles(2000, seed=2)
    bvh = build_bvh(triangles)
    nodes_before = bvh.node_a.copy()
    moved = triangles + np.array([0.0, 0.5, 0.0], dtype=np.float32) * triangles[:, :, :1]  # shear
    bvh.refit(moved)
    assert np.array_equal(bvh.node_a, nodes_before)  # topology kept
    ordered = moved[bvh.order]
    leaves, first, count = _leaf_ranges(bvh)
    for node, f, c in zip(leaves, first, count, strict=True):
        pts = ordered[f:f + c].reshape(-1, 3)
        assert (pts >= bvh.node_lo[node] - 1e-6).all() and (pts <= bvh.node_hi[node] + 1e-6).all()
    assert np.allclose(bvh.node_lo[0], moved.min(axis=(0, 1))) and np.allclose(bvh.node_hi[0], moved.max(axis=(0, 1)))


@pytest.mark.parametrize("count", [1, 3, 50])
def test_degenerate_inputs_build(count):
    same = np.tile(np.array([[[0, 0, 0], [1, 0, 0], [0, 1, 0]]], dtype=np.float32), (count, 1, 1))
    bvh = build_bvh(same)  # identical centroids: equal Morton codes split in the middle
    assert (-bvh.node_b[bvh.node_b < 0]).sum() == count


def test_ray_queries_through_the_tree_match_brute_force():
    triangles = _random_triangles(1500, seed=3)
    bvh = build_bvh(triangles)
    ordered = triangles[bvh.order]
    rng = np.random.default_rng(4)
    for _ in range(200):
        origin = rng.random(3) * 1.4 - 0.2
        direction = rng.standard_normal(3)
        direction /= np.linalg.norm(direction)
        t_max = float(rng.choice([0.05, 0.3, 1e30]))
        assert _occluded_bvh(bvh, ordered, origin, direction, t_max) == _occluded_brute(
            triangles, origin, direction, t_max)
