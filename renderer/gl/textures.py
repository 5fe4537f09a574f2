"""Mip-mapped float textures whose levels are given explicitly (pre-filtered environment maps)."""

from __future__ import annotations

import numpy as np
from OpenGL import GL

from renderer.gl.resources import GLObject, ResourceRegistry, _create, _deleter


class MipmappedTexture(GLObject):
    """RGB float levels (each (H, W, 3) float32, level k half the size of level k-1), row 0 at t = 0.
    Wraps around horizontally (equirectangular longitude) and clamps vertically."""

    kind = "texture"

    def __init__(self, registry: ResourceRegistry, levels: list[np.ndarray]):
        super().__init__(registry, _create(GL.glCreateTextures, GL.GL_TEXTURE_2D), _deleter(GL.glDeleteTextures))
        height, width = levels[0].shape[:2]
        self.width, self.height, self.internal_format = width, height, GL.GL_RGBA16F
        GL.glTextureStorage2D(self.name, len(levels), GL.GL_RGBA16F, width, height)
        GL.glPixelStorei(GL.GL_UNPACK_ALIGNMENT, 4)
        for level, pixels in enumerate(levels):
            h, w = pixels.shape[:2]
            GL.glTextureSubImage2D(self.name, level, 0, 0, w, h, GL.GL_RGB, GL.GL_FLOAT,
                                   np.ascontiguousarray(pixels, dtype=np.float32))  # fmt: skip
        mag = GL.GL_LINEAR
        minify = GL.GL_LINEAR_MIPMAP_LINEAR if len(levels) > 1 else GL.GL_LINEAR
        GL.glTextureParameteri(self.name, GL.GL_TEXTURE_MIN_FILTER, minify)
        GL.glTextureParameteri(self.name, GL.GL_TEXTURE_MAG_FILTER, mag)
        GL.glTextureParameteri(self.name, GL.GL_TEXTURE_WRAP_S, GL.GL_REPEAT)
        GL.glTextureParameteri(self.name, GL.GL_TEXTURE_WRAP_T, GL.GL_CLAMP_TO_EDGE)

    def bind(self, unit: int) -> None:
        GL.glBindTextureUnit(unit, self.name)
