"""Prepass: view-space normals and view depth of opaque parts and molecules, for screen-space effects."""

from __future__ import annotations

from collections.abc import Sequence

from renderer.gl import commands
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import clip_distances, gl_state
from renderer.gpu.molecule import GpuMolecule
from renderer.gpu.scene import GpuPart
from renderer.passes.buffers import ViewBuffers
from renderer.passes.early_depth import NO_DISCARD, split_for_early_depth
from renderer.passes.geometry import MAX_CLIP_PLANES, draw_parts, set_view_uniforms
from renderer.passes.impostors import draw_molecules_opaque
from renderer.view import View


def run_prepass(shaders: ShaderLibrary, buffers: ViewBuffers, view: View, opaque: list[GpuPart],
                molecules: Sequence[GpuMolecule] = ()) -> None:  # fmt: skip
    commands.bind_framebuffer(buffers.prepass, (0, 0, buffers.width, buffers.height))
    commands.clear_color_attachment(buffers.prepass, 0, (0.0, 0.0, 0.0, 0.0))  # w = 0: background
    commands.clear_color_attachment(buffers.prepass, 1, (0.0, 0.0, 0.0, 0.0))
    commands.clear_depth(buffers.prepass)
    with gl_state(depth_test=True, depth_write=True, multisample=False):
        with clip_distances(MAX_CLIP_PLANES):
            for parts, defines in zip(split_for_early_depth(opaque, view.eye_m), (NO_DISCARD, None)):
                if parts:
                    program = shaders.program("mesh.vert", "prepass.frag", defines=defines)
                    set_view_uniforms(program, view)
                    draw_parts(program, parts)
        draw_molecules_opaque(shaders, view, molecules)  # impostor shaders write no clip distances
