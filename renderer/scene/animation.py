"""Animations a teacher declares by name: keyframed transforms and exploded views.

Lesson steps start them (`animate: [name]`). Times are seconds from the start of the step;
a still image of a step (`prosector render --step N`) shows every animation at its end.
Deformers (heartbeat, breathing, ...) are declared per part under `deform:` instead.
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import Field, model_validator

from renderer import maths
from renderer.scene.fields import PositiveFloat, Strict, Vec3


class Keyframe(Strict):
    """The targets' extra transform at `time_s`, applied after their own transform (scene space)."""

    time_s: float = Field(ge=0.0, le=3600.0, description="seconds from the start of the animation")
    translation_m: Vec3 = Field((0.0, 0.0, 0.0), description="offset, metres")
    rotation_deg: Vec3 = Field((0.0, 0.0, 0.0), description="rotation about the targets' pivot, degrees")
    scale: PositiveFloat = 1.0


class KeyframeAnimation(Strict):
    """Moves parts or groups through keyframes, interpolating linearly between them."""

    kind: Literal["keyframes"]
    targets: list[str] = Field(min_length=1, max_length=1000, description="parts or groups moved together")
    keyframes: list[Keyframe] = Field(min_length=2, max_length=1000)
    pivot_m: Vec3 | None = Field(None, description="centre of rotation and scale; default: the targets' centre")
    loop: bool = Field(False, description="start over after the last keyframe (interactive views only)")

    @model_validator(mode="after")
    def _increasing(self) -> KeyframeAnimation:
        times = [k.time_s for k in self.keyframes]
        if any(b <= a for a, b in zip(times, times[1:], strict=False)):
            raise ValueError("keyframes must be listed with increasing time_s")
        return self

    @property
    def duration_s(self) -> float:
        return self.keyframes[-1].time_s


class ExplodeAnimation(Strict):
    """Moves each target away from a centre, so an assembly can be seen part by part."""

    kind: Literal["explode"]
    targets: list[str] = Field(min_length=1, max_length=1000, description="parts or groups pulled apart")
    distance_m: float = Field(0.05, ge=0.0, le=10.0, description="how far each part moves at the end")
    centre_m: Vec3 | None = Field(None, description="explosion centre; default: centre of the targets")
    duration_s: PositiveFloat = Field(1.5, le=600.0)
    directions: dict[str, Vec3] = Field(default_factory=dict, max_length=1000, description="per part or group "
                                        "(a part's own entry wins): the way it moves, scene space; default: away "
                                        "from the centre")  # fmt: skip

    @model_validator(mode="after")
    def _directions(self) -> ExplodeAnimation:
        for name, direction in self.directions.items():
            if not any(direction):
                raise ValueError(f"directions.{name} is [0, 0, 0]; give the way the part moves, e.g. [0, 1, 0]")
        return self


Animation = Annotated[KeyframeAnimation | ExplodeAnimation, Field(discriminator="kind")]


def keyframe_matrix(animation: KeyframeAnimation, time_s: float, pivot: np.ndarray) -> np.ndarray:
    """(4, 4) extra world transform at `time_s` (clamped to the keyframes), about `pivot` (3,) metres."""
    frames = animation.keyframes
    t = float(np.clip(time_s, frames[0].time_s, frames[-1].time_s))
    later = next(i for i, k in enumerate(frames) if k.time_s >= t)
    a, b = frames[max(later - 1, 0)], frames[later]
    w = 0.0 if b.time_s == a.time_s else (t - a.time_s) / (b.time_s - a.time_s)
    lerp = lambda x, y: (1 - w) * np.asarray(x, dtype=np.float64) + w * np.asarray(y, dtype=np.float64)
    scale = (1 - w) * a.scale + w * b.scale
    local = maths.rotation_euler_deg(lerp(a.rotation_deg, b.rotation_deg)) @ maths.scaling(scale)
    return maths.translation(lerp(a.translation_m, b.translation_m) + pivot) @ local @ maths.translation(-pivot)


def explode_offset(animation: ExplodeAnimation, part_centre: np.ndarray, centre: np.ndarray,
                   time_s: float, direction: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """(3,) offset, metres, of a part whose centre is `part_centre` at `time_s` (eased in and out),
    along `direction` when given (the part's entry in `directions`), else away from `centre`."""
    progress = float(np.clip(time_s / animation.duration_s, 0.0, 1.0))
    eased = progress * progress * (3 - 2 * progress)
    direction = part_centre - centre if direction is None else np.asarray(direction, dtype=np.float64)
    length = float(np.linalg.norm(direction))
    direction = direction / length if length > 1e-9 else np.array([0.0, 1.0, 0.0])
    return direction * animation.distance_m * eased

