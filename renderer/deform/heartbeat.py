"""Heartbeat: a pulsatile contraction that runs as a wave from the base of the heart to its apex.

Each vertex contracts toward the long axis (radius shrinks by `contraction` at peak systole) and toward
the base (the apex rises by half as much), following a sin^2 systolic pulse that lasts 35 % of the
cycle; a vertex at the apex starts 15 % of a cycle after one at the base. Rest shape at t = 0, at every
whole beat and throughout late diastole. Volume is not preserved: a beating heart ejects blood.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from renderer.deform.curves import systolic_pulse
from renderer.deform.frames import DeformContext, axis_endpoints, long_axis, unit
from renderer.deform.geometry import scaled_plus_span
from renderer.scene.deformers import Heartbeat

SYSTOLE_FRACTION = 0.35  # of the cardiac cycle
WAVE_DELAY = 0.15  # cycle fraction between base and apex
LONGITUDINAL_SHARE = 0.5  # apex-to-base shortening relative to the radial contraction


@dataclass
class HeartbeatState:
    base: object  # (3,) float32, model space, metres
    axis: object  # (3,) float32, unit, base -> apex
    along: object  # (N,) float32 in [0, 1]: 0 at the base, 1 at the apex (rest shape)


def setup(xp: ModuleType, rest: np.ndarray, faces: np.ndarray, params: Heartbeat, ctx: DeformContext) -> HeartbeatState:
    base, apex = axis_endpoints(
        ctx, params.base_m, params.apex_m, rest, ("base_m", "apex_m"), "heartbeat", default=_base_and_apex
    )
    axis = unit(apex - base, "heartbeat base_m -> apex_m", ctx.part_id)
    length = float(np.linalg.norm(apex - base))
    along = np.clip((np.asarray(rest, np.float64) - base) @ axis / length, 0.0, 1.0)
    f32 = xp.float32
    return HeartbeatState(xp.asarray(base, f32), xp.asarray(axis, f32), xp.asarray(along, f32))


def deform(xp: ModuleType, positions, params: Heartbeat, t: float, state: HeartbeatState):
    """(N, 3) float32 positions at time `t` (seconds), model space."""
    beats = math.fmod(t * params.rate_bpm / 60.0, 1.0)  # in float64 here, so late times keep their precision
    phase = beats - WAVE_DELAY * state.along
    phase = phase - xp.floor(phase)
    squeeze = params.contraction * systolic_pulse(xp, phase, SYSTOLE_FRACTION).astype(xp.float32)
    # base + h (1 - a s) axis + radial (1 - s), with offset = p - base = h axis + radial, regrouped as
    # (1 - s) p + s base + (1 - a) s h axis: one pass over the (N, 3) positions per term
    height = positions @ state.axis - float(state.base @ state.axis)
    shortening = (1.0 - LONGITUDINAL_SHARE) * squeeze * height
    return scaled_plus_span(xp, positions, 1.0 - squeeze, [squeeze, shortening], [state.base, state.axis])


def _base_and_apex(rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The mesh's long-axis ends; the base is the broader end (a heart narrows to its apex)."""
    a, b = long_axis(rest)
    axis = (b - a) / max(np.linalg.norm(b - a), 1e-12)
    p = np.asarray(rest, np.float64) - a
    along = p @ axis / max(np.linalg.norm(b - a), 1e-12)
    radius = np.linalg.norm(p - np.outer(p @ axis, axis), axis=1)
    near_a, near_b = radius[along < 0.25], radius[along > 0.75]
    wide_a = near_a.mean() if near_a.size else 0.0
    wide_b = near_b.mean() if near_b.size else 0.0
    return (a, b) if wide_a >= wide_b else (b, a)
