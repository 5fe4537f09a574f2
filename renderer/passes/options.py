"""Per-render options: what the scene asks for, overridden by the command line or the XR governor."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from renderer.scene.colors import srgb_to_linear
from renderer.scene.model import Scene

VIEW_MODES = {"color": 0, "normal": 1, "depth": 2, "albedo": 3, "ao": 4}


@dataclass(frozen=True)
class RenderOptions:
    """Settings of one render. Colours here are linear RGB, radiance-scaled."""

    view_mode: str = "color"
    ambient_occlusion: bool = True
    ao_radius_m: float | None = None  # None: 4% of the scene's bounding diameter
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

    @property
    def view_mode_index(self) -> int:
        return VIEW_MODES[self.view_mode]

    def with_(self, **changes) -> RenderOptions:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def ao_radius_for(self, bounds: np.ndarray) -> float:
        if self.ao_radius_m is not None:
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
