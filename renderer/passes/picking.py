"""Picking: the part under a pixel, by drawing part ids into an R32UI texture and reading one texel.

Why on the GPU rather than a CPU ray cast: the id pass draws exactly what the shading pass draws --
the same transforms, explode animations, clipping planes and cut-away boxes -- so the answer always
matches the picture, whatever the mesh size, with no acceleration structure to build on the CPU. It
runs only when the user clicks, at the clicked view's size. A second attachment keeps the world
position of the hit, where the picked structure's label then points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer.gl import commands
from renderer.gl.resources import Framebuffer, ResourceRegistry, Texture
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import clip_distances, gl_pass
from renderer.gpu.scene import GpuPart
from renderer.passes.geometry import MAX_CLIP_PLANES, set_part_uniforms
from renderer.passes.view_block import ViewBlock
from renderer.view import View


@dataclass(frozen=True)
class PickResult:
    """The part hit (None: background) and the hit point, (3,) world metres."""

    part_id: str | None
    point_m: np.ndarray | None


class PickPass:
    """One per Renderer context; the id framebuffer is rebuilt when the view size changes."""

    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self.framebuffer: Framebuffer | None = None
        self.view_block: ViewBlock | None = None  # its own: a click comes between frames, for any view

    def pick(self, shaders: ShaderLibrary, view: View, parts: list[GpuPart], x: int, y: int) -> PickResult:
        """The part of `parts` seen at pixel (x, y) of `view` (top-left origin, within the view)."""
        width, height = view.size
        if not (0 <= x < width and 0 <= y < height):
            return PickResult(None, None)
        framebuffer = self._framebuffer(width, height)
        commands.clear_color_attachment_uint(framebuffer, 0, 0)
        commands.clear_color_attachment(framebuffer, 1, (0.0, 0.0, 0.0, 0.0))
        commands.clear_depth(framebuffer)
        program = shaders.program("mesh.vert", "pick.frag")
        if self.view_block is None:
            self.view_block = ViewBlock(self.registry)
        self.view_block.bind(view, width, height)
        with gl_pass(framebuffer=framebuffer, viewport=(0, 0, width, height), program=program, depth_test=True,
                     depth_write=True, multisample=False), clip_distances(MAX_CLIP_PLANES):  # fmt: skip
            for index, part in enumerate(parts, start=1):
                set_part_uniforms(program, part)
                program["u_part_id"] = index
                commands.draw_indexed(part.mesh.vertex_array, part.mesh.index_count)
        row = height - 1 - y  # GL rows count from the bottom
        index = commands.read_pixel_uint(framebuffer, 0, x, row)
        if index == 0 or index > len(parts):
            return PickResult(None, None)
        position = commands.read_pixel_float4(framebuffer, 1, x, row)
        return PickResult(parts[index - 1].part_id, position[:3].astype(np.float64))

    def _framebuffer(self, width: int, height: int) -> Framebuffer:
        if self.framebuffer is not None and self.framebuffer.size == (width, height):
            return self.framebuffer
        self.release()
        colors = [Texture(self.registry, width, height, commands.R32UI),
                  Texture(self.registry, width, height, commands.RGBA32F)]  # fmt: skip
        depth = Texture(self.registry, width, height, commands.DEPTH32F)
        self.framebuffer = Framebuffer(self.registry, colors, depth, owned=True)
        return self.framebuffer

    def release(self) -> None:
        if self.framebuffer is not None:
            self.framebuffer.release()
            self.framebuffer = None
        if self.view_block is not None:
            self.view_block.release()
            self.view_block = None
