"""Clipping planes with capped cut faces (ray-cast caps).

Parts are clipped by their own sections (GpuPart.clip_planes, gl_ClipDistance in shaders/mesh.vert).
Where a clip plane cuts a closed opaque
part, `run_cap_gbuffer` writes the cut face into the prepass G-buffer (so AO and shadows apply to
it) and `shade_caps` fills it in the part's colour, optionally hatched. Whether a point of the plane
lies inside a part is asked of the ray-tracing BVH every frame, so caps follow deforming meshes.
Translucent and alpha-masked parts are traced (they dim light) but get no cap: they are not solids.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer.gl import commands, compute
from renderer.gl.resources import Framebuffer, ResourceRegistry, Texture
from renderer.gl.shader_interface import MAX_CAP_PARTS, MAX_CAP_PLANES
from renderer.gl.shaders import Program, ShaderLibrary
from renderer.gl.state import gl_pass
from renderer.gpu.scene import GpuPart, GpuScene
from renderer.passes.buffers import ViewBuffers
from renderer.passes.options import RenderOptions
from renderer.raytrace.scene import RayScene
from renderer.scene.colors import srgb_to_linear


def cap_planes(parts: list[GpuPart]) -> np.ndarray:
    """(K <= MAX_CAP_PLANES, 4) float32: the distinct clip planes of `parts` (candidates for caps)."""
    planes: list[np.ndarray] = []
    for part in parts:
        for plane in np.asarray(part.clip_planes, dtype=np.float32).reshape(-1, 4):
            if not any(np.allclose(plane, other, atol=1e-6) for other in planes):
                planes.append(plane)
    return np.array(planes[:MAX_CAP_PLANES], dtype=np.float32).reshape(-1, 4)


@dataclass(frozen=True)
class CapFaces:
    """What the cap G-buffer pass found, for `shade_caps`: `texture` (part index + 1, plane index,
    window depth per pixel) and `part_colors` ((MAX_CAP_PARTS, 3) linear RGB by ray-scene part index)."""

    texture: Texture
    part_colors: np.ndarray


class CapPass:
    """Per-size cap targets and the two cap draws."""

    def __init__(self, registry: ResourceRegistry, shaders: ShaderLibrary):
        self.registry, self.shaders = registry, shaders
        self.last_faces: CapFaces | None = None  # what the last view found: tests and tools read it, no pass does

    @property
    def active(self) -> bool:
        """Whether the last view had cut faces to cap."""
        return self.last_faces is not None

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

    def run_cap_gbuffer(self, fullscreen: commands.FullscreenTriangle, buffers: ViewBuffers, scene: GpuScene,
                        rays: RayScene) -> CapFaces | None:  # fmt: skip
        """Write the cut faces into the prepass G-buffer (view from the bound view block); None when
        no clip plane cuts a capped part."""
        self.last_faces = None
        planes = cap_planes(self.capped_parts(scene))
        if not (len(planes) > 0 and rays.sync(scene)):
            return None
        part_colors = np.full((MAX_CAP_PARTS, 3), 0.6, dtype=np.float32)
        for index, part_id in enumerate(rays.part_ids[:MAX_CAP_PARTS]):
            part_colors[index] = srgb_to_linear(scene.parts[part_id].material.base_color)
        cap, framebuffer = self._target(buffers)
        program = self.shaders.program("fullscreen.vert", "caps_gbuffer.frag",
                                       defines={"BVH_MASKS": int(rays.any_masks)})  # fmt: skip
        padded = np.zeros((MAX_CAP_PLANES, 4), dtype=np.float32)
        padded[:len(planes)] = planes
        program["u_cap_planes"] = padded
        program["u_cap_plane_count"] = len(planes)
        program["u_any_sections"] = 1
        rays.bind()  # storage buffers (and the mask atlas) of the ray scene
        commands.clear_color_attachment(framebuffer, 2, (0.0, 0.0, 0.0, 0.0))
        with gl_pass(framebuffer=framebuffer, viewport=(0, 0, buffers.width, buffers.height), program=program,
                     depth_test=True, depth_write=True, multisample=False):  # fmt: skip
            fullscreen.draw()
        self.last_faces = CapFaces(cap, part_colors)
        return self.last_faces

    def shade_caps(self, fullscreen: commands.FullscreenTriangle, buffers: ViewBuffers, options: RenderOptions,
                   faces: CapFaces) -> None:  # fmt: skip
        """Draw the caps into buffers.hdr (multisampled), depth-tested against the parts."""
        program = self.shaders.program("fullscreen.vert", "caps_shade.frag",
                                       defines={"VIEW_MODE": options.view_mode_index})  # fmt: skip
        _set_cap_uniforms(program, options, faces.part_colors)
        textures = {"u_cap": faces.texture, "u_world_position": buffers.world_position, "u_ao": buffers.ao_texture,
                    "u_shadow": buffers.shadow_texture}  # fmt: skip
        with gl_pass(framebuffer=buffers.hdr, viewport=(0, 0, buffers.width, buffers.height), program=program,
                     textures=textures, depth_test=True, depth_write=True, multisample=True):  # fmt: skip
            fullscreen.draw()

    def release(self) -> None:
        """Nothing of its own: its targets are released with the view buffers they attach to."""


def _set_cap_uniforms(program: Program, options: RenderOptions, colors: np.ndarray) -> None:
    program["u_part_colors"] = colors
    program["u_key_direction"] = options.key_direction
    program["u_key_radiance"] = options.key_radiance
    program["u_sky_color"] = options.sky
    program["u_ground_color"] = options.ground
    program["u_hatch_spacing_m"] = options.cap_hatch_spacing_m
