"""Skinning: bones declared in the scene move the mesh, by linear-blend or dual-quaternion blending.

Weights come from the rest shape: each vertex takes its (up to) 4 nearest bones; a bone's weight falls
from 1 (as near as the nearest bone) to exactly 0 once it is one "blend width" farther away (the
median vertex-to-nearest-bone distance, about the limb's radius), as (1 - excess / width)^3. So a
vertex far from a joint follows one bone rigidly, and a vertex near a joint (the biceps over the
elbow) blends smoothly. Linear blending is the cheaper one; it thins the mesh at a
bent joint ("candy wrapper"); dual quaternions keep the volume there. The pose is rest at t = 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from renderer.deform.bones import Rig, build_rig, dual_quaternions, pose, segment_distances
from renderer.deform.curves import cosine_cycle
from renderer.deform.frames import DeformContext
from renderer.deform.geometry import cross3
from renderer.deform.params import Skinning

MAX_INFLUENCES = 4


@dataclass
class SkinningState:
    rig: Rig
    ctx: DeformContext
    bone_index: object  # (N, K) int32, K = min(4, bones); None when every vertex uses bones 0..K-1
    weights: object  # (N, K) float32, rows sum to 1


def setup(xp: ModuleType, rest: np.ndarray, faces: np.ndarray, params: Skinning, ctx: DeformContext) -> SkinningState:
    rig = build_rig(params.bones, ctx.part_id)
    scene_points = (np.asarray(rest, np.float64) @ ctx.model_matrix[:3, :3].T) + ctx.model_matrix[:3, 3]
    distances = segment_distances(scene_points, rig.heads, rig.tails)  # scene space: bones are declared there
    k = min(MAX_INFLUENCES, len(rig))
    if k == len(rig):
        index = None
        near = distances
    else:
        index = np.argpartition(distances, k - 1, axis=1)[:, :k].astype(np.int32)
        near = np.take_along_axis(distances, index, axis=1)
    weights = blend_weights(near)
    return SkinningState(rig, ctx, None if index is None else xp.asarray(index), xp.asarray(weights, xp.float32))


def blend_weights(distances: np.ndarray) -> np.ndarray:
    """(N, K) distances to candidate bones -> (N, K) float64 weights, rows summing to 1 (see module doc)."""
    nearest = distances.min(axis=1, keepdims=True)
    width = max(float(np.median(nearest)), 1e-6)
    raw = np.clip(1.0 - (distances - nearest) / width, 0.0, 1.0) ** 3
    return raw / raw.sum(axis=1, keepdims=True)  # the nearest bone always has weight 1 before normalising


def deform(xp: ModuleType, positions, params: Skinning, t: float, state: SkinningState):
    """(N, 3) float32 positions at time `t` (seconds), model space."""
    transforms = pose(state.rig, cosine_cycle(t, params.period_s), state.ctx)
    if params.method == "linear":
        return _linear_blend(xp, positions, transforms, state)
    return _dual_quaternion_blend(xp, positions, dual_quaternions(transforms), state)


def _per_slot(xp: ModuleType, table, state: SkinningState, slot: int):
    """Bone `table` rows for influence `slot`: one shared row (dense rigs) or a per-vertex gather."""
    if state.bone_index is None:
        return table[slot][None]
    return xp.take(table, state.bone_index[:, slot], axis=0)


def _linear_blend(xp: ModuleType, positions, transforms: np.ndarray, state: SkinningState):
    """sum_k w_k (R_k p + t_k); dense rigs use one 3x3 product per bone, no per-vertex gathers."""
    rotations = xp.asarray(transforms[:, :3, :3], xp.float32)
    translations = xp.asarray(transforms[:, :3, 3], xp.float32)
    out = xp.zeros_like(positions)
    for slot in range(state.weights.shape[1]):
        w = state.weights[:, slot : slot + 1]
        if state.bone_index is None:
            # einsum, not `positions @ R.T`: NumPy's (N, 3) x (3, 3) matmul is ~4x slower here
            moved = xp.einsum("ij,nj->ni", rotations[slot], positions) + translations[slot]
        else:
            r = xp.take(rotations, state.bone_index[:, slot], axis=0)
            moved = xp.einsum("nij,nj->ni", r, positions) + xp.take(translations, state.bone_index[:, slot], axis=0)
        out += w * moved
    return out


def _dual_quaternion_blend(xp: ModuleType, positions, dqs: np.ndarray, state: SkinningState):
    """Blend unit dual quaternions (signs aligned to the first influence), normalise, apply."""
    table = xp.asarray(dqs, xp.float32)
    first = _per_slot(xp, table, state, 0)
    blended = state.weights[:, 0:1] * first
    for slot in range(1, state.weights.shape[1]):
        q = _per_slot(xp, table, state, slot)
        sign = xp.where((q[:, :4] * first[:, :4]).sum(axis=1, keepdims=True) < 0.0, -1.0, 1.0).astype(xp.float32)
        blended = blended + (state.weights[:, slot : slot + 1] * sign) * q
    norm = xp.sqrt((blended[:, :4] * blended[:, :4]).sum(axis=1, keepdims=True))
    blended = blended / xp.maximum(norm, 1e-12)
    w, v = blended[:, 0:1], blended[:, 1:4]
    wd, vd = blended[:, 4:5], blended[:, 5:8]
    rotated = positions + 2.0 * cross3(xp, v, cross3(xp, v, positions) + w * positions)
    return rotated + 2.0 * (w * vd - wd * v + cross3(xp, v, vd))
