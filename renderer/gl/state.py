"""Scoped GL state: each pass states what it needs; the previous state comes back on exit.

No pass may rely on state another pass left behind, so every pass enters `gl_state(...)` with the
full set of switches it depends on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from OpenGL import GL

_CAPS = {
    "depth_test": GL.GL_DEPTH_TEST,
    "cull_face": GL.GL_CULL_FACE,
    "blend": GL.GL_BLEND,
    "framebuffer_srgb": GL.GL_FRAMEBUFFER_SRGB,
    "multisample": GL.GL_MULTISAMPLE,
    "clip_distance0": GL.GL_CLIP_DISTANCE0,
    "polygon_offset_fill": GL.GL_POLYGON_OFFSET_FILL,
    "scissor_test": GL.GL_SCISSOR_TEST,
}


@dataclass(frozen=True)
class Blend:
    """Separate RGB/alpha blend factors (GL enums)."""

    src_rgb: int = GL.GL_SRC_ALPHA
    dst_rgb: int = GL.GL_ONE_MINUS_SRC_ALPHA
    src_alpha: int = GL.GL_ONE
    dst_alpha: int = GL.GL_ONE_MINUS_SRC_ALPHA


PREMULTIPLIED = Blend(GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA, GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)
ADDITIVE = Blend(GL.GL_ONE, GL.GL_ONE, GL.GL_ONE, GL.GL_ONE)


@contextmanager
def gl_state(
    *,
    depth_test: bool = False,
    depth_write: bool = True,
    depth_func: int = GL.GL_LESS,
    cull_face: bool = False,
    blend: Blend | None = None,
    framebuffer_srgb: bool = False,
    multisample: bool = True,
    clip_distance0: bool = False,
    polygon_offset: tuple[float, float] | None = None,
    color_write: bool = True,
    scissor: tuple[int, int, int, int] | None = None,
) -> Iterator[None]:
    """Set the listed GL switches for the block and restore the previous values afterwards.
    `scissor`: (x, y, width, height) pixels outside which nothing is drawn."""
    wanted = {
        "depth_test": depth_test,
        "cull_face": cull_face,
        "blend": blend is not None,
        "framebuffer_srgb": framebuffer_srgb,
        "multisample": multisample,
        "clip_distance0": clip_distance0,
        "polygon_offset_fill": polygon_offset is not None,
        "scissor_test": scissor is not None,
    }
    saved_caps = {key: bool(GL.glIsEnabled(cap)) for key, cap in _CAPS.items()}
    saved_depth_write = bool(GL.glGetBooleanv(GL.GL_DEPTH_WRITEMASK))
    saved_depth_func = int(GL.glGetIntegerv(GL.GL_DEPTH_FUNC))
    saved_color_mask = [bool(v) for v in GL.glGetBooleanv(GL.GL_COLOR_WRITEMASK)]
    saved_scissor = [int(v) for v in GL.glGetIntegerv(GL.GL_SCISSOR_BOX)]
    try:
        for key, on in wanted.items():
            (GL.glEnable if on else GL.glDisable)(_CAPS[key])
        GL.glDepthMask(GL.GL_TRUE if depth_write else GL.GL_FALSE)
        GL.glDepthFunc(depth_func)
        GL.glColorMask(*([GL.GL_TRUE if color_write else GL.GL_FALSE] * 4))
        if blend is not None:
            GL.glBlendFuncSeparate(blend.src_rgb, blend.dst_rgb, blend.src_alpha, blend.dst_alpha)
        if polygon_offset is not None:
            GL.glPolygonOffset(*polygon_offset)
        if scissor is not None:
            GL.glScissor(*scissor)
        if cull_face:
            GL.glCullFace(GL.GL_BACK)
        yield
    finally:
        for key, on in saved_caps.items():
            (GL.glEnable if on else GL.glDisable)(_CAPS[key])
        GL.glDepthMask(GL.GL_TRUE if saved_depth_write else GL.GL_FALSE)
        GL.glDepthFunc(saved_depth_func)
        GL.glColorMask(*saved_color_mask)
        GL.glScissor(*saved_scissor)


@contextmanager
def clip_distances(count: int) -> Iterator[None]:
    """Enable GL_CLIP_DISTANCE0..count-1 for the block (the mesh shader writes unused ones as 1)."""
    saved = [bool(GL.glIsEnabled(GL.GL_CLIP_DISTANCE0 + i)) for i in range(count)]
    try:
        for i in range(count):
            GL.glEnable(GL.GL_CLIP_DISTANCE0 + i)
        yield
    finally:
        for i, on in enumerate(saved):
            (GL.glEnable if on else GL.glDisable)(GL.GL_CLIP_DISTANCE0 + i)
