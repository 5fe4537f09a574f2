"""Instanced attributes and draws (molecule impostors): the GL calls renderer.gpu.molecule needs."""

from __future__ import annotations

from OpenGL import GL

from renderer.gl.resources import Buffer, VertexArray

_TYPES = {"float": (GL.GL_FLOAT, GL.GL_FALSE), "unorm8": (GL.GL_UNSIGNED_BYTE, GL.GL_TRUE)}


def attribute(vertex_array: VertexArray, location: int, buffer: Buffer, components: int, stride: int, offset: int,
              kind: str = "float", divisor: int = 0) -> None:  # fmt: skip
    """Attribute `location` from interleaved `buffer` at byte `offset`; `divisor` 1 = once per instance.

    kind: "float" (float32 components) or "unorm8" (bytes read as [0, 1] floats).
    Each attribute gets its own binding point (= location), so offsets live in the binding.
    """
    gl_type, normalized = _TYPES[kind]
    GL.glVertexArrayVertexBuffer(vertex_array.name, location, buffer.name, offset, stride)
    GL.glEnableVertexArrayAttrib(vertex_array.name, location)
    GL.glVertexArrayAttribFormat(vertex_array.name, location, components, gl_type, normalized, 0)
    GL.glVertexArrayAttribBinding(vertex_array.name, location, location)
    GL.glVertexArrayBindingDivisor(vertex_array.name, location, divisor)


def draw_strip_instances(vertex_array: VertexArray, vertices: int, instances: int, first_instance: int = 0) -> None:
    """`instances` copies of a `vertices`-long triangle strip built from gl_VertexID."""
    if instances <= 0:
        return
    GL.glBindVertexArray(vertex_array.name)
    GL.glDrawArraysInstancedBaseInstance(GL.GL_TRIANGLE_STRIP, 0, vertices, instances, first_instance)
