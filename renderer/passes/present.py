"""Present: tone-map the resolved HDR view into the target's sRGB framebuffer at the view's viewport."""

from __future__ import annotations

from renderer.gl import commands
from renderer.gl.resources import Framebuffer
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import gl_pass
from renderer.passes.buffers import ViewBuffers
from renderer.passes.options import RenderOptions
from renderer.view import View


def run_present(
    shaders: ShaderLibrary,
    fullscreen: commands.FullscreenTriangle,
    buffers: ViewBuffers,
    view: View,
    options: RenderOptions,
    target: Framebuffer | int,
    srgb_target: bool = True,
) -> None:
    program = shaders.program(
        "fullscreen.vert",
        "present.frag",
        defines={"VIEW_MODE": options.view_mode_index, "ENCODE_SRGB": int(not srgb_target)},
    )
    program["u_exposure"] = options.exposure
    program["u_background"] = options.background
    program["u_origin"] = view.viewport[:2]
    with gl_pass(framebuffer=target, viewport=view.viewport, program=program,
                 textures={"u_hdr": buffers.resolved.colors[0]}, framebuffer_srgb=srgb_target,
                 multisample=False):  # fmt: skip
        fullscreen.draw()
