"""Bone poses for skinning: the scene's bone list checked, ordered, and posed at a time t.

Pure NumPy on a handful of bones per frame; the per-vertex work happens in `skinning` on `xp`.
A bone turns about its head by `rotation_deg` x cycle(t) (intrinsic X, Y, Z, scene axes) and
carries its children with it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer import maths
from renderer.deform.frames import DeformContext, DeformError
from renderer.scene.deformers import Bone


@dataclass(frozen=True)
class Rig:
    names: tuple[str, ...]
    parents: tuple[int, ...]  # index into names, -1 for a root; parents come before children
    heads: np.ndarray  # (B, 3) float64, scene space
    tails: np.ndarray  # (B, 3)
    rotations_deg: np.ndarray  # (B, 3)

    def __len__(self) -> int:
        return len(self.names)


def build_rig(bones: list[Bone], part_id: str) -> Rig:
    """Order bones parents-first; a missing parent, a duplicate name or a cycle is a DeformError."""
    by_name: dict[str, Bone] = {}
    for bone in bones:
        if bone.name in by_name:
            raise DeformError(f"part '{part_id}': two bones are named '{bone.name}'")
        by_name[bone.name] = bone
    for bone in bones:
        if bone.parent is not None and bone.parent not in by_name:
            raise DeformError(f"part '{part_id}': bone '{bone.name}' names parent '{bone.parent}', which is not a bone")
    order: list[str] = []
    placed: set[str] = set()
    while len(order) < len(bones):
        ready = [b.name for b in bones if b.name not in placed and (b.parent is None or b.parent in placed)]
        if not ready:
            stuck = sorted(set(by_name) - placed)
            raise DeformError(f"part '{part_id}': bones {', '.join(stuck)} are each other's parents (a cycle)")
        order += ready
        placed.update(ready)
    index = {name: i for i, name in enumerate(order)}
    ordered = [by_name[n] for n in order]
    for bone in ordered:
        if np.linalg.norm(np.subtract(bone.tail_m, bone.head_m)) < 1e-9:
            raise DeformError(f"part '{part_id}': bone '{bone.name}' has its head and tail at the same point")
    return Rig(tuple(order), tuple(-1 if b.parent is None else index[b.parent] for b in ordered),
               np.array([b.head_m for b in ordered], float), np.array([b.tail_m for b in ordered], float),
               np.array([b.rotation_deg for b in ordered], float))  # fmt: skip


def pose(rig: Rig, amount: float, ctx: DeformContext) -> np.ndarray:
    """(B, 4, 4) float64 model-space transforms (rest -> posed) with each bone turned by
    amount x rotation_deg about its head, children following their parents."""
    world = np.empty((len(rig), 4, 4))
    for b in range(len(rig)):
        head = rig.heads[b]
        turn = maths.rotation_euler_deg(rig.rotations_deg[b] * amount)
        local = maths.translation(head) @ turn @ maths.translation(-head)
        world[b] = local if rig.parents[b] < 0 else world[rig.parents[b]] @ local
    inverse = ctx.inverse
    return np.einsum("ij,bjk,kl->bil", inverse, world, ctx.model_matrix)


def segment_distances(points: np.ndarray, heads: np.ndarray, tails: np.ndarray) -> np.ndarray:
    """(N, B) distance (metres) from each point to each bone segment; points (N, 3), heads/tails (B, 3)."""
    out = np.empty((len(points), len(heads)))
    for b, (head, tail) in enumerate(zip(heads, tails, strict=True)):
        span = tail - head
        s = np.clip((points - head) @ span / float(span @ span), 0.0, 1.0)
        out[:, b] = np.linalg.norm(points - (head + s[:, None] * span), axis=1)
    return out


def dual_quaternions(transforms: np.ndarray) -> np.ndarray:
    """(B, 8) unit dual quaternions (real w, x, y, z; dual w, x, y, z) of rigid (B, 4, 4) transforms.

    A transform that is not quite rigid (a model matrix with unequal scale) uses its nearest rotation."""
    out = np.empty((len(transforms), 8))
    for b, m in enumerate(transforms):
        u, _, vt = np.linalg.svd(m[:3, :3])
        rotation = u @ vt
        if np.linalg.det(rotation) < 0:
            rotation = u @ np.diag([1.0, 1.0, -1.0]) @ vt
        q = _quaternion(rotation)
        t = m[:3, 3]
        # dual part = 0.5 * (0, t) * q
        w, x, y, z = q
        dual = 0.5 * np.array([-t @ q[1:], t[0] * w + t[1] * z - t[2] * y,
                               -t[0] * z + t[1] * w + t[2] * x, t[0] * y - t[1] * x + t[2] * w])  # fmt: skip
        out[b, :4], out[b, 4:] = q, dual
    return out


def _quaternion(r: np.ndarray) -> np.ndarray:
    """(w, x, y, z) unit quaternion of a 3x3 rotation, w >= 0 (numerically safe branch choice)."""
    trace = np.trace(r)
    if trace > 0:
        s = 2.0 * np.sqrt(trace + 1.0)
        q = np.array([0.25 * s, (r[2, 1] - r[1, 2]) / s, (r[0, 2] - r[2, 0]) / s, (r[1, 0] - r[0, 1]) / s])
    else:
        i = int(np.argmax(np.diag(r)))
        j, k = (i + 1) % 3, (i + 2) % 3
        s = 2.0 * np.sqrt(max(1.0 + r[i, i] - r[j, j] - r[k, k], 1e-300))
        q = np.empty(4)
        q[0] = (r[k, j] - r[j, k]) / s
        q[1 + i] = 0.25 * s
        q[1 + j] = (r[j, i] + r[i, j]) / s
        q[1 + k] = (r[k, i] + r[i, k]) / s
    q /= np.linalg.norm(q)
    return q if q[0] >= 0 else -q
