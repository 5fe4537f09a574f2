"""Smooth functions of time that drive deformers (each 0 at rest, C1-continuous, finite for any t)."""

from __future__ import annotations

import math
from types import ModuleType


def cosine_cycle(t: float, period_s: float) -> float:
    """0 at t = 0 and every period, 1 at each half period; 0.5 - 0.5 cos(2 pi t / period)."""
    return 0.5 - 0.5 * math.cos(2.0 * math.pi * t / period_s)


def smoothstep(x: float) -> float:
    """0 below 0, 1 above 1, 3x^2 - 2x^3 between: a start and stop without a jolt."""
    x = min(max(x, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


def bump(t: float, start_s: float, duration_s: float) -> float:
    """sin^2 pulse: 0 outside [start, start + duration], 1 in the middle."""
    x = (t - start_s) / duration_s
    if x <= 0.0 or x >= 1.0:
        return 0.0
    return math.sin(math.pi * x) ** 2


def systolic_pulse(xp: ModuleType, phase, systole_fraction: float):
    """Per-vertex contraction in [0, 1] from a cardiac phase array in [0, 1): sin^2 over systole, 0 in diastole."""
    x = phase / systole_fraction
    return xp.where(x < 1.0, xp.sin(math.pi * xp.minimum(x, 1.0)) ** 2, 0.0)
