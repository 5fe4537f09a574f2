"""Exploded view: the part slides away from a centre, eased in over `duration_s`, then holds.

The direction is the declared one, or from the centre (default: the whole scene's centre) toward the
part's own centre. The part moves rigidly, so its shape and volume are unchanged; rest at t <= 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from renderer.deform.curves import smoothstep
from renderer.deform.frames import DeformContext, unit
from renderer.scene.deformers import ExplodedView

# The part only moves along a direction: normals need no recompute (see pipeline.PartDeformation).
TRANSLATION_ONLY = True


@dataclass
class ExplodedState:
    offset: object  # (3,) float32: model-space displacement at full explosion, metres


def setup(xp: ModuleType, rest: np.ndarray, faces: np.ndarray, params: ExplodedView,
          ctx: DeformContext) -> ExplodedState:  # fmt: skip
    if params.direction is not None:
        direction = unit(params.direction, "exploded_view direction", ctx.part_id)
    else:
        centre = np.asarray(params.centre_m if params.centre_m is not None else ctx.scene_centre_m, np.float64)
        box = np.asarray(rest, np.float64)
        own = ctx.point_to_scene((box.min(axis=0) + box.max(axis=0)) / 2.0)
        away = own - centre
        # a part sitting on the centre has no "away": it rises, which reads well in every view
        direction = away / np.linalg.norm(away) if np.linalg.norm(away) > 1e-9 else np.array([0.0, 1.0, 0.0])
    offset = ctx.direction_to_model(direction * params.distance_m)
    return ExplodedState(xp.asarray(offset, xp.float32))


def deform(xp: ModuleType, positions, params: ExplodedView, t: float, state: ExplodedState):
    """(N, 3) float32 positions at time `t` (seconds), model space."""
    amount = smoothstep(t / params.duration_s)
    if amount == 0.0:
        return positions
    return positions + state.offset * amount
