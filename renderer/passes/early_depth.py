"""Which parts a pass may draw with a fragment shader that never discards, and in what order.

llvmpipe (and most drivers) test depth before running a fragment shader only when the shader cannot
discard; with a `discard` anywhere in it, every covered fragment is shaded and then tested. Parts
without an alpha mask or cut box never discard, so the passes draw them with the shaders' NO_DISCARD
variant, and the others with the full shader after them; the renderer orders the opaque parts
nearest first, so what is hidden behind them is rejected before shading. Measured (benchmarks/RESULTS.md,
issue 21): the same pixels; on llvmpipe, the 1.3M-triangle sphere's frame 10-17 % less CPU, the
whole-body library scene's about 18 %.
"""

from __future__ import annotations

import numpy as np

from renderer.gpu.scene import GpuPart

NO_DISCARD = {"NO_DISCARD": 1}  # the define that removes the mask and cut-box discards


def may_discard(part: GpuPart, cut_boxes: bool = True) -> bool:
    """Whether a shader drawing `part` needs its discards: a mask, or (when the pass honours them) cut boxes."""
    return part.mask is not None or (cut_boxes and len(part.cut_boxes) > 0)


def split_for_early_depth(parts: list[GpuPart], cut_boxes: bool = True) -> tuple[list[GpuPart], list[GpuPart]]:
    """(parts that never discard, the rest), each in the order given."""
    return [p for p in parts if not may_discard(p, cut_boxes)], [p for p in parts if may_discard(p, cut_boxes)]


def nearest_first(parts: list[GpuPart], eye_m: np.ndarray) -> list[GpuPart]:
    """`parts` by the distance of their world bounding-box centre from `eye_m` (3,), metres, nearest first."""
    if len(parts) < 2:
        return list(parts)
    # The centre of an affine image of a box's corners is the image of the box centre, so this is
    # the world bounding-box centre without transforming 8 corners per part (a 500-part body).
    models = np.array([p.model_matrix for p in parts], dtype=np.float64)  # (N, 4, 4)
    centres = np.array([np.mean(p.mesh.bounds, axis=0) for p in parts], dtype=np.float64)  # (N, 3) model space
    world = np.einsum("nij,nj->ni", models[:, :3, :3], centres) + models[:, :3, 3]
    distance = np.linalg.norm(world - np.asarray(eye_m, dtype=np.float64), axis=1)
    return [parts[i] for i in np.argsort(distance, kind="stable")]
