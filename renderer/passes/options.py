"""Per-render options: what the scene asks for, overridden by the command line or the XR governor."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from renderer.scene.colors import srgb_to_linear
from renderer.scene.model import Scene

VIEW_MODES = {"color": 0, "normal": 1, "depth": 2, "albedo": 3, "ao": 4, "shadow": 5}
AO_TIERS = ("ssao", "raytraced")


@dataclass(frozen=True)
class RenderOptions:
    """Settings of one render. Colours here are linear RGB, radiance-scaled."""

    view_mode: str = "color"
    ambient_occlusion: bool = True
    ao_radius_m: float | None = None  # None: 4% of the scene's diameter (ssao), unbounded (raytraced); inf: unbounded
    ao_directions: int = 8
    ao_steps: int = 6
    msaa_samples: int = 4
    exposure: float = 1.0
    background: tuple[float, float, float] = (0.012, 0.014, 0.018)
    sky: tuple[float, float, float] = (0.7, 0.78, 0.9)
    ground: tuple[float, float, float] = (0.08, 0.07, 0.06)
    key_direction: tuple[float, float, float] = (0.4, 0.8, 0.6)
    key_radiance: tuple[float, float, float] = (2.5, 2.4, 2.3)
    highlight_color: tuple[float, float, float] = (1.0, 0.78, 0.25)  # sRGB glow of highlighted parts
    labels: bool = True  # draw the scene's labels (colour view only)
    # Ray-traced tier (renderer/passes/raytraced.py). The XR governor turns the per-frame costs:
    # rays per pixel, history length, denoiser iterations, and the traced buffer's resolution.
    ao_tier: str = "ssao"  # "ssao" (screen space, cheap) or "raytraced" (BVH rays, AO + key shadows)
    ao_rays_per_pixel: int = 2
    shadow_rays_per_pixel: int = 1
    shadows: bool = True
    key_angular_diameter_deg: float = 3.0
    rt_max_history_frames: int = 32
    rt_denoise_iterations: int = 3
    rt_still_frames: int = 1  # frames accumulated within one render of a still view (offline renders)
    rt_resolution_scale: float = 1.0  # 0.5: trace a quarter of the pixels per frame, interleaved
    transparency: str = "weighted"  # "weighted": blended OIT, both faces; "sorted": front faces by part centre
    environment_map: bool = True  # image-based lighting from the pre-filtered studio environment
    thickness_transmission: bool = True  # back-face pass: light through soft tissue by thickness
    # Screen-space subsurface scattering (renderer/passes/subsurface.py): diffuse light of materials with
    # a scatter distance spread under their surface; samples = taps per blur direction (odd, 3..33).
    subsurface_scattering: bool = True
    subsurface_samples: int = 25
    cap_hatch_spacing_m: float = 0.0  # hatching of cut faces (0: plain fill in the part's colour)

    @property
    def view_mode_index(self) -> int:
        return VIEW_MODES[self.view_mode]

    def for_output(self) -> RenderOptions:
        """Only the passes the chosen view shows: depth, normals and albedo need no occlusion, shadows,
        scattering or transmission (and no ray tracing); the shadow view of the screen-space tier no AO."""
        if self.view_mode in ("normal", "depth", "albedo"):
            return replace(self, ambient_occlusion=False, shadows=False, ao_tier="ssao", subsurface_scattering=False,
                           thickness_transmission=False, environment_map=False)  # fmt: skip
        if self.view_mode == "shadow" and self.ao_tier == "ssao":
            return replace(self, ambient_occlusion=False)
        return self

    def with_(self, **changes) -> RenderOptions:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def ao_radius_for(self, bounds: np.ndarray) -> float:
        if self.ao_radius_m is not None and np.isfinite(self.ao_radius_m):
            return self.ao_radius_m
        return 0.04 * float(np.linalg.norm(bounds[1] - bounds[0]))


def options_from_scene(scene: Scene) -> RenderOptions:
    lights, render = scene.lights, scene.render
    env = lights.environment
    key = lights.key
    direction = np.asarray(key.direction if key else (0.0, 1.0, 0.0), dtype=np.float64)
    direction = direction / (np.linalg.norm(direction) or 1.0)
    return RenderOptions(
        ambient_occlusion=render.ambient_occlusion != "off",
        ao_tier="raytraced" if render.ambient_occlusion == "raytraced" else "ssao",
        key_angular_diameter_deg=key.angular_diameter_deg if key else 0.0,
        ao_radius_m=render.ao_radius_m,
        msaa_samples=render.msaa_samples,
        exposure=render.exposure,
        background=tuple(srgb_to_linear(render.background)),
        sky=tuple(srgb_to_linear(env.sky_color) * env.intensity),
        ground=tuple(srgb_to_linear(env.ground_color) * env.intensity),
        key_direction=tuple(direction),
        key_radiance=tuple(srgb_to_linear(key.color) * key.intensity) if key else (0.0, 0.0, 0.0),
        highlight_color=tuple(render.highlight_color),
    )
