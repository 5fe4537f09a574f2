"""Prosector materials as glTF PBR materials.

Core metallic-roughness always (Android Scene Viewer and other plain viewers read nothing else);
extensions carry the tissue look where a viewer has them, and a viewer without them still shows
the right colour and gloss:
- `sheen` (Prosector: the wet highlight on living tissue) -> KHR_materials_clearcoat, a thin glossy
  layer over the diffuse tissue, which is what a film of moisture is;
- `translucency` with its tint -> KHR_materials_sheen, a soft tinted glow at grazing angles, where
  light scattered inside thin tissue leaves the silhouette (glTF has no ratified subsurface model
  that three.js or the validator know);
- glass (no scattering, low roughness, the `glass` preset) -> KHR_materials_transmission with
  KHR_materials_volume and KHR_materials_ior, so it refracts what lies behind it.
"""

from __future__ import annotations

from renderer.scene.colors import srgb_to_linear
from renderer.scene.materials import Material

WET_COAT_ROUGHNESS = 0.12
SHEEN_ROUGHNESS = 0.6
GLASS_THICKNESS_M = 0.004


def gltf_material(name: str, material: Material, opacity: float = 1.0, glass: bool = False) -> dict:
    """A glTF material dict. base colour and emissive converted from sRGB to linear."""
    base = [float(c) for c in srgb_to_linear(material.base_color)]
    pbr = {"baseColorFactor": [*base, float(opacity)], "metallicFactor": float(material.metallic),
           "roughnessFactor": float(material.roughness)}  # fmt: skip
    out: dict = {"name": name, "pbrMetallicRoughness": pbr, "doubleSided": True}
    if opacity < 1.0:
        out["alphaMode"] = "BLEND"
    emissive = [float(c) for c in srgb_to_linear(material.emissive)]
    if any(emissive):
        out["emissiveFactor"] = emissive
    extensions: dict = {}
    if material.sheen > 0.0:
        extensions["KHR_materials_clearcoat"] = {"clearcoatFactor": round(float(material.sheen), 4),
                                                 "clearcoatRoughnessFactor": WET_COAT_ROUGHNESS}  # fmt: skip
    if material.translucency > 0.0:
        tint = [float(c) * float(material.translucency) for c in srgb_to_linear(material.translucency_color)]
        extensions["KHR_materials_sheen"] = {"sheenColorFactor": tint, "sheenRoughnessFactor": SHEEN_ROUGHNESS}
    if glass:
        extensions["KHR_materials_transmission"] = {"transmissionFactor": 1.0}
        extensions["KHR_materials_volume"] = {"thicknessFactor": GLASS_THICKNESS_M,
                                              "attenuationColor": base}  # fmt: skip
        extensions["KHR_materials_ior"] = {"ior": 1.5}
    if extensions:
        out["extensions"] = extensions
    return out


def is_glass(name_or_material: str | Material) -> bool:
    """Whether a part's material is (based on) the glass preset."""
    if isinstance(name_or_material, Material):
        return name_or_material.preset == "glass"
    return name_or_material == "glass"


def vertex_material(name: str, roughness: float = 0.45, opacity: float = 1.0) -> dict:
    """White base colour so COLOR_0 (molecule colours) shows as it is."""
    pbr = {"baseColorFactor": [1.0, 1.0, 1.0, float(opacity)], "metallicFactor": 0.0, "roughnessFactor": roughness}
    out = {"name": name, "pbrMetallicRoughness": pbr, "doubleSided": True}
    if opacity < 1.0:
        out["alphaMode"] = "BLEND"
    return out
