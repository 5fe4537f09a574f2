"""Forward shading into the multisampled HDR buffer: opaque parts, then translucent ones blended."""

from __future__ import annotations

from collections.abc import Sequence

from renderer.gl import commands
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import PREMULTIPLIED, clip_distances, gl_state
from renderer.gpu.molecule import GpuMolecule
from renderer.gpu.scene import GpuPart
from renderer.passes.buffers import ViewBuffers
from renderer.passes.geometry import MAX_CLIP_PLANES, back_to_front, draw_parts, set_view_uniforms
from renderer.passes.impostors import draw_molecules_opaque, draw_molecules_translucent
from renderer.passes.options import RenderOptions
from renderer.view import View


def run_shading(
    shaders: ShaderLibrary,
    buffers: ViewBuffers,
    view: View,
    options: RenderOptions,
    opaque: list[GpuPart],
    translucent: list[GpuPart],
    molecules: Sequence[GpuMolecule] = (),
) -> None:
    program = shaders.program("mesh.vert", "pbr.frag", defines={"VIEW_MODE": options.view_mode_index})
    set_view_uniforms(program, view)
    program["u_sky_color"] = options.sky
    program["u_ground_color"] = options.ground
    program["u_key_direction"] = options.key_direction
    program["u_key_radiance"] = options.key_radiance
    program["u_near_far"] = (view.near_m, view.far_m)
    program["u_viewport_origin"] = (0.0, 0.0)
    program["u_ao"] = 0
    buffers.ao_texture.bind(0)

    commands.bind_framebuffer(buffers.hdr, (0, 0, buffers.width, buffers.height))
    # Colour view: alpha 0 marks background, which `present` fills with the exact requested colour
    # (tone mapping would otherwise shift a teacher's chosen background).
    commands.clear_color_attachment(
        buffers.hdr, 0, (*_background(options), 0.0 if options.view_mode == "color" else 1.0)
    )
    commands.clear_depth(buffers.hdr)
    glow = options.highlight_color
    with gl_state(depth_test=True, depth_write=True, multisample=True):
        with clip_distances(MAX_CLIP_PLANES):
            draw_parts(program, opaque, materials=True, highlight_color=glow)
        draw_molecules_opaque(shaders, view, molecules, options)  # impostor shaders write no clip distances
    if translucent and options.view_mode == "color":
        # Front faces only: one layer per translucent part, so a closed skin reads as a clear shell.
        with gl_state(depth_test=True, depth_write=False, cull_face=True, blend=PREMULTIPLIED, multisample=True), \
                clip_distances(MAX_CLIP_PLANES):
            draw_parts(program, back_to_front(translucent, view.eye_m), materials=True, highlight_color=glow)
    if molecules and options.view_mode == "color":
        draw_molecules_translucent(shaders, view, molecules, options)
    commands.resolve_color(buffers.hdr, buffers.resolved)


def _background(options: RenderOptions) -> tuple[float, float, float]:
    if options.view_mode == "color":
        return (0.0, 0.0, 0.0)
    if options.view_mode in ("depth", "ao"):
        return (1.0, 1.0, 1.0)  # far / open sky
    return (0.0, 0.0, 0.0)
