"""Render a scene's `ao` and `shadow` views with Prosector (both AO tiers) and with Mitsuba, and score
them. Used by benchmarks/quality_ao.py (full size) and tests/test_quality_ao.py (CI size)."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from renderer.quality.metrics import Comparison, compare, side_by_side
from renderer.quality.reference import (
    reference_ao,
    reference_shadow,
    translucency_factor,
    translucent_parts,
    write_world_meshes,
)


@dataclass
class SceneScores:
    scene: str
    scores: dict[str, Comparison] = field(default_factory=dict)  # "ao/raytraced", "ao/ssao", "shadow/raytraced"
    seconds: dict[str, float] = field(default_factory=dict)


def prosector_view(headless, loaded, camera, width: int, height: int, view: str, tier: str, samples: int) -> np.ndarray:
    """What `prosector render --view VIEW --ao-tier TIER --ao-samples N` writes, as (H, W) float in [0, 1]."""
    options = headless.options(view_mode=view, ao_tier=tier, ambient_occlusion=True)
    if tier == "raytraced":
        rays = min(samples, 4)
        options = options.with_(ao_radius_m=math.inf, ao_rays_per_pixel=rays, shadow_rays_per_pixel=rays,
                                rt_still_frames=max(1, -(-samples // rays)))  # fmt: skip
    image = headless.render(width, height, camera, options)
    return image[:, :, 0].astype(np.float32) / 255.0


def evaluate_scene(headless, name: str, scene_path: Path, width: int, height: int, work: Path,
                   reference_spp: int = 1024, samples: int = 256, shadow_samples: int = 16,
                   images: Path | None = None) -> SceneScores:  # fmt: skip
    from renderer.scene.load import load_scene

    loaded = load_scene(scene_path)
    headless.load(loaded)
    camera = headless.camera(width / height)
    options = headless.options()
    result = SceneScores(name)
    meshes = write_world_meshes(loaded, work / name)
    opacities = translucent_parts(loaded)
    layer_paths = write_world_meshes(loaded, work / name / "translucent", list(opacities))
    layers = dict(zip(layer_paths, opacities.values(), strict=True))

    started = time.perf_counter()
    ref_ao = reference_ao(meshes, camera, width, height, reference_spp)
    if layers:
        ref_ao = ref_ao * translucency_factor(meshes, layers, camera, width, height)
    result.seconds["mitsuba_ao"] = time.perf_counter() - started
    started = time.perf_counter()
    ref_shadow = reference_shadow(meshes, camera, width, height, options.key_direction,
                                  options.key_angular_diameter_deg, shadow_samples, layers)  # fmt: skip
    result.seconds["mitsuba_shadow"] = time.perf_counter() - started
    covered = ref_ao < 0.999  # geometry pixels (the open sky reads exactly 1)

    outputs = {}
    for view, tier, reference in (("ao", "raytraced", ref_ao), ("ao", "ssao", ref_ao),
                                  ("shadow", "raytraced", ref_shadow)):  # fmt: skip
        started = time.perf_counter()
        test = prosector_view(headless, loaded, camera, width, height, view, tier, samples)
        result.seconds[f"prosector_{view}_{tier}"] = time.perf_counter() - started
        key = f"{view}/{tier}"
        result.scores[key] = compare(reference, test, covered)
        outputs[key] = (reference, test)
    if images is not None:
        images.mkdir(parents=True, exist_ok=True)
        for key, (reference, test) in outputs.items():
            comparison = result.scores[key]
            strip = side_by_side(reference, test, np.abs(reference - test) * 4, comparison.flip_map)
            from PIL import Image

            Image.fromarray(strip).save(images / f"{name}_{key.replace('/', '_')}.png")
    return result
