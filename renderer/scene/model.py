"""The scene model (format version 1): what a teacher's file declares, validated, with no GL.

Scene space is metres, Y up, right-handed (glTF's convention); anatomical assets face +Z with the
patient's left on +X. Every field name carries its unit where it has one (`_m`, `_deg`, `_ms`).
Unknown keys are errors, so a typo never silently does nothing. Cross-references between sections
(a step naming a part) are checked by `renderer.scene.references`; the version policy is in
docs/scene-format.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from renderer.library.selection import LibraryRef
from renderer.scene.animation import Animation
from renderer.scene.deformers import DeformerSpec
from renderer.scene.fields import ID, LANGUAGE, Camera, PositiveFloat, Strict, Text, Transform, Vec3, text_in
from renderer.scene.lesson import Lesson
from renderer.scene.materials import Color, Material
from renderer.scene.molecule_spec import MoleculeSpec
from renderer.scene.sections import ClipPlane, CutBox

FORMAT_VERSION = 1
PART_ID = ID  # kept for callers of format version 0's name

__all__ = ["FORMAT_VERSION", "PART_ID", "Camera", "Defaults", "Group", "Part", "PositiveFloat", "Scene", "Transform",
           "Vec3", "text_in"]  # fmt: skip


class EnvironmentLight(Strict):
    """Sky and ground light from every direction (image-based lighting grows from this)."""

    intensity: float = Field(1.0, ge=0.0, le=100.0)
    sky_color: Color = (0.86, 0.9, 0.96)
    ground_color: Color = (0.32, 0.29, 0.27)


class KeyLight(Strict):
    """A directional light. `direction` points from the scene toward the light (scene space)."""

    direction: Vec3 = (0.4, 0.8, 0.6)
    intensity: float = Field(2.5, ge=0.0, le=100.0)
    color: Color = (1.0, 0.97, 0.93)
    angular_diameter_deg: float = Field(3.0, ge=0.0, le=90.0, description="size of the light; softens shadows")


class Lights(Strict):
    environment: EnvironmentLight = EnvironmentLight()
    key: KeyLight | None = KeyLight()


class RenderSettings(Strict):
    background: Color = (0.11, 0.12, 0.14)
    ambient_occlusion: Literal["ssao", "raytraced", "off"] = "ssao"
    ao_radius_m: float | None = Field(None, gt=0.0, description="occlusion reach; default: 4% of the scene size")
    msaa_samples: Literal[1, 2, 4] = 4
    exposure: float = Field(1.0, gt=0.0, le=64.0)
    highlight_color: Color = Field((1.0, 0.78, 0.25), description="colour of the glow on highlighted parts (sRGB)")
    label_size: float = Field(1.0, ge=0.5, le=3.0, description="label text size, relative to the default")
    array_backend: Literal["auto", "numpy", "cupy"] = Field(
        "auto", description="where deformers run; PROSECTOR_ARRAY_BACKEND overrides; cupy falls back to numpy"
    )


class Part(Strict):
    """One anatomical structure: a mesh (or one named node of a GLB/glTF) with its material."""

    mesh: str | None = Field(None, description="path to OBJ, STL, PLY, GLB or glTF, relative to the scene file")
    library: LibraryRef | None = Field(None, description="a part of the bundled anatomy library instead of `mesh`: "
                                       "an id (`prosector library search`) or a selection {region, system, ...}")
    node: str | None = Field(None, description="name of one node or mesh inside a GLB/glTF")
    unit: Literal["m", "cm", "mm"] = Field("m", description="length unit of the mesh file")
    up_axis: Literal["y", "z"] = Field("y", description="which axis of the mesh file points up")
    name: Text | None = Field(None, description="display name, e.g. {en: Femur, zh: 股骨}")
    description: Text | None = Field(None, description="a sentence or two shown when the part is picked")
    material: str | Material = Field("organ", description="a preset (bone, muscle, ...), a scene material, or inline")
    transform: Transform = Transform()
    visible: bool = True
    opacity: float = Field(1.0, ge=0.0, le=1.0)
    pickable: bool = Field(True, description="whether a student can point at it and select it")
    label_anchor_m: Vec3 | None = Field(None, description="where its label's leader line points, scene space, "
                                        "metres; default: the point of the part nearest the viewer")  # fmt: skip
    deform: list[DeformerSpec] = Field(default_factory=list, max_length=8, description="deformers, applied in order")
    ids: dict[str, str] = Field(default_factory=dict, max_length=16, description="identifiers in other "
                                "databases (e.g. {fma: '24474'}), kept for reference, never shown")  # fmt: skip

    @model_validator(mode="after")
    def _has_geometry(self) -> Part:
        if self.mesh is None and self.library is None:
            raise ValueError("a part needs `mesh:` (a file) or `library:` (a bundled part such as right_femur)")
        return self


class Defaults(Strict):
    """Scene-wide values for every part that does not set its own (`prosector new` writes them)."""

    unit: Literal["m", "cm", "mm"] | None = Field(None, description="length unit of the mesh files")
    up_axis: Literal["y", "z"] | None = Field(None, description="which axis of the mesh files points up")
    material: str | Material | None = Field(None, description="for parts that set no material and whose groups "
                                            "set none")  # fmt: skip


class Group(Strict):
    """A named set of parts (and of other groups, for a hierarchy: skeleton > upper limb > humerus).

    Steps, sections and animations can name a group instead of listing its parts. A group's
    `material` applies to those of its parts that do not name their own.
    """

    name: Text | None = None
    description: Text | None = None
    parts: list[str] = Field(default_factory=list, max_length=10_000, description="ids of parts or child groups")
    parent: str | None = Field(None, description="id of the group this one belongs to")
    material: str | Material | None = Field(None, description="for member parts that set no material themselves")
    label_anchor_m: Vec3 | None = Field(None, description="where the group's label points, scene space, metres")


class Scene(Strict):
    """A whole scene file (format version 1)."""

    version: Literal[1] = Field(description="scene format version; this program reads version 1")
    include: list[str] = Field(default_factory=list, max_length=16, description="scene files this one builds on; "
                               "its own keys override theirs")  # fmt: skip
    title: Text | None = None
    description: Text | None = None
    language: str = Field("en", description="language shown when a text lacks the one asked for")
    defaults: Defaults = Field(Defaults(), description="unit, up axis and material for parts that set none")
    camera: Camera | None = None
    bookmarks: dict[str, Camera] = Field(default_factory=dict, description="named cameras that steps can use")
    lights: Lights = Lights()
    materials: dict[str, Material] = Field(default_factory=dict)
    parts: dict[str, Part] = Field(default_factory=dict, description="the structures, by id (a scene needs at least "
                                   "one part or molecule)")  # fmt: skip
    groups: dict[str, Group] = Field(default_factory=dict, description="named sets of parts, by id")
    molecules: dict[str, MoleculeSpec] = Field(default_factory=dict, description="molecules, by id")
    clip_planes: dict[str, ClipPlane] = Field(default_factory=dict, description="named clipping planes")
    cut_boxes: dict[str, CutBox] = Field(default_factory=dict, description="named cut-away boxes")
    animations: dict[str, Animation] = Field(default_factory=dict, description="named animations")
    lesson: Lesson | None = None
    render: RenderSettings = RenderSettings()

    @model_validator(mode="after")
    def _not_empty(self) -> Scene:
        if not self.parts and not self.molecules:
            raise ValueError("the scene shows nothing; add `parts:` (meshes) or `molecules:`")
        return self

    @model_validator(mode="after")
    def _apply_defaults(self) -> Scene:
        """Parts that set no unit or up axis take the scene's (the parts dict is filled in place: the
        models are frozen). The default material is applied by `step_state.part_material`."""
        fill = {k: getattr(self.defaults, k) for k in ("unit", "up_axis") if getattr(self.defaults, k) is not None}
        for part_id, part in self.parts.items():
            missing = {k: v for k, v in fill.items() if k not in part.model_fields_set}
            if missing:
                self.parts[part_id] = part.model_copy(update=missing)
        return self

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not LANGUAGE.match(value):
            raise ValueError(f"{value!r} is not a language code such as en, zh, es, fr, pt-BR")
        return value

    @field_validator("parts", "materials", "groups", "molecules", "bookmarks", "clip_planes", "cut_boxes",
                     "animations")  # fmt: skip
    @classmethod
    def _ids(cls, value: dict) -> dict:
        for key in value:
            if not ID.match(key):
                raise ValueError(f"id {key!r} must start with a letter and use only letters, digits, _ and -")
        return value
