"""Window overlay: the rendered scene image, then on-screen text panels, drawn 1:1 into the window.

Panels are images Pillow drew (renderer.labels.panel), packed into one atlas and drawn with the
label shaders, in display-referred (sRGB) pixels without conversion, like the labels: text keeps
its exact colour whatever the exposure. The scene image comes first as one textured rectangle, so
the window can redraw its text (progress, frame time) without rendering the 3D scene again.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer.gl import commands
from renderer.gl.resources import Buffer, ResourceRegistry, Texture, VertexArray
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import PREMULTIPLIED, gl_pass
from renderer.labels.atlas import pack

FLOATS_PER_VERTEX = 8  # pixel xy, texel xy, tint rgba -- the layout of shaders/label.vert


@dataclass(frozen=True)
class PanelSprite:
    """An (H, W, 4) uint8 premultiplied sRGB image to draw with its top-left at pixel (x, y)."""

    image: np.ndarray
    x: int
    y: int


class OverlayPass:
    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self.atlas: Texture | None = None
        self.atlas_key: tuple | None = None
        self.buffer: Buffer | None = None
        self.vertex_array: VertexArray | None = None

    def draw(self, shaders: ShaderLibrary, window_size: tuple[int, int], scene_image: Texture | None,
             panels: list[PanelSprite]) -> None:  # fmt: skip
        """Draw into the window (framebuffer 0): `scene_image` (a GL texture, rows bottom-up, same size
        as the window) covering it, then `panels` over it."""
        width, height = window_size
        program = shaders.program("label.vert", "label.frag")
        program["u_view_size"] = (width, height)
        with gl_pass(framebuffer=0, viewport=(0, 0, width, height), program=program, blend=PREMULTIPLIED,
                     framebuffer_srgb=False, multisample=False):  # fmt: skip
            if scene_image is not None:
                # texel rows of a rendered texture run bottom-up: pixel row y shows texel row h - 1 - y
                quad = _quad(0, 0, scene_image.width, scene_image.height, 0, scene_image.height,
                             scene_image.width, 0)  # fmt: skip
                self._draw_vertices(quad, scene_image)
            if panels:
                atlas, sprites = self._atlas([p.image for p in panels])
                quads = [_quad(p.x, p.y, p.x + s.width, p.y + s.height, s.x, s.y, s.x + s.width, s.y + s.height)
                         for p, s in zip(panels, sprites, strict=True)]  # fmt: skip
                vertices = np.concatenate(quads)
                self._draw_vertices(vertices, atlas)

    def _atlas(self, images: list[np.ndarray]):
        atlas, sprites = pack(images)
        key = (atlas.shape, hash(atlas.tobytes()))
        if key != self.atlas_key:
            if self.atlas is None or (self.atlas.width, self.atlas.height) != (atlas.shape[1], atlas.shape[0]):
                if self.atlas is not None:
                    self.atlas.release()
                self.atlas = Texture(self.registry, atlas.shape[1], atlas.shape[0], commands.RGBA8)
            self.atlas.upload(atlas, commands.RGBA, commands.UNSIGNED_BYTE)
            self.atlas_key = key
        return self.atlas, sprites

    def _draw_vertices(self, vertices: np.ndarray, texture: Texture) -> None:
        data = np.ascontiguousarray(vertices, dtype=np.float32)
        if self.buffer is None or self.buffer.size < data.nbytes:
            self._release_buffers()
            self.buffer = Buffer(self.registry, size=max(data.nbytes, 16 * 1024), dynamic=True)
            self.vertex_array = VertexArray(self.registry)
            stride = FLOATS_PER_VERTEX * 4
            for location, (components, offset) in enumerate(((2, 0), (2, 8), (4, 16))):
                self.vertex_array.attribute(location, self.buffer, components, stride, offset)
        self.buffer.write(data)
        with gl_pass(textures={"u_atlas": texture}):
            commands.draw_triangles(self.vertex_array, len(data))

    def _release_buffers(self) -> None:
        for resource in (self.vertex_array, self.buffer):
            if resource is not None:
                resource.release()
        self.vertex_array, self.buffer = None, None

    def release(self) -> None:
        self._release_buffers()
        if self.atlas is not None:
            self.atlas.release()
            self.atlas = None


def _quad(x0, y0, x1, y1, u0, v0, u1, v1) -> np.ndarray:
    """Two triangles, (6, 8): pixel corners (top-left origin) with texel corners, untinted."""
    corners = [(x0, y0, u0, v0), (x1, y0, u1, v0), (x1, y1, u1, v1), (x0, y1, u0, v1)]
    return np.array([[*corners[i], 1.0, 1.0, 1.0, 1.0] for i in (0, 1, 2, 0, 2, 3)], dtype=np.float32)
