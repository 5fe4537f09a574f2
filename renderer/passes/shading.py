"""Forward shading into the multisampled HDR buffer: opaque parts (and molecules), cut faces, parts
that scatter light under their surface (renderer.passes.subsurface runs next), then translucent
ones -- weighted blended OIT by default, or sorted front faces."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from renderer.gl import commands
from renderer.gl.resources import Texture
from renderer.gl.shaders import Program, ShaderLibrary
from renderer.gl.state import PREMULTIPLIED, clip_distances, gl_state
from renderer.gpu.molecule import GpuMolecule
from renderer.gpu.scene import GpuPart
from renderer.passes.buffers import ViewBuffers
from renderer.passes.early_depth import NO_DISCARD, may_discard, split_for_early_depth
from renderer.passes.geometry import (
    MAX_CLIP_PLANES,
    back_to_front,
    draw_parts,
    set_lighting_uniforms,
    set_view_uniforms,
)
from renderer.passes.ibl import EnvironmentLighting
from renderer.passes.impostors import draw_molecules_opaque, draw_molecules_translucent
from renderer.passes.options import RenderOptions
from renderer.passes.subsurface import ScatterGroups, SubsurfaceScattering
from renderer.passes.transparency import WeightedBlendedTransparency
from renderer.view import View


def shading_program(shaders: ShaderLibrary, options: RenderOptions, oit: bool = False,
                    subsurface: bool = False, discards: bool = True) -> Program:  # fmt: skip
    """The pbr program variant for these options (image-based lighting in the colour view; `oit`: the
    weighted blended transparency outputs; `subsurface`: the scattered-light output; without
    `discards`, for parts with no mask or cut box: renderer.passes.early_depth)."""
    defines = {"VIEW_MODE": options.view_mode_index, **({} if discards else NO_DISCARD)}
    if options.view_mode == "color" and options.environment_map:
        defines["ENVIRONMENT_MAP"] = 1
    if oit:
        defines["OIT"] = 1
    if subsurface:
        defines["SUBSURFACE"] = 1
    return shaders.program("mesh.vert", "pbr.frag", defines=defines)


def shade_opaque(shaders: ShaderLibrary, buffers: ViewBuffers, view: View, options: RenderOptions,
                 opaque: list[GpuPart], after_opaque: Callable[[], None] | None = None,
                 environment: EnvironmentLighting | None = None, back_depth: Texture | None = None,
                 molecules: Sequence[GpuMolecule] = (), subsurface: SubsurfaceScattering | None = None,
                 scatter: ScatterGroups | None = None) -> None:  # fmt: skip
    """Clear the multisampled HDR buffer and draw the opaque parts, molecules and cut faces into it.
    With `subsurface` and `scatter` (the parts that scatter), those parts are drawn last, with their
    diffuse light also written for the subsurface pass, which the caller then runs."""
    commands.bind_framebuffer(buffers.hdr, (0, 0, buffers.width, buffers.height))
    # Colour view: alpha 0 marks background, which `present` fills with the exact requested colour
    # (tone mapping would otherwise shift a teacher's chosen background).
    commands.clear_color_attachment(
        buffers.hdr, 0, (*_background(options), 0.0 if options.view_mode == "color" else 1.0)
    )
    commands.clear_depth(buffers.hdr)
    glow = options.highlight_color
    scatter = scatter if subsurface is not None and scatter else None
    with gl_state(depth_test=True, depth_write=True, multisample=True):
        with clip_distances(MAX_CLIP_PLANES):
            groups = split_for_early_depth(scatter.plain if scatter else opaque, view.eye_m)
            for parts, discards in zip(groups, (False, True)):
                if parts:
                    program = shading_program(shaders, options, discards=discards)
                    _set_frame_uniforms(program, buffers, view, options, environment, back_depth)
                    program["u_screen_terms"] = 1
                    draw_parts(program, parts, materials=True, highlight_color=glow)
                    program["u_screen_terms"] = 0
        draw_molecules_opaque(shaders, view, molecules, options)  # impostor shaders write no clip distances
    if after_opaque is not None:  # e.g. cut faces of clipped parts, before translucent layers blend over
        after_opaque()
    if subsurface is not None and scatter is not None:
        # Drawn last and depth-tested, a scattering part writes its light only where it is in front.
        programs = {}  # by whether the variant discards; only the variants some scattering part needs
        for discards in sorted({may_discard(p) for _key, parts in scatter.groups for p in parts}):
            programs[discards] = shading_program(shaders, options, subsurface=True, discards=discards)
            _set_frame_uniforms(programs[discards], buffers, view, options, environment, back_depth)
            programs[discards]["u_screen_terms"] = 1
        subsurface.draw_scattering_parts(programs, buffers, view, scatter, glow)


def shade_translucent(shaders: ShaderLibrary, buffers: ViewBuffers, view: View, options: RenderOptions,
                      translucent: list[GpuPart], environment: EnvironmentLighting | None = None,
                      oit: WeightedBlendedTransparency | None = None,
                      fullscreen: commands.FullscreenTriangle | None = None,
                      molecules: Sequence[GpuMolecule] = ()) -> None:  # fmt: skip
    """Blend the translucent parts and molecule surfaces over buffers.hdr, then resolve it."""
    glow = options.highlight_color
    weighted = options.transparency == "weighted" and oit is not None and fullscreen is not None
    if translucent and options.view_mode == "color" and weighted:
        oit_program = shading_program(shaders, options, oit=True)
        _set_frame_uniforms(oit_program, buffers, view, options, environment, None)
        oit_program["u_screen_terms"] = 0
        oit.draw(fullscreen, buffers, oit_program, translucent, glow)
    elif translucent and options.view_mode == "color":
        program = shading_program(shaders, options)
        _set_frame_uniforms(program, buffers, view, options, environment, None)  # texture units were reused
        program["u_screen_terms"] = 0
        commands.bind_framebuffer(buffers.hdr, (0, 0, buffers.width, buffers.height))
        # Front faces only: one layer per translucent part, so a closed skin reads as a clear shell.
        with gl_state(depth_test=True, depth_write=False, cull_face=True, blend=PREMULTIPLIED, multisample=True), \
                clip_distances(MAX_CLIP_PLANES):
            draw_parts(program, back_to_front(translucent, view.eye_m), materials=True, highlight_color=glow)
    if molecules and options.view_mode == "color":
        commands.bind_framebuffer(buffers.hdr, (0, 0, buffers.width, buffers.height))
        buffers.ao_texture.bind(0)  # the molecule programs read AO and shadow at units 0 and 1, which the
        buffers.shadow_texture.bind(1)  # subsurface pass and the OIT composite use for their own inputs
        draw_molecules_translucent(shaders, view, molecules, options)
    commands.resolve_color(buffers.hdr, buffers.resolved)


def _set_frame_uniforms(program: Program, buffers: ViewBuffers, view: View, options: RenderOptions,
                        environment: EnvironmentLighting | None, back_depth: Texture | None) -> None:  # fmt: skip
    if environment is not None and options.view_mode == "color" and options.environment_map:
        environment.bind(program, options)
    program["u_has_back_depth"] = int(back_depth is not None)
    if back_depth is not None:
        program["u_back_depth"] = 6
        back_depth.bind(6)
    set_view_uniforms(program, view)
    set_lighting_uniforms(program, view, options)
    program["u_shadow"] = 1
    buffers.ao_texture.bind(0)
    buffers.shadow_texture.bind(1)


def _background(options: RenderOptions) -> tuple[float, float, float]:
    if options.view_mode == "color":
        return (0.0, 0.0, 0.0)
    if options.view_mode in ("depth", "ao", "shadow"):
        return (1.0, 1.0, 1.0)  # far / open sky
    return (0.0, 0.0, 0.0)
