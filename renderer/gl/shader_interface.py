"""What Python and GLSL must agree on, defined once: array limits and binding points.

Every shader is compiled with these as `#define`s (renderer.gl.shaders.ShaderSources.expand), so
`uniform vec4 u_clip_planes[MAX_CLIP_PLANES]` and `layout(binding = UNIT_AO) uniform sampler2D u_ao`
take their numbers from here, and the passes bind with the same names (`TEXTURE_UNITS["u_ao"]`).
Like ChimeraX's fixed table of texture units: each sampler name has a unit of its own, so no two
inputs of a program can meet on one unit, and an input one pass left bound can never be read by
another under a different name. tests/test_shader_interface.py compiles every program and checks
the driver's view of the bindings against these tables.

Pure Python (no OpenGL import).
"""

from __future__ import annotations

from renderer.limits import MAX_CLIP_PLANES, MAX_CUT_BOXES

# Limits (array sizes in shaders and the caps on what Python sends); the section limits come from
# renderer.limits, which the scene model and the classroom protocol read too.
MAX_CAP_PARTS = 64  # parts whose colour the cap shader knows (ray-scene part index)
MAX_CAP_PLANES = MAX_CLIP_PLANES  # distinct planes the cap G-buffer pass tests
MAX_SCATTER_PROFILES = 32  # subsurface profile table; key 0: "does not scatter"
MAX_TAPS_PER_SIDE = 16  # subsurface blur taps on each side of the centre
# vec4s per part in the BVH section table: header, planes, box corners
SECTION_STRIDE = 1 + MAX_CLIP_PLANES + 2 * MAX_CUT_BOXES

LIMITS: dict[str, int] = {
    "MAX_CLIP_PLANES": MAX_CLIP_PLANES,
    "MAX_CUT_BOXES": MAX_CUT_BOXES,
    "MAX_CAP_PARTS": MAX_CAP_PARTS,
    "MAX_CAP_PLANES": MAX_CAP_PLANES,
    "MAX_SCATTER_PROFILES": MAX_SCATTER_PROFILES,
    "MAX_TAPS_PER_SIDE": MAX_TAPS_PER_SIDE,
    "SECTION_STRIDE": SECTION_STRIDE,
}

# Texture units by sampler name (GLSL `layout(binding = UNIT_<NAME>)`, name without `u_`, upper case).
# The same name means the same texture everywhere (u_normal_depth is always the prepass's).
TEXTURE_UNITS: dict[str, int] = {
    name: unit
    for unit, name in enumerate(
        (
            "u_ao",  # unoccluded fraction per pixel (the SSAO blur's input too)
            "u_shadow",  # key-light visibility per pixel
            "u_normal_depth",  # prepass: view normal + view depth
            "u_world_position",  # prepass: world position + packed geometric normal
            "u_back_depth",  # thickness pass: view depth of the nearest back face
            "u_env_specular",  # image-based lighting, pre-filtered
            "u_env_irradiance",
            "u_mask_atlas",  # alpha masks of all parts (array texture)
            "u_cap",  # cap G-buffer: part index + depth
            "u_scattered",  # subsurface: diffuse light of scattering parts
            "u_depth",  # subsurface: the multisampled HDR depth
            "u_spread",  # subsurface: the blurred light
            "u_accum",  # weighted blended OIT sums
            "u_revealage",
            "u_hdr",  # present: the resolved HDR image
            "u_atlas",  # label and panel sprites
            "u_eyes",  # anaglyph: both eyes side by side
            "u_noisy",  # ray-traced tier: this frame's samples
            "u_history",  # ray-traced tier: the accumulated samples
            "u_input",  # ray-traced denoiser: the previous iteration
        )
    )
}

# Image units (compute shader outputs), by image uniform name.
IMAGE_UNITS: dict[str, int] = {
    "u_noisy_out": 0,  # rt_trace.comp
    "u_history_out": 1,  # rt_temporal.comp
    "u_ao_out": 2,  # rt_denoise.comp, final iteration
    "u_shadow_out": 3,
    "u_output": 4,  # rt_denoise.comp, other iterations
}

# Shader storage buffer bindings, by block name.
STORAGE_BINDINGS: dict[str, int] = {
    "BvhNodes": 0,
    "BvhTriangles": 1,
    "BvhSections": 2,
    "BvhParts": 3,
    "BvhUvs": 4,
    "SphereNodes": 5,
    "Spheres": 6,
}

# Uniform buffer bindings, by block name.
UNIFORM_BLOCKS: dict[str, int] = {
    "ViewBlock": 0,  # per-view matrices and sizes (renderer.passes.view_block)
}


def macro(prefix: str, name: str) -> str:
    """`UNIT_AO` for ("UNIT", "u_ao"); `SSBO_BVH_NODES` for ("SSBO", "BvhNodes")."""
    bare = name.removeprefix("u_")
    if not bare.islower():  # CamelCase block name
        bare = "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(bare))
    return f"{prefix}_{bare.upper()}"


def glsl_defines() -> dict[str, int]:
    """Every shared number, by the macro name shaders use."""
    defines = dict(LIMITS)
    for prefix, table in (("UNIT", TEXTURE_UNITS), ("IMAGE", IMAGE_UNITS), ("SSBO", STORAGE_BINDINGS),
                          ("UBO", UNIFORM_BLOCKS)):  # fmt: skip
        defines.update({macro(prefix, name): value for name, value in table.items()})
    return defines
