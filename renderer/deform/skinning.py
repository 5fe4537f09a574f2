"""Skinning: bones declared in the scene move the mesh, by linear-blend or dual-quaternion blending.

Weights come from the rest shape: each vertex takes its (up to) 4 nearest bones; a bone's weight falls
from 1 (as near as the nearest bone) to exactly 0 once it is one "blend width" farther away (the
median vertex-to-nearest-bone distance, about the limb's radius), as (1 - excess / width)^3. So a
vertex far from a joint follows one bone rigidly, and a vertex near a joint (the biceps over the
elbow) blends smoothly. Linear blending is the cheaper one; it thins the mesh at a
bent joint ("candy wrapper"); dual quaternions keep the volume there. The pose is rest at t = 0.

Speed: vertices that blend the same bones form an "influence group" (most follow one bone; joints
blend two or three). Setup sorts vertices by group, so each frame blends every group's bone
transforms with one small matrix product, (12 or 8, k) x (k, group size), and the per-vertex work is
a few dozen passes over contiguous rows: no per-vertex gathers of bone tables, however many bones.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from renderer.deform.bones import Rig, build_rig, dual_quaternions, pose, segment_distances
from renderer.deform.curves import cosine_cycle
from renderer.deform.frames import DeformContext
from renderer.scene.deformers import Skinning

MAX_INFLUENCES = 4


@dataclass
class InfluenceGroup:
    """Vertices [start, stop) of the group order blending the bones `bones` (k,) with `weights` (k, n)."""

    start: int
    stop: int
    bones: object  # (k,) int64 on xp, ascending; bones[0] is the hemisphere reference for dual quaternions
    weights: object  # (k, n) float32 on xp, columns sum to 1


@dataclass
class SkinningState:
    rig: Rig
    ctx: DeformContext
    groups: list[InfluenceGroup]
    order: object  # (N,) int64 on xp: vertex at each group-order slot; None when that is the identity
    slot_of: object  # (N,) int64 on xp: each vertex's group-order slot (the inverse of `order`), or None


def setup(xp: ModuleType, rest: np.ndarray, faces: np.ndarray, params: Skinning, ctx: DeformContext) -> SkinningState:
    rig = build_rig(params.bones, ctx.part_id)
    scene_points = (np.asarray(rest, np.float64) @ ctx.model_matrix[:3, :3].T) + ctx.model_matrix[:3, 3]
    distances = segment_distances(scene_points, rig.heads, rig.tails)  # scene space: bones are declared there
    k = min(MAX_INFLUENCES, len(rig))
    index = np.argpartition(distances, k - 1, axis=1)[:, :k] if k < len(rig) else np.tile(np.arange(k), (len(rest), 1))
    weights = blend_weights(np.take_along_axis(distances, index, axis=1))
    groups, order = influence_groups(index, weights, len(rig))
    gpu_groups = [InfluenceGroup(g.start, g.stop, xp.asarray(g.bones), xp.asarray(g.weights)) for g in groups]
    if np.array_equal(order, np.arange(len(order))):
        return SkinningState(rig, ctx, gpu_groups, None, None)
    slot_of = np.empty_like(order)
    slot_of[order] = np.arange(len(order))
    return SkinningState(rig, ctx, gpu_groups, xp.asarray(order), xp.asarray(slot_of))


def influence_groups(
    index: np.ndarray, weights: np.ndarray, bone_count: int
) -> tuple[list[InfluenceGroup], np.ndarray]:
    """Vertices grouped by the set of bones they blend with non-zero weight.

    index, weights: (N, K) candidate bones and their weights. Returns the groups (weights as NumPy
    float32) and the group order: (N,) vertex indices, stable, so a mesh that needs no reordering
    keeps its order."""
    used = np.where(weights > 0.0, index, bone_count)  # a sentinel past the last bone for unused slots
    order_in_row = np.argsort(used, axis=1, kind="stable")
    keys = np.take_along_axis(used, order_in_row, axis=1)
    sorted_weights = np.take_along_axis(weights, order_in_row, axis=1)
    unique, group_of = np.unique(keys, axis=0, return_inverse=True)
    group_of = group_of.reshape(-1)
    order = np.argsort(group_of, kind="stable")
    bounds = np.concatenate([[0], np.cumsum(np.bincount(group_of, minlength=len(unique)))])
    groups = []
    for g, key in enumerate(unique):
        members = order[bounds[g] : bounds[g + 1]]
        slots = np.flatnonzero(key < bone_count)
        block = sorted_weights[members][:, slots].T
        groups.append(InfluenceGroup(int(bounds[g]), int(bounds[g + 1]), key[slots].astype(np.int64),
                                     np.ascontiguousarray(block / block.sum(axis=0), dtype=np.float32)))  # fmt: skip
    return groups, order


def blend_weights(distances: np.ndarray) -> np.ndarray:
    """(N, K) distances to candidate bones -> (N, K) float64 weights, rows summing to 1 (see module doc)."""
    nearest = distances.min(axis=1, keepdims=True)
    width = max(float(np.median(nearest)), 1e-6)
    raw = np.clip(1.0 - (distances - nearest) / width, 0.0, 1.0) ** 3
    return raw / raw.sum(axis=1, keepdims=True)  # the nearest bone always has weight 1 before normalising


def deform(xp: ModuleType, positions, params: Skinning, t: float, state: SkinningState):
    """(N, 3) float32 positions at time `t` (seconds), model space."""
    transforms = pose(state.rig, cosine_cycle(t, params.period_s), state.ctx)
    rows = positions if state.order is None else xp.take(positions, state.order, axis=0)
    x, y, z = xp.ascontiguousarray(rows.T)  # (3, N): passes over contiguous rows beat strided columns
    if params.method == "linear":
        moved = _linear_blend(xp, x, y, z, _blend(xp, state, transforms[:, :3, :].reshape(-1, 12), sign_align=False))
    else:
        moved = _dual_quaternion_blend(xp, x, y, z, _blend(xp, state, dual_quaternions(transforms), sign_align=True))
    moved = xp.ascontiguousarray(moved.T)
    return moved if state.order is None else xp.take(moved, state.slot_of, axis=0)  # gather, not scatter: 3x faster


def _blend(xp: ModuleType, state: SkinningState, table: np.ndarray, sign_align: bool):
    """(C, N) per-vertex blend of the (B, C) per-bone `table` rows, in group order.

    With `sign_align`, each group's quaternions are flipped into the hemisphere of its first bone, so
    q and -q (the same rotation) do not cancel in the blend."""
    table = xp.asarray(table, dtype=xp.float32)  # one upload per frame on a GPU
    blended = xp.empty((table.shape[1], state.groups[-1].stop), dtype=xp.float32)  # groups tile 0..N
    for group in state.groups:
        rows = xp.take(table, group.bones, axis=0)
        if sign_align:
            rows = rows * xp.where(rows[:, :4] @ rows[0, :4] < 0.0, -1.0, 1.0).astype(xp.float32)[:, None]
        blended[:, group.start : group.stop] = rows.T @ group.weights
    return blended


def _linear_blend(xp: ModuleType, x, y, z, m):
    """sum_k w_k (R_k p + t_k) with m (12, N) the blended 3x4 matrices, row-major; (3, N) out."""
    return xp.stack([m[4 * i] * x + m[4 * i + 1] * y + m[4 * i + 2] * z + m[4 * i + 3] for i in range(3)])


def _dual_quaternion_blend(xp: ModuleType, x, y, z, q):
    """Normalise the blended dual quaternions q (8, N: real w, x, y, z; dual w, x, y, z) and apply
    them: rotate by the real part, translate by 2 (w d - d_w v + v x d); (3, N) out."""
    q = q / xp.maximum(xp.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]), 1e-12)
    w, vx, vy, vz, dw, dx, dy, dz = q
    # p' = p + 2 v x (v x p + w p)
    cx = vy * z - vz * y + w * x
    cy = vz * x - vx * z + w * y
    cz = vx * y - vy * x + w * z
    tx = w * dx - dw * vx + (vy * dz - vz * dy)
    ty = w * dy - dw * vy + (vz * dx - vx * dz)
    tz = w * dz - dw * vz + (vx * dy - vy * dx)
    return xp.stack([x + 2.0 * (vy * cz - vz * cy + tx), y + 2.0 * (vz * cx - vx * cz + ty),
                     z + 2.0 * (vx * cy - vy * cx + tz)])  # fmt: skip
