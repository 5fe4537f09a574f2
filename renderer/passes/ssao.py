"""Screen-space ambient occlusion (the cheap tier) and its edge-aware blur."""

from __future__ import annotations

from renderer.gl import commands
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import gl_pass, gl_state
from renderer.passes.buffers import ViewBuffers
from renderer.passes.options import RenderOptions


def run_ssao(
    shaders: ShaderLibrary,
    fullscreen: commands.FullscreenTriangle,
    buffers: ViewBuffers,
    options: RenderOptions,
    radius_m: float,
) -> None:
    """Reads the prepass's normals and depth and the view block; leaves the answer in `buffers.ao`."""
    viewport = (0, 0, buffers.width, buffers.height)
    with gl_state(multisample=False):
        if not options.ambient_occlusion:
            commands.clear_color_attachment(buffers.ao, 0, (1.0, 1.0, 1.0, 1.0))
            return
        program = shaders.program("fullscreen.vert", "ssao.frag")
        program["u_radius_m"] = radius_m
        program["u_directions"] = options.ao_directions
        program["u_steps"] = options.ao_steps
        with gl_pass(framebuffer=buffers.ao_raw, viewport=viewport, program=program,
                     textures={"u_normal_depth": buffers.normal_depth}):  # fmt: skip
            fullscreen.draw()

        blur = shaders.program("fullscreen.vert", "ssao_blur.frag")
        blur["u_radius_m"] = radius_m
        for source, target, direction in (
            (buffers.ao_raw, buffers.ao, (1.0, 0.0)),
            (buffers.ao, buffers.ao_raw, (0.0, 1.0)),
        ):
            blur["u_direction"] = direction
            with gl_pass(framebuffer=target, viewport=viewport, program=blur,
                         textures={"u_normal_depth": buffers.normal_depth, "u_ao": source.colors[0]}):  # fmt: skip
                fullscreen.draw()
        # The result of the second pass is in ao_raw; swap so `buffers.ao` always holds the answer.
        buffers.ao, buffers.ao_raw = buffers.ao_raw, buffers.ao
