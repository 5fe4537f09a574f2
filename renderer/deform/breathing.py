"""Breathing: lungs expand, most toward the diaphragm, and the diaphragm's dome descends and flattens.

`axis` (scene space) is the direction the diaphragm moves on inspiration (default down, -Y). The cycle
is 0.5 - 0.5 cos(2 pi t f): rest (end of expiration) at t = 0 and every whole breath.
- lung: the apex stays put; a vertex moves along `axis` by depth x (lung height) x its height fraction
  from the apex, and away from the lung's vertical centre line by depth / 2 of its distance.
- diaphragm: the dome's centre descends by depth x (dome radius), the rim stays attached to the ribs
  (displacement falls off as 1 - (r / R)^2).
Volume is not preserved: inspiration draws air in.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from renderer.deform.curves import cosine_cycle
from renderer.deform.frames import DeformContext, unit
from renderer.deform.geometry import scaled_plus_span
from renderer.scene.deformers import Breathing

LATERAL_SHARE = 0.5  # lateral expansion relative to `depth`


@dataclass
class BreathingState:
    centre: object  # (3,) float32, model space
    axis: object  # (3,) float32, unit, model space
    size_m: float  # lung height along the axis, or dome radius
    weight: object  # (N,) float32: height fraction (lung) or dome profile (diaphragm), from the rest shape


def setup(xp: ModuleType, rest: np.ndarray, faces: np.ndarray, params: Breathing, ctx: DeformContext) -> BreathingState:
    axis = unit(ctx.direction_to_model(unit(params.axis, "breathing axis", ctx.part_id)), "breathing axis", ctx.part_id)
    p = np.asarray(rest, np.float64)
    centre = p.mean(axis=0)
    height = (p - centre) @ axis
    if params.role == "lung":
        size = float(height.max() - height.min())
        weight = (height - height.min()) / max(size, 1e-12)
    else:
        radial = np.linalg.norm((p - centre) - np.outer(height, axis), axis=1)
        size = float(radial.max())
        weight = np.clip(1.0 - (radial / max(size, 1e-12)) ** 2, 0.0, 1.0)
    f32 = xp.float32
    return BreathingState(xp.asarray(centre, f32), xp.asarray(axis, f32), size, xp.asarray(weight, f32))


def deform(xp: ModuleType, positions, params: Breathing, t: float, state: BreathingState):
    """(N, 3) float32 positions at time `t` (seconds), model space."""
    inspiration = params.depth * cosine_cycle(t, 60.0 / params.rate_per_min)
    descent = (inspiration * state.size_m) * state.weight
    if params.role == "diaphragm":
        return scaled_plus_span(xp, positions, 1.0, [descent], [state.axis])
    # p + descent axis + L (offset - h axis), offset = p - centre, h = offset . axis, regrouped as
    # (1 + L) p - L centre + (descent - L h) axis: one pass over the (N, 3) positions per term
    lateral = LATERAL_SHARE * inspiration
    height = positions @ state.axis - float(state.centre @ state.axis)
    moved = scaled_plus_span(xp, positions, 1.0 + lateral, [descent - lateral * height], [state.axis])
    return moved - lateral * state.centre
