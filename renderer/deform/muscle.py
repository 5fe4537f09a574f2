"""Muscle contraction: shortening along the line of action with a bulge that keeps the volume exact.

Along the line origin -> insertion (u = 0 at the origin, 1 at the insertion) the belly shortens by the
factor lam = 1 - shortening x cycle(t); what lies beyond the insertion (a tendon) moves with it, what
lies before the origin stays. The belly widens by g(u) = 1 + c b(u) with b(u) = sin^2(pi u), so the
ends do not bulge and the middle does most.

Why c can be exact: with the origin on the axis, a triangle's signed volume det[p0, p1, p2] / 6 for
p_i = z_i a + g_i r_i (r_i perpendicular to a) keeps only the terms with one axial column, so the mesh
volume is z . (W0 + c W1 + c^2 W2) with per-vertex weights W fixed by the rest shape. Each frame
solves that quadratic for c: three dot products, and the triangle mesh keeps its volume to rounding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from renderer.deform.curves import cosine_cycle
from renderer.deform.frames import DeformContext, axis_endpoints, unit
from renderer.deform.geometry import scaled_plus_span
from renderer.scene.deformers import MuscleContraction

MAX_BULGE = 20.0  # c is clamped to [-0.9, MAX_BULGE] so extreme input never inverts or explodes


@dataclass
class MuscleState:
    origin: object  # (3,) float32, model space
    axis: object  # (3,) float32, unit, origin -> insertion
    length_m: float
    bulge: object  # (N,) float32, b(u) of the rest shape
    travel_m: object  # (N,) float32: rest distance along the axis from the origin, clamped to [0, length]
    # A vertex's axial shift is (lam - 1) x travel, so the volume coefficients A = W . (z + shift) of the
    # module docstring are affine in lam: A = rest_coefficients + (lam - 1) x shift_coefficients, (3,) each
    rest_coefficients: tuple[float, float, float]
    shift_coefficients: tuple[float, float, float]
    rest_volume6: float  # 6 x rest volume, m^3


def setup(xp: ModuleType, rest: np.ndarray, faces: np.ndarray, params: MuscleContraction,
          ctx: DeformContext) -> MuscleState:  # fmt: skip
    origin, insertion = axis_endpoints(ctx, params.origin_m, params.insertion_m, rest, ("origin_m", "insertion_m"),
                                       "muscle_contraction")  # fmt: skip
    axis = unit(insertion - origin, "muscle origin_m -> insertion_m", ctx.part_id)
    length = float(np.linalg.norm(insertion - origin))
    p = np.asarray(rest, np.float64) - origin
    z = p @ axis
    radial = p - np.outer(z, axis)
    u = z / length
    bulge = np.where((u > 0.0) & (u < 1.0), np.sin(np.pi * np.clip(u, 0.0, 1.0)) ** 2, 0.0)
    weights = _volume_weights(radial, bulge, axis, np.asarray(faces, np.int64), len(p))
    travel = np.where(z <= 0.0, 0.0, np.minimum(z, length))
    f32 = xp.float32
    return MuscleState(xp.asarray(origin, f32), xp.asarray(axis, f32), length, xp.asarray(bulge, f32),
                       xp.asarray(travel, f32), tuple(weights @ z), tuple(weights @ travel),
                       float(z @ weights[0]))  # fmt: skip


def deform(xp: ModuleType, positions, params: MuscleContraction, t: float, state: MuscleState):
    """(N, 3) float32 positions at time `t` (seconds), model space."""
    lam = 1.0 - params.shortening * cosine_cycle(t, params.period_s)
    a0, a1, a2 = (r + (lam - 1.0) * d for r, d in zip(state.rest_coefficients, state.shift_coefficients, strict=True))
    c = _solve_bulge(a0, a1, a2, state.rest_volume6)
    # origin + (h + shift) axis + radial (1 + g), offset = p - origin = h axis + radial, g = c b(u),
    # regrouped as (1 + g) p - g origin + (shift - g h) axis: one pass over the (N, 3) positions per term
    widen = c * state.bulge
    height = positions @ state.axis - float(state.origin @ state.axis)
    shift = (lam - 1.0) * state.travel_m
    return scaled_plus_span(xp, positions, 1.0 + widen, [widen, shift - widen * height], [-state.origin, state.axis])


def _solve_bulge(a0: float, a1: float, a2: float, target: float) -> float:
    """The root nearest 0 of a2 c^2 + a1 c + a0 = target, clamped to a safe range."""
    k = a0 - target
    if abs(a2) > 1e-30 * max(abs(a1), 1e-300):
        disc = a1 * a1 - 4.0 * a2 * k
        if disc >= 0.0:
            root = math.sqrt(disc)
            # the numerically stable form of the root that tends to -k / a1 as a2 -> 0
            q = -0.5 * (a1 + math.copysign(root, a1)) if a1 != 0.0 else -0.5 * root
            c = k / q if q != 0.0 else 0.0
            return min(max(c, -0.9), MAX_BULGE)
    if abs(a1) > 1e-300:
        return min(max(-k / a1, -0.9), MAX_BULGE)
    return 0.0


def _volume_weights(radial: np.ndarray, bulge: np.ndarray, axis: np.ndarray, faces: np.ndarray,
                    count: int) -> np.ndarray:  # fmt: skip
    """(3, N) W0, W1, W2 such that 6 V = z . (W0 + c W1 + c^2 W2) (see the module docstring)."""
    weights = np.zeros((3, count))
    for k in range(3):  # the corner whose column holds the axial part
        i, j = faces[:, (k + 1) % 3], faces[:, (k + 2) % 3]
        # det with `a` in column k equals det[a, r_i, r_j] for the cyclic order (k, i, j)
        d = np.einsum("j,mj->m", axis, np.cross(radial[i], radial[j]))
        for n, factor in enumerate((np.ones_like(d), bulge[i] + bulge[j], bulge[i] * bulge[j])):
            weights[n] += np.bincount(faces[:, k], weights=d * factor, minlength=count)
    return weights
