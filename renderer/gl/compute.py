"""Compute dispatch, storage buffers and image bindings: the GL calls of the ray-tracing passes."""

from __future__ import annotations

from OpenGL import GL

from renderer.gl.resources import Buffer

RGBA32F = GL.GL_RGBA32F
RGBA16F = GL.GL_RGBA16F
RG16F = GL.GL_RG16F
R16F = GL.GL_R16F
R32UI = GL.GL_R32UI
MAX_GROUPS = 65535  # per dimension, the minimum every driver guarantees


def bind_storage_buffer(binding: int, buffer: Buffer) -> None:
    GL.glBindBufferBase(GL.GL_SHADER_STORAGE_BUFFER, binding, buffer.name)


def dispatch_2d(width: int, height: int, local: int = 8) -> None:
    """Enough `local`x`local` groups to cover width x height invocations."""
    GL.glDispatchCompute((width + local - 1) // local, (height + local - 1) // local, 1)


def barrier() -> None:
    """Make image and storage writes of earlier dispatches visible to later reads of any kind."""
    GL.glMemoryBarrier(GL.GL_SHADER_IMAGE_ACCESS_BARRIER_BIT | GL.GL_TEXTURE_FETCH_BARRIER_BIT
                       | GL.GL_SHADER_STORAGE_BARRIER_BIT | GL.GL_FRAMEBUFFER_BARRIER_BIT)  # fmt: skip


def weighted_blend_functions() -> None:
    """Blend factors of weighted blended OIT: attachment 0 sums (ONE, ONE), attachment 1 multiplies the
    revealage (ZERO, ONE_MINUS_SRC_COLOR). Call inside a gl_state block with blending on."""
    GL.glBlendFunci(0, GL.GL_ONE, GL.GL_ONE)
    GL.glBlendFunci(1, GL.GL_ZERO, GL.GL_ONE_MINUS_SRC_COLOR)

