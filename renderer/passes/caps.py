"""Clipping planes with capped cut faces (ray-cast caps).

Parts are clipped by their own sections (GpuPart.clip_planes, gl_ClipDistance in shaders/mesh.vert).
Where a clip plane cuts a closed opaque
part, `run_cap_gbuffer` writes the cut face into the prepass G-buffer (so AO and shadows apply to
it) and `shade_caps` fills it in the part's colour, optionally hatched. Whether a point of the plane
lies inside a part is asked of the ray-tracing BVH every frame, so caps follow deforming meshes.
Translucent and alpha-masked parts are traced (they dim light) but get no cap: they are not solids.
"""

from __future__ import annotations

import numpy as np

from renderer.gl import commands, compute
from renderer.gl.resources import Framebuffer, ResourceRegistry, Texture
from renderer.gl.shaders import Program, ShaderLibrary
from renderer.gl.state import gl_state
from renderer.gpu.scene import GpuPart, GpuScene
from renderer.passes.buffers import ViewBuffers
from renderer.passes.geometry import set_view_uniforms
from renderer.passes.options import RenderOptions
from renderer.raytrace.scene import RayScene
from renderer.scene.colors import srgb_to_linear
from renderer.view import View

MAX_CAP_PARTS = 64  # shared with shaders/caps_shade.frag
MAX_CAP_PLANES = 6  # shared with shaders/caps_gbuffer.frag


def cap_planes(parts: list[GpuPart]) -> np.ndarray:
    """(K <= 6, 4) float32: the distinct clip planes of `parts` (candidates for caps)."""
    planes: list[np.ndarray] = []
    for part in parts:
        for plane in np.asarray(part.clip_planes, dtype=np.float32).reshape(-1, 4):
            if not any(np.allclose(plane, other, atol=1e-6) for other in planes):
                planes.append(plane)
    return np.array(planes[:MAX_CAP_PLANES], dtype=np.float32).reshape(-1, 4)


class CapPass:
    """Per-size cap targets and the two cap draws."""

    def __init__(self, registry: ResourceRegistry, shaders: ShaderLibrary):
        self.registry, self.shaders = registry, shaders
        self.active = False

    def _target(self, buffers: ViewBuffers) -> tuple[Texture, Framebuffer]:
        def make() -> tuple[Framebuffer, Texture]:
            cap = Texture(self.registry, buffers.width, buffers.height, compute.RGBA32F)
            attachments = [buffers.normal_depth, buffers.world_position, cap]
            return Framebuffer(self.registry, attachments, buffers.prepass.depth), cap

        framebuffer, cap = buffers.derived("caps", make)
        return cap, framebuffer

    @staticmethod
    def capped_parts(scene: GpuScene) -> list[GpuPart]:
        return [p for p in RayScene.occluders(scene) if p.cappable]

    @staticmethod
    def needed(scene: GpuScene) -> bool:
        return any(len(p.clip_planes) for p in CapPass.capped_parts(scene))

    def run_cap_gbuffer(self, fullscreen: commands.FullscreenTriangle, buffers: ViewBuffers, view: View,
                        options: RenderOptions, scene: GpuScene, rays: RayScene) -> None:  # fmt: skip
        planes = cap_planes(self.capped_parts(scene))
        self.active = len(planes) > 0 and rays.sync(scene)
        if not self.active:
            return
        self.part_colors = np.full((MAX_CAP_PARTS, 3), 0.6, dtype=np.float32)
        for index, part_id in enumerate(rays.part_ids[:MAX_CAP_PARTS]):
            self.part_colors[index] = srgb_to_linear(scene.parts[part_id].material.base_color)
        cap, framebuffer = self._target(buffers)
        self.cap_texture = cap
        program = self.shaders.program("fullscreen.vert", "caps_gbuffer.frag",
                                       defines={"BVH_MASKS": int(rays.any_masks)})  # fmt: skip
        set_view_uniforms(program, view)
        padded = np.zeros((MAX_CAP_PLANES, 4), dtype=np.float32)
        padded[:len(planes)] = planes
        program["u_cap_planes"] = padded
        program["u_cap_plane_count"] = len(planes)
        program["u_any_sections"] = 1
        program["u_inverse_view_projection"] = np.linalg.inv(view.view_projection)
        program["u_viewport_size"] = (float(buffers.width), float(buffers.height))
        rays.bind()
        commands.clear_color_attachment(framebuffer, 2, (0.0, 0.0, 0.0, 0.0))
        commands.bind_framebuffer(framebuffer, (0, 0, buffers.width, buffers.height))
        with gl_state(depth_test=True, depth_write=True, multisample=False):
            program.use()
            fullscreen.draw()

    def shade_caps(self, fullscreen: commands.FullscreenTriangle, buffers: ViewBuffers, view: View,
                   options: RenderOptions) -> None:  # fmt: skip
        """Draw the caps into the bound multisampled HDR target, depth-tested against the parts."""
        if not self.active:
            return
        program = self.shaders.program("fullscreen.vert", "caps_shade.frag",
                                       defines={"VIEW_MODE": options.view_mode_index})  # fmt: skip
        _set_cap_uniforms(program, view, options, self.part_colors)
        self.cap_texture.bind(0)
        buffers.world_position.bind(1)
        buffers.ao_texture.bind(2)
        buffers.shadow_texture.bind(3)
        with gl_state(depth_test=True, depth_write=True, multisample=True):
            program.use()
            fullscreen.draw()

    def release(self) -> None:
        """Nothing of its own: its targets are released with the view buffers they attach to."""


def _set_cap_uniforms(program: Program, view: View, options: RenderOptions, colors: np.ndarray) -> None:
    set_view_uniforms(program, view)
    program["u_cap"], program["u_world"], program["u_ao"], program["u_shadow"] = 0, 1, 2, 3
    program["u_part_colors"] = colors
    program["u_key_direction"] = options.key_direction
    program["u_key_radiance"] = options.key_radiance
    program["u_sky_color"] = options.sky
    program["u_ground_color"] = options.ground
    program["u_hatch_spacing_m"] = options.cap_hatch_spacing_m
    program["u_near_far"] = (view.near_m, view.far_m)
