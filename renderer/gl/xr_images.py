"""Framebuffers around OpenXR swapchain images: textures the runtime owns, drawn into by the renderer."""

from __future__ import annotations

from OpenGL import GL

from renderer.errors import GLUnavailableError
from renderer.gl.resources import Framebuffer, GLObject, ResourceRegistry, _create, _deleter

SRGB8_ALPHA8 = GL.GL_SRGB8_ALPHA8
RGBA8 = GL.GL_RGBA8
DEPTH_COMPONENT32F = GL.GL_DEPTH_COMPONENT32F
DEPTH_COMPONENT24 = GL.GL_DEPTH_COMPONENT24
# Colour formats in order of preference: sRGB first, so the hardware encodes and the runtime does
# not show a linear image as if it were sRGB (the classic dark mirror window).
COLOR_FORMATS = (SRGB8_ALPHA8, RGBA8)
# The renderer's depth is DEPTH32F; a depth blit needs the same format on both sides.
DEPTH_FORMATS = (DEPTH_COMPONENT32F,)


class ImageFramebuffer(GLObject):
    """A framebuffer object around one colour swapchain image and optionally its depth image.

    `name` is what `Renderer.render_view` takes as its target; `size` is (width, height) pixels.
    """

    kind = "framebuffer"

    def __init__(self, registry: ResourceRegistry, color_texture: int, size: tuple[int, int],
                 depth_texture: int | None = None):  # fmt: skip
        super().__init__(registry, _create(GL.glCreateFramebuffers), _deleter(GL.glDeleteFramebuffers))
        self.size = size
        self.has_depth = depth_texture is not None
        GL.glNamedFramebufferTexture(self.name, GL.GL_COLOR_ATTACHMENT0, int(color_texture), 0)
        if depth_texture is not None:
            GL.glNamedFramebufferTexture(self.name, GL.GL_DEPTH_ATTACHMENT, int(depth_texture), 0)
        GL.glNamedFramebufferDrawBuffer(self.name, GL.GL_COLOR_ATTACHMENT0)
        status = GL.glCheckNamedFramebufferStatus(self.name, GL.GL_FRAMEBUFFER)
        if status != GL.GL_FRAMEBUFFER_COMPLETE:
            raise GLUnavailableError(f"swapchain image framebuffer incomplete: 0x{status:x}")

    def copy_depth_from(self, source: Framebuffer) -> None:
        """Copy the depth of `source` (same size, DEPTH32F) into this image's depth attachment, for
        XR_KHR_composition_layer_depth (the runtime reprojects with it)."""
        width, height = self.size
        GL.glBlitNamedFramebuffer(source.name, self.name, 0, 0, width, height, 0, 0, width, height,
                                  GL.GL_DEPTH_BUFFER_BIT, GL.GL_NEAREST)  # fmt: skip
