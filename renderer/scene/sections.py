"""Sections: named clipping planes and cut-away boxes that open the anatomy to view.

A plane removes everything on the side its `normal` points to (think: the normal points at the
part of the head you saw away). A cut-away box removes everything inside it. Both are in scene
space, metres. Capping the cut surfaces comes with the shading work; here the cut is clean.
"""

from __future__ import annotations

from pydantic import Field, field_validator, model_validator

from renderer.limits import MAX_CLIP_PLANES, MAX_CUT_BOXES
from renderer.scene.fields import Strict, Text, Vec3, nonzero

MAX_ACTIVE_PLANES = MAX_CLIP_PLANES  # what the shaders can cut with at once
MAX_ACTIVE_BOXES = MAX_CUT_BOXES


class ClipPlane(Strict):
    """A plane through `point_m`; geometry on the side `normal` points to is cut away."""

    point_m: Vec3 = Field(description="a point on the plane, scene space, metres")
    normal: Vec3 = Field(description="direction toward the side that is removed (need not be unit length)")
    parts: list[str] | None = Field(None, max_length=1000, description="parts, groups or molecules it cuts; "
                                    "default: all of them")  # fmt: skip
    active: bool = Field(True, description="cuts when no lesson step says otherwise")
    name: Text | None = None

    _normal = field_validator("normal")(lambda cls, v: nonzero(v, "normal"))


class CutBox(Strict):
    """An axis-aligned box (scene space, metres); geometry inside it is cut away."""

    min_m: Vec3 = Field(description="lowest corner, scene space, metres")
    max_m: Vec3 = Field(description="highest corner, scene space, metres")
    parts: list[str] | None = Field(None, max_length=1000, description="parts, groups or molecules it cuts; "
                                    "default: all of them")  # fmt: skip
    active: bool = Field(True, description="cuts when no lesson step says otherwise")
    name: Text | None = None

    @model_validator(mode="after")
    def _ordered(self) -> CutBox:
        if any(lo >= hi for lo, hi in zip(self.min_m, self.max_m, strict=True)):
            raise ValueError("each value of min_m must be smaller than the same value of max_m")
        return self
