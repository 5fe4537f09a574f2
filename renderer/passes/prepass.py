"""Prepass: view-space normals and view depth of opaque parts and molecules, for screen-space effects."""

from __future__ import annotations

from collections.abc import Sequence

from renderer.gl import commands
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import clip_distances, gl_pass
from renderer.gpu.molecule import GpuMolecule
from renderer.gpu.scene import GpuPart
from renderer.passes.buffers import ViewBuffers
from renderer.passes.early_depth import NO_DISCARD, split_for_early_depth
from renderer.passes.geometry import MAX_CLIP_PLANES, draw_parts
from renderer.passes.impostors import draw_molecules_opaque
from renderer.view import View


def run_prepass(shaders: ShaderLibrary, buffers: ViewBuffers, view: View, opaque: list[GpuPart],
                molecules: Sequence[GpuMolecule] = ()) -> None:  # fmt: skip
    """Reads the view block (bound by the renderer for `view`)."""
    # (parts without discards, with): renderer.passes.early_depth; only the programs in use are made
    groups = [(shaders.program("mesh.vert", "prepass.frag", defines=defines), parts)
              for defines, parts in zip((NO_DISCARD, None), split_for_early_depth(opaque)) if parts] \
        or [(shaders.program("mesh.vert", "prepass.frag"), [])]  # fmt: skip
    commands.clear_color_attachment(buffers.prepass, 0, (0.0, 0.0, 0.0, 0.0))  # w = 0: background
    commands.clear_color_attachment(buffers.prepass, 1, (0.0, 0.0, 0.0, 0.0))
    commands.clear_depth(buffers.prepass)
    with gl_pass(framebuffer=buffers.prepass, viewport=(0, 0, buffers.width, buffers.height), program=groups[0][0],
                 depth_test=True, depth_write=True, multisample=False):  # fmt: skip
        with clip_distances(MAX_CLIP_PLANES):
            for program, parts in groups:
                draw_parts(program, parts)
        draw_molecules_opaque(shaders, view, molecules)  # impostor shaders write no clip distances
