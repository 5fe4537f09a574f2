"""How a scene declares deformers on a part (`deform:` list), validated like the rest of the scene.

Pure data: the scene model imports these, and `renderer.deform` turns them into array code.
Each entry is selected by `kind`. Lengths are metres in scene space, times in seconds.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

# NaN or infinity in a vector would pass a range check and poison every vertex at render time.
Finite = Annotated[float, Field(allow_inf_nan=False)]
Vec3 = tuple[Finite, Finite, Finite]


class _Deformer(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    driven_by: Literal["time", "step", "interaction"] = Field(
        "time", description="time: plays continuously; step: follows lesson steps; interaction: a poke or grab"
    )


class Heartbeat(_Deformer):
    """Pulsatile contraction with a wave running from the base to the apex."""

    kind: Literal["heartbeat"]
    rate_bpm: float = Field(70.0, ge=20.0, le=240.0)
    contraction: float = Field(0.12, ge=0.0, le=0.5, description="fractional shrink at peak systole")
    base_m: Vec3 | None = Field(None, description="base of the heart, scene space; default: from the mesh's long axis")
    apex_m: Vec3 | None = Field(None, description="apex of the heart, scene space; default: from the mesh's long axis")


class Breathing(_Deformer):
    """Lungs expand and the diaphragm descends, periodically."""

    kind: Literal["breathing"]
    rate_per_min: float = Field(14.0, ge=2.0, le=60.0)
    depth: float = Field(0.06, ge=0.0, le=0.4, description="fractional expansion at full inspiration")
    axis: Vec3 = Field((0.0, -1.0, 0.0), description="direction the diaphragm moves on inspiration")
    role: Literal["lung", "diaphragm"] = Field(
        "lung", description="lung: expands, most toward the diaphragm; diaphragm: the dome descends and flattens"
    )


class MuscleContraction(_Deformer):
    """Shortening along the line of action, with a volume-preserving bulge."""

    kind: Literal["muscle_contraction"]
    origin_m: Vec3 | None = Field(None, description="origin (fixed end), scene space; default: mesh long axis")
    insertion_m: Vec3 | None = Field(None, description="insertion (moving end), scene space")
    shortening: float = Field(0.15, ge=0.0, le=0.6, description="fractional shortening at full contraction")
    period_s: float = Field(2.0, gt=0.05, le=600.0)


class ExplodedView(_Deformer):
    """The part moves away from a centre, for exploded views of assemblies."""

    kind: Literal["exploded_view"]
    distance_m: float = Field(0.05, ge=0.0, le=10.0)
    centre_m: Vec3 | None = Field(None, description="explosion centre; default: centre of the whole scene")
    direction: Vec3 | None = Field(None, description="default: from the centre toward the part")
    duration_s: float = Field(1.5, gt=0.0, le=600.0)


class SoftTissue(_Deformer):
    """Soft tissue that gives under a poke or grab and recovers its shape (XPBD / shape matching)."""

    kind: Literal["soft_tissue"]
    stiffness: float = Field(0.5, ge=0.0, le=1.0)
    damping: float = Field(0.1, ge=0.0, le=1.0)
    substeps: int = Field(10, ge=1, le=64)
    lattice_cells: int = Field(12, ge=2, le=64, description="embedding lattice resolution along the longest side")
    # A scripted poke (for lessons and `render --time`); a controller or the mouse pokes the same way.
    poke_m: Vec3 | None = Field(None, description="where a scripted finger presses, scene space; none: no script")
    poke_direction: Vec3 | None = Field(None, description="direction of the press; default: toward the part's centre")
    poke_depth_m: float = Field(0.01, ge=0.0, le=1.0, description="how far the finger presses in")
    poke_radius_m: float | None = Field(None, gt=0.0, le=1.0, description="finger size; default: 1.5 lattice cells")
    poke_start_s: float = Field(0.1, ge=0.0, le=3600.0)
    poke_duration_s: float = Field(0.6, gt=0.0, le=600.0, description="press and release take this long together")


class Bone(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    head_m: Vec3
    tail_m: Vec3
    parent: str | None = None
    rotation_deg: Vec3 = (0.0, 0.0, 0.0)


class Skinning(_Deformer):
    """Bones move the mesh: linear-blend or dual-quaternion skinning."""

    kind: Literal["skinning"]
    method: Literal["linear", "dual_quaternion"] = "dual_quaternion"
    bones: list[Bone] = Field(min_length=1, max_length=256)
    period_s: float = Field(3.0, gt=0.05, le=600.0)


DeformerSpec = Annotated[
    Heartbeat | Breathing | MuscleContraction | ExplodedView | SoftTissue | Skinning,
    Field(discriminator="kind"),
]
