"""Forward shading into the multisampled HDR buffer: opaque parts (and molecules), then (the
renderer draws the cut faces between) parts that scatter light under their surface
(renderer.passes.subsurface runs next), then translucent ones -- weighted blended OIT by default, or
sorted front faces. Every step states its framebuffer, program and textures (`gl_pass`); the view
comes from the view block the renderer bound."""

from __future__ import annotations

from collections.abc import Sequence

from renderer.gl import commands
from renderer.gl.resources import Texture
from renderer.gl.shaders import Program, ShaderLibrary
from renderer.gl.state import PREMULTIPLIED, clip_distances, gl_pass
from renderer.gpu.molecule import GpuMolecule
from renderer.gpu.scene import GpuPart
from renderer.passes.buffers import ViewBuffers
from renderer.passes.early_depth import NO_DISCARD, may_discard, split_for_early_depth
from renderer.passes.geometry import MAX_CLIP_PLANES, back_to_front, draw_parts, set_lighting_uniforms
from renderer.passes.ibl import EnvironmentLighting
from renderer.passes.impostors import draw_molecules_opaque, draw_molecules_translucent
from renderer.passes.options import RenderOptions
from renderer.passes.subsurface import ScatterGroups, SubsurfaceScattering
from renderer.passes.transparency import WeightedBlendedTransparency
from renderer.view import View


def shading_program(shaders: ShaderLibrary, options: RenderOptions, oit: bool = False,
                    subsurface: bool = False, screen_terms: bool = True, discards: bool = True) -> Program:  # fmt: skip
    """The pbr program variant for these options (image-based lighting in the colour view; `oit`: the
    weighted blended transparency outputs; `subsurface`: the scattered-light output; `screen_terms`:
    read the per-pixel AO and shadow, which describe the opaque surface -- not for translucent layers;
    without `discards`: for parts with no mask or cut box, renderer.passes.early_depth).
    A define, not a uniform: the program cache shares programs between passes, so per-pass values
    set on one would leak into the next."""
    defines = {"VIEW_MODE": options.view_mode_index, "SCREEN_TERMS": int(screen_terms and not oit)}
    if not discards:
        defines.update(NO_DISCARD)
    if options.view_mode == "color" and options.environment_map:
        defines["ENVIRONMENT_MAP"] = 1
    if oit:
        defines["OIT"] = 1
    if subsurface:
        defines["SUBSURFACE"] = 1
    return shaders.program("mesh.vert", "pbr.frag", defines=defines)


def surface_inputs(program: Program, buffers: ViewBuffers, options: RenderOptions,
                   environment: EnvironmentLighting | None, back_depth: Texture | None = None) -> dict:  # fmt: skip
    """Set the lighting uniforms of a pbr `program` and return the textures it reads, by sampler name."""
    textures: dict = {"u_ao": buffers.ao_texture, "u_shadow": buffers.shadow_texture}
    if environment is not None and options.view_mode == "color" and options.environment_map:
        textures.update(environment.inputs(program, options))
    program["u_has_back_depth"] = int(back_depth is not None)
    if back_depth is not None:
        textures["u_back_depth"] = back_depth
    set_lighting_uniforms(program, options)
    return textures


def shade_opaque(shaders: ShaderLibrary, buffers: ViewBuffers, view: View, options: RenderOptions,
                 opaque: list[GpuPart], environment: EnvironmentLighting | None = None,
                 back_depth: Texture | None = None, molecules: Sequence[GpuMolecule] = (),
                 scatter: ScatterGroups | None = None) -> None:  # fmt: skip
    """Clear the multisampled HDR buffer and draw the opaque parts and molecules into it; with
    `scatter`, its scattering parts are left out (`shade_scattering` draws them last)."""
    # (parts without discards, with): renderer.passes.early_depth; only the programs in use are made
    groups = [(shading_program(shaders, options, discards=discards), parts)
              for discards, parts in zip((False, True), split_for_early_depth(scatter.plain if scatter else opaque))
              if parts] or [(shading_program(shaders, options), [])]  # fmt: skip
    textures = {}
    for program, _parts in groups:
        textures.update(surface_inputs(program, buffers, options, environment, back_depth))
    # Colour view: alpha 0 marks background, which `present` fills with the exact requested colour
    # (tone mapping would otherwise shift a teacher's chosen background).
    commands.clear_color_attachment(
        buffers.hdr, 0, (*_background(options), 0.0 if options.view_mode == "color" else 1.0)
    )
    commands.clear_depth(buffers.hdr)
    glow = options.highlight_color
    with gl_pass(framebuffer=buffers.hdr, viewport=(0, 0, buffers.width, buffers.height), program=groups[0][0],
                 textures=textures, depth_test=True, depth_write=True, multisample=True):  # fmt: skip
        with clip_distances(MAX_CLIP_PLANES):
            for program, parts in groups:
                draw_parts(program, parts, materials=True, highlight_color=glow)
        draw_molecules_opaque(shaders, view, molecules, options)  # impostor shaders write no clip distances


def shade_scattering(shaders: ShaderLibrary, buffers: ViewBuffers, options: RenderOptions,
                     environment: EnvironmentLighting | None, back_depth: Texture | None,
                     subsurface: SubsurfaceScattering, scatter: ScatterGroups) -> None:  # fmt: skip
    """The parts that scatter, after everything else opaque: depth-tested, a scattering part writes
    its light only where it is in front (step 1 of renderer.passes.subsurface)."""
    programs, textures = {}, {}  # by whether the variant discards: only those some scattering part needs
    for discards in sorted({may_discard(p) for _key, parts in scatter.groups for p in parts}):
        programs[discards] = shading_program(shaders, options, subsurface=True, discards=discards)
        textures.update(surface_inputs(programs[discards], buffers, options, environment, back_depth))
    subsurface.draw_scattering_parts(programs, textures, buffers, scatter, options.highlight_color)


def shade_translucent(shaders: ShaderLibrary, buffers: ViewBuffers, view: View, options: RenderOptions,
                      translucent: list[GpuPart], environment: EnvironmentLighting | None = None,
                      oit: WeightedBlendedTransparency | None = None,
                      fullscreen: commands.FullscreenTriangle | None = None,
                      molecules: Sequence[GpuMolecule] = ()) -> None:  # fmt: skip
    """Blend the translucent parts and molecule surfaces over buffers.hdr, then resolve it."""
    glow = options.highlight_color
    viewport = (0, 0, buffers.width, buffers.height)
    weighted = options.transparency == "weighted" and oit is not None and fullscreen is not None
    if translucent and options.view_mode == "color" and weighted:
        oit_program = shading_program(shaders, options, oit=True)
        oit.draw(fullscreen, buffers, oit_program, surface_inputs(oit_program, buffers, options, environment),
                 translucent, glow)  # fmt: skip
    elif translucent and options.view_mode == "color":
        program = shading_program(shaders, options, screen_terms=False)
        textures = surface_inputs(program, buffers, options, environment)
        # Front faces only: one layer per translucent part, so a closed skin reads as a clear shell.
        with gl_pass(framebuffer=buffers.hdr, viewport=viewport, program=program, textures=textures,
                     depth_test=True, depth_write=False, cull_face=True, blend=PREMULTIPLIED, multisample=True), \
                clip_distances(MAX_CLIP_PLANES):  # fmt: skip
            draw_parts(program, back_to_front(translucent, view.eye_m), materials=True, highlight_color=glow)
    if molecules and options.view_mode == "color":
        with gl_pass(framebuffer=buffers.hdr, viewport=viewport,
                     textures={"u_ao": buffers.ao_texture, "u_shadow": buffers.shadow_texture}):  # fmt: skip
            draw_molecules_translucent(shaders, view, molecules, options)
    commands.resolve_color(buffers.hdr, buffers.resolved)


def _background(options: RenderOptions) -> tuple[float, float, float]:
    if options.view_mode == "color":
        return (0.0, 0.0, 0.0)
    if options.view_mode in ("depth", "ao", "shadow"):
        return (1.0, 1.0, 1.0)  # far / open sky
    return (0.0, 0.0, 0.0)
