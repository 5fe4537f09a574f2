"""Physically based materials and the tissue presets teachers name (`material: bone`).

Values are metallic-roughness PBR (glTF's model) plus translucency for soft tissue, subsurface
scattering (how far light spreads under the surface, per colour channel) and a wet sheen.
Preset colours were chosen from anatomical atlases' conventions and tuned so tissues are told
apart at a glance under the default lights.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from renderer.scene.colors import parse_color

# The schema says what teachers may write (hex or three numbers), not the parsed triple.
_COLOR_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": "^#?[0-9a-fA-F]{6}$"},
        {"type": "array", "items": {"type": "number", "minimum": 0, "maximum": 1}, "minItems": 3, "maxItems": 3},
    ],
    "description": "sRGB colour: '#rrggbb' or [r, g, b] in 0..1",
}
Color = Annotated[tuple[float, float, float], BeforeValidator(parse_color), WithJsonSchema(_COLOR_SCHEMA)]


class Material(BaseModel):
    """A PBR material. `base_color` is sRGB; scalars are in [0, 1]."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    preset: str | None = Field(None, description="start from this preset; other keys override it")
    base_color: Color = Field((0.8, 0.8, 0.8), description="sRGB colour, '#rrggbb' or [r, g, b] in 0..1")
    roughness: float = Field(0.6, ge=0.02, le=1.0, description="0 = mirror, 1 = chalk")
    metallic: float = Field(0.0, ge=0.0, le=1.0)
    translucency: float = Field(0.0, ge=0.0, le=1.0, description="light passing through thin soft tissue")
    translucency_color: Color = Field((1.0, 0.3, 0.2), description="tint of transmitted light (sRGB)")
    scatter_distance_m: float = Field(0.0, ge=0.0, le=0.02, description="how far light spreads under the surface "
                                      "before it leaves (metres; the spread of the channel that travels farthest); "
                                      "0: none")
    scatter_color: Color = Field((1.0, 1.0, 1.0), description="how far each channel spreads relative to "
                                 "scatter_distance_m (sRGB; skin: red farthest)")
    sheen: float = Field(0.0, ge=0.0, le=1.0, description="wet-surface highlight strength")
    emissive: Color = Field((0.0, 0.0, 0.0), description="self-lit colour (sRGB), e.g. for markers")
    alpha_mask: str | None = Field(None, min_length=1, max_length=1024,
                                   description="image (PNG...) cutting holes by texture coordinates, relative to "
                                   "the file this is written in: alpha (or grey level) below alpha_cutoff is a hole; "
                                   "the mesh needs texture coordinates")  # fmt: skip
    alpha_cutoff: float = Field(0.5, ge=0.0, le=1.0, description="mask value below which the surface is a hole; "
                                "also overrides a GLB material's own alphaCutoff")  # fmt: skip


def _preset(
    color: str,
    roughness: float,
    translucency: float = 0.0,
    tint: str = "#ff5040",
    sheen: float = 0.0,
    metallic: float = 0.0,
    scatter_mm: float = 0.0,
    scatter_color: str = "#ffffff",
) -> Material:
    return Material(
        base_color=color,
        roughness=roughness,
        translucency=translucency,
        translucency_color=tint,
        sheen=sheen,
        metallic=metallic,
        scatter_distance_m=scatter_mm / 1000.0,
        scatter_color=scatter_color,
    )


PRESETS: dict[str, Material] = {
    # Tuned under the default studio lighting so neighbours in a dissection read apart: bone matte
    # ivory; cartilage bluish and glassy; tendon silvery and glossy; ligament duller and warmer; fat
    # saturated yellow and translucent; nerve pale cream; organ darker and browner than muscle.
    # Scatter distances (mm) and colours follow the shape of measured skin profiles (red spreads
    # about 1-1.5 mm, green a third of that, blue a fifth; d'Eon and Luebke, GPU Gems 3 ch. 14),
    # scaled for each tissue; bone stays crisp, glass and plastic do not scatter.
    "bone": _preset("#e6d7b0", 0.62, 0.05, "#f0c090", sheen=0.05),
    "cartilage": _preset("#bdd3e2", 0.28, 0.5, "#a8cdf0", sheen=0.5, scatter_mm=1.5, scatter_color="#edf6ff"),
    "muscle": _preset("#a52e28", 0.45, 0.3, "#ff3020", sheen=0.35, scatter_mm=1.2, scatter_color="#ff957c"),
    "tendon": _preset("#e6eae8", 0.25, 0.25, "#f4fbff", sheen=0.65, scatter_mm=0.5, scatter_color="#ffffff"),
    "ligament": _preset("#d6c7a6", 0.48, 0.2, "#fff0d8", sheen=0.25, scatter_mm=0.5, scatter_color="#fff3da"),
    "fat": _preset("#f4c550", 0.38, 0.55, "#ffc040", sheen=0.45, scatter_mm=2.0, scatter_color="#ffe7b3"),
    "skin": _preset("#dfa98a", 0.5, 0.4, "#ff6040", sheen=0.12, scatter_mm=1.5, scatter_color="#ffa07c"),
    "artery": _preset("#c41d1b", 0.3, 0.3, "#ff2010", sheen=0.55, scatter_mm=0.8, scatter_color="#ff896c"),
    "vein": _preset("#34489c", 0.3, 0.3, "#5060ff", sheen=0.55, scatter_mm=0.8, scatter_color="#dadaff"),
    "nerve": _preset("#efe4b4", 0.42, 0.35, "#fff0a0", sheen=0.3, scatter_mm=0.8, scatter_color="#fff3da"),
    "brain_grey_matter": _preset("#c6a29a", 0.5, 0.3, "#ff8070", sheen=0.35, scatter_mm=1.2,
                                 scatter_color="#ffbcaa"),
    "brain_white_matter": _preset("#f2ede2", 0.55, 0.25, "#fff4e8", sheen=0.2, scatter_mm=1.5,
                                  scatter_color="#ffedda"),
    "organ": _preset("#833a2e", 0.35, 0.3, "#ff4030", sheen=0.55, scatter_mm=1.0, scatter_color="#ffa089"),
    "membrane": _preset("#e8c2be", 0.32, 0.6, "#ffb0a0", sheen=0.45, scatter_mm=0.8, scatter_color="#ffcbc4"),
    "glass": _preset("#f4f8ff", 0.05, 0.0, "#ffffff"),
    "plastic": _preset("#cccccc", 0.4),
}

DEFAULT_PRESET = "organ"


def resolve(name_or_material: str | Material, scene_materials: dict[str, Material]) -> Material:
    """The effective material: a scene-defined material (itself possibly based on a preset) or a preset.

    Raises KeyError for unknown names (validation reports those earlier with a suggestion).
    """
    if isinstance(name_or_material, Material):
        material = name_or_material
    elif name_or_material in scene_materials:
        material = scene_materials[name_or_material]
    else:
        return PRESETS[name_or_material]
    if material.preset:
        base = PRESETS[material.preset]
        overrides = material.model_dump(exclude_unset=True, exclude={"preset"})
        return base.model_copy(update=overrides)
    return material
