"""The scene model (format version 1): what a teacher's file declares, validated, with no GL.

Scene space is metres, Y up, right-handed (glTF's convention); anatomical assets face +Z with the
patient's left on +X. Every field name carries its unit where it has one (`_m`, `_deg`, `_ms`).
Unknown keys are errors, so a typo never silently does nothing.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from renderer.deform.params import DeformerSpec
from renderer.scene.materials import Color, Material

FORMAT_VERSION = 1
PART_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]{0,63}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")

Vec3 = tuple[float, float, float]
PositiveFloat = Annotated[float, Field(gt=0)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_text(value):
    if isinstance(value, dict):
        if not value:
            raise ValueError("give the text in at least one language, e.g. {en: Femur}")
        for lang in value:
            if not LANGUAGE.match(str(lang)):
                raise ValueError(f"{lang!r} is not a language code such as en, zh, es, fr, pt-BR")
    return value


Text = Annotated[str | dict[str, str], Field(description="plain text, or {language code: text}")]


def text_in(text: str | dict[str, str] | None, lang: str, fallback: str = "en") -> str | None:
    """The text in `lang`, else in `fallback`, else the first one given."""
    if text is None or isinstance(text, str):
        return text
    return text.get(lang) or text.get(fallback) or next(iter(text.values()))


class Transform(Strict):
    """Model -> scene transform: scale, then rotate (X, Y, Z degrees), then translate."""

    translation_m: Vec3 = (0.0, 0.0, 0.0)
    rotation_deg: Vec3 = (0.0, 0.0, 0.0)
    scale: PositiveFloat | tuple[PositiveFloat, PositiveFloat, PositiveFloat] = 1.0


class Camera(Strict):
    """A pinhole camera. Without a `camera` block the scene is auto-framed from the front."""

    eye_m: Vec3 = Field(description="camera position, scene space, metres")
    target_m: Vec3 = Field(description="point looked at, scene space, metres")
    up: Vec3 = (0.0, 1.0, 0.0)
    vertical_fov_deg: float = Field(35.0, gt=1.0, lt=170.0)


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


class Part(Strict):
    """One anatomical structure: a mesh (or one named node of a GLB/glTF) with its material."""

    mesh: str = Field(description="path to OBJ, STL, PLY, GLB or glTF, relative to the scene file")
    node: str | None = Field(None, description="name of one node or mesh inside a GLB/glTF")
    unit: Literal["m", "cm", "mm"] = Field("m", description="length unit of the mesh file")
    up_axis: Literal["y", "z"] = Field("y", description="which axis of the mesh file points up")
    name: Text | None = Field(None, description="display name, e.g. {en: Femur, zh: 股骨}")
    material: str | Material = Field("organ", description="a preset (bone, muscle, ...), a scene material, or inline")
    transform: Transform = Transform()
    visible: bool = True
    opacity: float = Field(1.0, ge=0.0, le=1.0)
    deform: list[DeformerSpec] = Field(default_factory=list, max_length=8, description="deformers, applied in order")

    _check_name = field_validator("name")(lambda cls, v: _check_text(v))


class Scene(Strict):
    """A whole scene file (format version 1)."""

    version: Literal[1] = Field(description="scene format version; this program reads version 1")
    title: Text | None = None
    description: Text | None = None
    camera: Camera | None = None
    lights: Lights = Lights()
    materials: dict[str, Material] = Field(default_factory=dict)
    parts: dict[str, Part] = Field(min_length=1, description="the structures, by id")
    render: RenderSettings = RenderSettings()

    _check_title = field_validator("title", "description")(lambda cls, v: _check_text(v))

    @field_validator("parts", "materials")
    @classmethod
    def _ids(cls, value: dict) -> dict:
        for key in value:
            if not PART_ID.match(key):
                raise ValueError(f"id {key!r} must start with a letter and use only letters, digits, _ and -")
        return value
