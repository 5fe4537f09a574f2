"""Drawing molecules inside the passes: sphere and cylinder impostors and molecule meshes.

The prepass variant writes view normals and depth (so SSAO sees atoms); the shading variant shades
with the same PBR lighting as meshes. Impostors write gl_FragDepth, so they meet meshes and each
other along their true intersection curves. Sections that cut a molecule are tested per fragment
(shaders/lib/molecule_clip.glsl). Callers set the GL state (depth test, multisampling).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from renderer.gl import commands, instanced
from renderer.gl.shaders import Program, ShaderLibrary
from renderer.gl.state import PREMULTIPLIED, gl_state
from renderer.gpu.molecule import CUBE_STRIP_VERTICES, GpuMolecule
from renderer.passes.geometry import MAX_CLIP_PLANES, MAX_CUT_BOXES, set_lighting_uniforms
from renderer.passes.options import RenderOptions
from renderer.view import View


def _defines(options: RenderOptions | None) -> dict:
    return {"PREPASS": 1} if options is None else {"VIEW_MODE": options.view_mode_index}


def _programs(shaders: ShaderLibrary, view: View, options: RenderOptions | None) -> tuple[Program, Program, Program]:
    defines = _defines(options)
    programs = (shaders.program("impostor_sphere.vert", "impostor_sphere.frag", defines=defines),
                shaders.program("impostor_cylinder.vert", "impostor_cylinder.frag", defines=defines),
                shaders.program("molecule_mesh.vert", "molecule_mesh.frag", defines=defines))  # fmt: skip
    for program in programs:  # the view comes from the view block the pass bound
        if options is not None:
            set_lighting_uniforms(program, options)
    return programs


def _set_molecule(program: Program, molecule: GpuMolecule, opacity: float = 1.0) -> None:
    program["u_model"] = molecule.model_matrix
    program["u_normal_matrix"] = molecule.normal_matrix
    program["u_model_scale"] = molecule.model_scale
    program["u_roughness"] = molecule.roughness
    program["u_opacity"] = opacity
    planes = np.asarray(molecule.clip_planes, np.float32).reshape(-1, 4)[:MAX_CLIP_PLANES]
    program["u_clip_plane_count"] = len(planes)
    if len(planes):
        program["u_clip_planes"] = planes
    boxes = np.asarray(molecule.cut_boxes, np.float32).reshape(-1, 2, 3)[:MAX_CUT_BOXES]
    program["u_cut_box_count"] = len(boxes)
    if len(boxes):
        program["u_cut_box_min"] = boxes[:, 0]
        program["u_cut_box_max"] = boxes[:, 1]


def draw_molecules_opaque(shaders: ShaderLibrary, view: View, molecules: Iterable[GpuMolecule],
                          options: RenderOptions | None = None) -> None:  # fmt: skip
    """Impostors and opaque meshes. options=None: the prepass variant (normals + depth)."""
    molecules = list(molecules)
    if not molecules:
        return
    spheres, cylinders, meshes = _programs(shaders, view, options)
    # Parts may leave back-face culling on (restored by the pass's gl_state); impostor quads and boxes
    # are ray-cast whichever way they face, and surfaces may be open, so nothing is culled here.
    commands.set_back_face_culling(False)
    for molecule in molecules:
        if molecule.spheres is not None:
            _set_molecule(spheres, molecule)
            spheres.use()
            instanced.draw_strip_instances(molecule.spheres, 4, molecule.sphere_count)
        if molecule.cylinders is not None:
            _set_molecule(cylinders, molecule)
            cylinders.use()
            instanced.draw_strip_instances(molecule.cylinders, CUBE_STRIP_VERTICES, molecule.cylinder_count)
        for mesh in molecule.meshes:
            if not mesh.translucent:
                _set_molecule(meshes, molecule)
                meshes.use()
                commands.draw_indexed(mesh.vertex_array, mesh.index_count)


def draw_molecules_translucent(shaders: ShaderLibrary, view: View, molecules: Iterable[GpuMolecule],
                               options: RenderOptions) -> None:  # fmt: skip
    """Translucent molecule meshes (a surface over its ligand), blended after everything opaque.
    Front faces only, like translucent parts: one layer per surface."""
    molecules = [m for m in molecules if any(mesh.translucent for mesh in m.meshes)]
    if not molecules:
        return
    _, _, program = _programs(shaders, view, options)
    with gl_state(depth_test=True, depth_write=False, cull_face=True, blend=PREMULTIPLIED, multisample=True):
        for molecule in molecules:
            for mesh in molecule.meshes:
                if mesh.translucent:
                    _set_molecule(program, molecule, mesh.opacity)
                    program.use()
                    commands.draw_indexed(mesh.vertex_array, mesh.index_count)
