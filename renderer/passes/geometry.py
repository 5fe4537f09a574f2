"""Drawing parts: lighting and per-part uniforms, then the indexed draw (view data: passes/view_block.py)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from renderer import maths
from renderer.gl import commands
from renderer.gl.shader_interface import MAX_CLIP_PLANES, MAX_CUT_BOXES
from renderer.gl.shaders import Program
from renderer.gpu.scene import GpuPart
from renderer.passes.options import RenderOptions
from renderer.scene.colors import srgb_to_linear

__all__ = ["MAX_CLIP_PLANES", "MAX_CUT_BOXES"]  # re-exported for the callers that cut with planes


def set_lighting_uniforms(program: Program, options: RenderOptions) -> None:
    """The hemisphere and key light that every shaded surface reads."""
    program["u_sky_color"] = options.sky
    program["u_ground_color"] = options.ground
    program["u_key_direction"] = options.key_direction
    program["u_key_radiance"] = options.key_radiance


def set_part_uniforms(program: Program, part: GpuPart) -> None:
    program["u_model"] = part.model_matrix
    program["u_normal_matrix"] = _normal_matrix(np.ascontiguousarray(part.model_matrix, np.float64).tobytes())
    planes = part.clip_planes[:MAX_CLIP_PLANES]
    program["u_clip_plane_count"] = len(planes)
    if len(planes):
        program["u_clip_planes"] = planes
    boxes = part.cut_boxes[:MAX_CUT_BOXES]
    program["u_cut_box_count"] = len(boxes)
    if len(boxes):
        program["u_cut_box_min"] = boxes[:, 0]
        program["u_cut_box_max"] = boxes[:, 1]
    set_mask_uniforms(program, part)


def set_mask_uniforms(program: Program, part: GpuPart) -> None:
    """The part's alpha mask (shaders/lib/alpha_mask.glsl); a cutoff of -1 means none."""
    mask = part.mask
    program["u_mask_cutoff"] = -1.0 if mask is None else mask.cutoff
    if mask is not None:
        program["u_mask_rect"] = tuple(float(v) for v in mask.rect)
        program["u_mask_layer"] = float(mask.layer)
        mask.atlas.bind()


def set_material_uniforms(program: Program, part: GpuPart, highlight_color=(1.0, 0.78, 0.25)) -> None:
    m = part.material
    program["u_base_color"] = _linear(tuple(m.base_color))
    program["u_roughness"] = m.roughness
    program["u_metallic"] = m.metallic
    program["u_translucency"] = m.translucency
    program["u_translucency_color"] = _linear(tuple(m.translucency_color))
    program["u_sheen"] = m.sheen
    program["u_emissive"] = _linear(tuple(m.emissive))
    program["u_opacity"] = part.opacity
    glow = _linear(tuple(highlight_color)) if part.highlight else (0.0, 0.0, 0.0)
    program["u_highlight"] = (*glow, 1.0 if part.highlight else 0.0)


def draw_parts(program: Program, parts: list[GpuPart], materials: bool = False,
               highlight_color=(1.0, 0.78, 0.25), cull_closed: bool = True) -> None:
    """Draw `parts` with `program`; clip distances must be enabled by the caller (`clip_distances`).
    With `cull_closed`, back faces of closed, uncut meshes are culled, and those of closed masked
    meshes drawn after their front faces (inside a `gl_state` block, which restores culling afterwards)."""
    program.use()
    for part in parts:
        # A closed mesh with an alpha mask shows its inside through the holes, so its back faces are
        # drawn too, after its front faces: where the driver tests depth before shading, the hidden
        # ones are then rejected unshaded (llvmpipe tests after shading when a shader can discard).
        inside_shows = cull_closed and part.mask is not None and part.mesh.source.closed
        commands.set_back_face_culling((cull_closed and part.cullable) or inside_shows)
        set_part_uniforms(program, part)
        if materials:
            set_material_uniforms(program, part, highlight_color)
        commands.draw_indexed(part.mesh.vertex_array, part.mesh.index_count)
        if inside_shows:
            commands.cull_front_faces()
            commands.draw_indexed(part.mesh.vertex_array, part.mesh.index_count)


def back_to_front(parts: list[GpuPart], eye: np.ndarray) -> list[GpuPart]:
    """Translucent parts sorted farthest first (by bounding-box centre), for blending."""
    return sorted(parts, key=lambda p: -float(np.linalg.norm(p.world_bounds().mean(axis=0) - eye)))


# Per part and per pass, these small conversions added up to seconds for a 500-part body on llvmpipe;
# parts share a handful of materials and most share one model matrix.
@lru_cache(maxsize=1024)
def _linear(srgb: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(float(c) for c in srgb_to_linear(srgb))


@lru_cache(maxsize=1024)
def _normal_matrix(model_bytes: bytes) -> np.ndarray:
    matrix = maths.normal_matrix(np.frombuffer(model_bytes, np.float64).reshape(4, 4))
    matrix.flags.writeable = False  # shared between parts
    return matrix
