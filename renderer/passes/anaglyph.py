"""Anaglyph: combine two eye images rendered side by side into one red-cyan picture."""

from __future__ import annotations

from renderer.gl import commands
from renderer.gl.resources import Framebuffer
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import gl_pass


def run_anaglyph(shaders: ShaderLibrary, fullscreen: commands.FullscreenTriangle, eyes: Framebuffer,
                 target: Framebuffer) -> None:  # fmt: skip
    """`eyes`: (2 width) x height, sRGB-encoded bytes, left eye on the left; `target`: width x height, same
    encoding (both plain RGBA8: the shader converts, so no sRGB hardware state is involved)."""
    width, height = target.size
    program = shaders.program("fullscreen.vert", "anaglyph.frag")
    program["u_eye_width"] = eyes.size[0] // 2
    with gl_pass(framebuffer=target, viewport=(0, 0, width, height), program=program,
                 textures={"u_eyes": eyes.colors[0]}, framebuffer_srgb=False, multisample=False):  # fmt: skip
        fullscreen.draw()
