"""Screen-space ambient occlusion (the cheap tier) and its edge-aware blur."""

from __future__ import annotations

from renderer.gl import commands
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import gl_state
from renderer.passes.buffers import ViewBuffers
from renderer.passes.geometry import set_view_uniforms
from renderer.passes.options import RenderOptions
from renderer.view import View


def run_ssao(
    shaders: ShaderLibrary,
    fullscreen: commands.FullscreenTriangle,
    buffers: ViewBuffers,
    view: View,
    options: RenderOptions,
    radius_m: float,
) -> None:
    viewport = (0, 0, buffers.width, buffers.height)
    with gl_state(multisample=False):
        if not options.ambient_occlusion:
            commands.clear_color_attachment(buffers.ao, 0, (1.0, 1.0, 1.0, 1.0))
            return
        program = shaders.program("fullscreen.vert", "ssao.frag")
        set_view_uniforms(program, view)
        program["u_normal_depth"] = 0
        program["u_radius_m"] = radius_m
        program["u_directions"] = options.ao_directions
        program["u_steps"] = options.ao_steps
        buffers.normal_depth.bind(0)
        commands.bind_framebuffer(buffers.ao_raw, viewport)
        program.use()
        fullscreen.draw()

        blur = shaders.program("fullscreen.vert", "ssao_blur.frag")
        blur["u_normal_depth"] = 0
        blur["u_ao"] = 1
        blur["u_radius_m"] = radius_m
        blur.use()
        for source, target, direction in (
            (buffers.ao_raw, buffers.ao, (1.0, 0.0)),
            (buffers.ao, buffers.ao_raw, (0.0, 1.0)),
        ):
            blur["u_direction"] = direction
            source.colors[0].bind(1)
            commands.bind_framebuffer(target, viewport)
            fullscreen.draw()
        # The result of the second pass is in ao_raw; swap so `buffers.ao` always holds the answer.
        buffers.ao, buffers.ao_raw = buffers.ao_raw, buffers.ao
