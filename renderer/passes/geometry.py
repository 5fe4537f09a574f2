"""Drawing parts: per-view and per-part uniforms, then the indexed draw."""

from __future__ import annotations

import numpy as np

from renderer import maths
from renderer.gl import commands
from renderer.gl.shaders import Program
from renderer.gpu.scene import GpuPart
from renderer.scene.colors import srgb_to_linear
from renderer.view import View


def set_view_uniforms(program: Program, view: View) -> None:
    program["u_view"] = view.view_matrix
    program["u_projection"] = view.projection
    program["u_eye_world"] = view.eye_m
    p = view.projection
    program["u_projection_params"] = (p[0, 0], p[1, 1], p[0, 2], p[1, 2])


def set_part_uniforms(program: Program, part: GpuPart) -> None:
    program["u_model"] = part.model_matrix
    program["u_normal_matrix"] = maths.normal_matrix(part.model_matrix)


def set_material_uniforms(program: Program, part: GpuPart) -> None:
    m = part.material
    program["u_base_color"] = srgb_to_linear(m.base_color)
    program["u_roughness"] = m.roughness
    program["u_metallic"] = m.metallic
    program["u_translucency"] = m.translucency
    program["u_translucency_color"] = srgb_to_linear(m.translucency_color)
    program["u_sheen"] = m.sheen
    program["u_emissive"] = srgb_to_linear(m.emissive)
    program["u_opacity"] = part.opacity


def draw_parts(program: Program, parts: list[GpuPart], materials: bool = False, cull_closed: bool = True) -> None:
    """Draw each part; with `cull_closed`, back faces of closed meshes are culled (call inside a
    `gl_state` block, which restores culling afterwards)."""
    program.use()
    for part in parts:
        commands.set_back_face_culling(cull_closed and part.cullable)
        set_part_uniforms(program, part)
        if materials:
            set_material_uniforms(program, part)
        commands.draw_indexed(part.mesh.vertex_array, part.mesh.index_count)


def back_to_front(parts: list[GpuPart], eye: np.ndarray) -> list[GpuPart]:
    """Translucent parts sorted farthest first (by bounding-box centre), for blending."""
    return sorted(parts, key=lambda p: -float(np.linalg.norm(p.world_bounds().mean(axis=0) - eye)))
