"""Scoped GL state: each pass states what it needs; the previous state comes back on exit.

No pass may rely on state another pass left behind, so every pass enters `gl_pass(...)` with its
framebuffer, program and inputs and the full set of switches it depends on (`gl_state`, the
switches alone, for blocks that bind nothing).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass

from OpenGL import GL

from renderer.gl.resources import Framebuffer, Texture, TextureArray
from renderer.gl.shader_interface import IMAGE_UNITS, TEXTURE_UNITS
from renderer.gl.shaders import Program

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


@contextmanager
def gl_pass(
    *,
    framebuffer: Framebuffer | int | None = None,
    viewport: tuple[int, int, int, int] | None = None,
    program: Program | None = None,
    textures: Mapping[str, Texture | TextureArray] | None = None,
    images: Mapping[str, tuple[Texture, bool]] | None = None,
    **switches,
) -> Iterator[None]:
    """One pass (or one step of a pass) with everything it reads and writes stated up front:
    `framebuffer` drawn into at `viewport` (x, y, width, height), `program` in use, `textures` by
    sampler name and `images` by image name -> (texture, written), each bound at its unit of
    renderer.gl.shader_interface. `switches` are `gl_state`'s; without any, the GL switches are
    left as the enclosing pass set them (steps of one pass share them).

    On exit the previous viewport and program come back and the textures and images are unbound, so
    no later pass can read an input it did not state, nor sample a texture it then renders into. The
    framebuffer stays bound (see below): a pass never relies on the one bound before it."""
    saved_viewport = [int(v) for v in GL.glGetIntegerv(GL.GL_VIEWPORT)] if framebuffer is not None else None
    saved_program = int(GL.glGetIntegerv(GL.GL_CURRENT_PROGRAM)) if program is not None else None
    texture_units = [TEXTURE_UNITS[name] for name in textures or ()]
    image_units = [IMAGE_UNITS[name] for name in images or ()]
    try:
        if framebuffer is not None:
            GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, framebuffer if isinstance(framebuffer, int) else framebuffer.name)
            if viewport is not None:
                GL.glViewport(*viewport)
        for unit, texture in zip(texture_units, (textures or {}).values(), strict=True):
            texture.bind(unit)
        for unit, (texture, written) in zip(image_units, (images or {}).values(), strict=True):
            access = GL.GL_WRITE_ONLY if written else GL.GL_READ_ONLY
            GL.glBindImageTexture(unit, texture.name, 0, GL.GL_FALSE, 0, access, texture.internal_format)
        if program is not None:
            program.use()
        with gl_state(**switches) if switches else nullcontext():
            yield
    finally:
        for unit in texture_units:
            GL.glBindTextureUnit(unit, 0)
        for unit in image_units:
            GL.glBindImageTexture(unit, 0, 0, GL.GL_FALSE, 0, GL.GL_READ_ONLY, GL.GL_R32F)
        if saved_program is not None:
            GL.glUseProgram(saved_program)
        if saved_viewport is not None:
            # The framebuffer stays bound: rebinding the previous one while a GL_TIME_ELAPSED query is
            # open makes llvmpipe report 0 or nothing for that pass and the ones after it (the GPU
            # campaign's pass times). Every pass binds the framebuffer it draws into on entry.
            GL.glViewport(*saved_viewport)
