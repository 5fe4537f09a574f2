"""The GL calls render passes make, so that passes and targets never import OpenGL themselves."""

from __future__ import annotations

import numpy as np
from OpenGL import GL

from renderer.gl.resources import Buffer, Framebuffer, ResourceRegistry, Texture, VertexArray

RGBA8 = GL.GL_RGBA8
SRGB8_ALPHA8 = GL.GL_SRGB8_ALPHA8
RGBA16F = GL.GL_RGBA16F
RGBA32F = GL.GL_RGBA32F
R16F = GL.GL_R16F
R8 = GL.GL_R8
R32F = GL.GL_R32F
R32UI = GL.GL_R32UI
DEPTH32F = GL.GL_DEPTH_COMPONENT32F
DEPTH24 = GL.GL_DEPTH_COMPONENT24
GREATER = GL.GL_GREATER
LEQUAL = GL.GL_LEQUAL
LESS = GL.GL_LESS
RGBA = GL.GL_RGBA
UNSIGNED_BYTE = GL.GL_UNSIGNED_BYTE


def bind_framebuffer(framebuffer: Framebuffer | int, viewport: tuple[int, int, int, int]) -> None:
    """Draw into `framebuffer` (0 = the window) within `viewport` = (x, y, width, height) pixels."""
    name = framebuffer if isinstance(framebuffer, int) else framebuffer.name
    GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, name)
    GL.glViewport(*viewport)


def bind_uniform_block(binding: int, buffer: Buffer) -> None:
    """Make `buffer` the uniform block at `binding` (renderer.gl.shader_interface.UNIFORM_BLOCKS)."""
    GL.glBindBufferBase(GL.GL_UNIFORM_BUFFER, binding, buffer.name)


def clear_color_attachment(framebuffer: Framebuffer, index: int, rgba) -> None:
    GL.glClearNamedFramebufferfv(framebuffer.name, GL.GL_COLOR, index, np.asarray(rgba, dtype=np.float32))


def clear_color_attachment_uint(framebuffer: Framebuffer, index: int, value: int) -> None:
    """Clear an integer colour attachment (e.g. R32UI part ids) to `value`."""
    GL.glClearNamedFramebufferuiv(framebuffer.name, GL.GL_COLOR, index, np.array([value, 0, 0, 0], dtype=np.uint32))


def clear_depth(framebuffer: Framebuffer, depth: float = 1.0) -> None:
    GL.glClearNamedFramebufferfv(framebuffer.name, GL.GL_DEPTH, 0, np.array([depth], dtype=np.float32))


def clear_region(rgba, viewport: tuple[int, int, int, int]) -> None:
    """Clear colour inside `viewport` only (the scissor keeps other views' pixels)."""
    GL.glEnable(GL.GL_SCISSOR_TEST)
    GL.glScissor(*viewport)
    GL.glClearColor(*rgba)
    GL.glClear(GL.GL_COLOR_BUFFER_BIT)
    GL.glDisable(GL.GL_SCISSOR_TEST)


def set_back_face_culling(enabled: bool) -> None:
    """Per-draw culling inside a pass; the pass's `gl_state` restores the previous setting."""
    (GL.glEnable if enabled else GL.glDisable)(GL.GL_CULL_FACE)
    GL.glCullFace(GL.GL_BACK)


def cull_front_faces() -> None:
    """Per-draw: draw back faces only (a second draw after the front faces; see passes/geometry.py)."""
    GL.glEnable(GL.GL_CULL_FACE)
    GL.glCullFace(GL.GL_FRONT)


def draw_indexed(vertex_array: VertexArray, index_count: int) -> None:
    GL.glBindVertexArray(vertex_array.name)
    GL.glDrawElements(GL.GL_TRIANGLES, index_count, GL.GL_UNSIGNED_INT, None)


def draw_triangles(vertex_array: VertexArray, vertex_count: int) -> None:
    """Non-indexed triangles: `vertex_count` vertices from the array's buffers."""
    GL.glBindVertexArray(vertex_array.name)
    GL.glDrawArrays(GL.GL_TRIANGLES, 0, vertex_count)


class FullscreenTriangle:
    """One triangle covering the viewport; vertices come from gl_VertexID, no buffers."""

    def __init__(self, registry: ResourceRegistry):
        self.vertex_array = VertexArray(registry)

    def draw(self) -> None:
        GL.glBindVertexArray(self.vertex_array.name)
        GL.glDrawArrays(GL.GL_TRIANGLES, 0, 3)

    def release(self) -> None:
        self.vertex_array.release()


def resolve_color(source: Framebuffer, destination: Framebuffer) -> None:
    """Average a multisampled colour attachment into a single-sampled one of the same size."""
    width, height = source.size
    GL.glBlitNamedFramebuffer(
        source.name, destination.name, 0, 0, width, height, 0, 0, width, height, GL.GL_COLOR_BUFFER_BIT, GL.GL_NEAREST
    )


def read_rgba8(framebuffer: Framebuffer | int, rect: tuple[int, int, int, int]) -> np.ndarray:
    """Pixels of `rect` = (x, y, width, height) as (height, width, 4) uint8, top row first."""
    name = framebuffer if isinstance(framebuffer, int) else framebuffer.name
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, name)
    if name:
        GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT0)
    GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
    x, y, width, height = rect
    data = GL.glReadPixels(x, y, width, height, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE)
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, 0)
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4)[::-1].copy()


def read_float(texture: Texture, channels: int = 4) -> np.ndarray:
    """Level 0 of a float texture as (height, width, channels) float32, top row first."""
    fmt = {1: GL.GL_RED, 2: GL.GL_RG, 3: GL.GL_RGB, 4: GL.GL_RGBA}[channels]
    out = np.empty((texture.height, texture.width, channels), dtype=np.float32)
    GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
    GL.glGetTextureImage(texture.name, 0, fmt, GL.GL_FLOAT, out.nbytes, out)
    return out[::-1].copy()


def read_pixel_uint(framebuffer: Framebuffer, attachment: int, x: int, y: int) -> int:
    """The red value of one texel of an unsigned-integer colour attachment; (x, y) from the bottom left."""
    out = np.zeros(1, dtype=np.uint32)
    _read_texel(framebuffer, attachment, x, y, GL.GL_RED_INTEGER, GL.GL_UNSIGNED_INT, out)
    return int(out[0])


def read_pixel_float4(framebuffer: Framebuffer, attachment: int, x: int, y: int) -> np.ndarray:
    """(4,) float32 of one texel of a float colour attachment; (x, y) from the bottom left."""
    out = np.zeros(4, dtype=np.float32)
    _read_texel(framebuffer, attachment, x, y, GL.GL_RGBA, GL.GL_FLOAT, out)
    return out


def _read_texel(framebuffer: Framebuffer, attachment: int, x: int, y: int, fmt: int, gl_type: int,
                out: np.ndarray) -> None:  # fmt: skip
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, framebuffer.name)
    GL.glReadBuffer(GL.GL_COLOR_ATTACHMENT0 + attachment)
    GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
    GL.glReadPixels(x, y, 1, 1, fmt, gl_type, out)
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, 0)


def read_window_rgb(width: int, height: int) -> np.ndarray:
    """What the window's back buffer holds: (height, width, 3) uint8, top row first. Call before the swap."""
    GL.glBindFramebuffer(GL.GL_READ_FRAMEBUFFER, 0)
    GL.glReadBuffer(GL.GL_BACK)
    GL.glPixelStorei(GL.GL_PACK_ALIGNMENT, 1)
    data = GL.glReadPixels(0, 0, width, height, GL.GL_RGBA, GL.GL_UNSIGNED_BYTE)
    return np.frombuffer(data, dtype=np.uint8).reshape(height, width, 4)[::-1, :, :3].copy()


def finish() -> None:
    GL.glFinish()


def max_samples() -> int:
    return int(GL.glGetIntegerv(GL.GL_MAX_SAMPLES))

