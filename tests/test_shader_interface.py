"""The one table of limits and bindings Python shares with GLSL (renderer/gl/shader_interface.py),
checked against what the real Mesa driver reports for every program: each sampler, image, storage
block and uniform block sits at the unit the table gives its name, no two inputs of a program share
a unit, the view block's std140 offsets are the ones Python packs, and `gl_pass` leaves nothing bound."""

from __future__ import annotations

import ctypes
from pathlib import Path

import pytest

from renderer.errors import ShaderError
from renderer.gl import shader_interface
from renderer.gl.shader_interface import IMAGE_UNITS, STORAGE_BINDINGS, TEXTURE_UNITS, UNIFORM_BLOCKS
from renderer.scene.load import load_scene
from tests.conftest import SCENES

SHADERS = Path(__file__).resolve().parent.parent / "shaders"

# Every program the passes build, in each variant that declares different inputs.
VARIANTS = [
    (("fullscreen.vert", "anaglyph.frag"), {}),
    (("fullscreen.vert", "caps_gbuffer.frag"), {"BVH_MASKS": 0}),
    (("fullscreen.vert", "caps_gbuffer.frag"), {"BVH_MASKS": 1}),
    (("fullscreen.vert", "caps_shade.frag"), {"VIEW_MODE": 0}),
    (("fullscreen.vert", "oit_composite.frag"), {}),
    (("fullscreen.vert", "present.frag"), {"VIEW_MODE": 0, "ENCODE_SRGB": 1}),
    (("fullscreen.vert", "ssao.frag"), {}),
    (("fullscreen.vert", "ssao_blur.frag"), {}),
    (("fullscreen.vert", "subsurface_blur.frag"), {}),
    (("fullscreen.vert", "subsurface_combine.frag"), {"MULTISAMPLE": 0}),
    (("fullscreen.vert", "subsurface_combine.frag"), {"MULTISAMPLE": 1}),
    (("fullscreen.vert", "subsurface_resolve.frag"), {}),
    (("impostor_sphere.vert", "impostor_sphere.frag"), {"PREPASS": 1}),
    (("impostor_sphere.vert", "impostor_sphere.frag"), {"VIEW_MODE": 0}),
    (("impostor_cylinder.vert", "impostor_cylinder.frag"), {"VIEW_MODE": 0}),
    (("molecule_mesh.vert", "molecule_mesh.frag"), {"VIEW_MODE": 0}),
    (("label.vert", "label.frag"), {}),
    (("mesh.vert", "pbr.frag"), {"VIEW_MODE": 0, "SCREEN_TERMS": 1, "ENVIRONMENT_MAP": 1, "SUBSURFACE": 1}),
    (("mesh.vert", "pbr.frag"), {"VIEW_MODE": 0, "SCREEN_TERMS": 0, "OIT": 1}),
    (("mesh.vert", "pbr.frag"), {"VIEW_MODE": 0, "SCREEN_TERMS": 1, "ENVIRONMENT_MAP": 1, "NO_DISCARD": 1}),
    (("mesh.vert", "pick.frag"), {}),
    (("mesh.vert", "prepass.frag"), {}),
    (("mesh.vert", "thickness.frag"), {}),
    (("rt_denoise.comp",), {"FINAL": 0}),
    (("rt_denoise.comp",), {"FINAL": 1}),
    (("rt_temporal.comp",), {}),
    (("rt_trace.comp",), {"INTERLEAVE": 1, "TRACE_TRIANGLES": 1, "TRACE_SPHERES": 1, "BVH_MASKS": 1,
                          "BVH_TRANSLUCENT": 1}),  # fmt: skip
]


def test_every_table_gives_each_name_its_own_binding():
    for table in (TEXTURE_UNITS, IMAGE_UNITS, STORAGE_BINDINGS, UNIFORM_BLOCKS):
        assert len(set(table.values())) == len(table), table
    defines = shader_interface.glsl_defines()
    assert defines["UNIT_AO"] == TEXTURE_UNITS["u_ao"] and defines["SSBO_BVH_NODES"] == STORAGE_BINDINGS["BvhNodes"]
    assert defines["UBO_VIEW_BLOCK"] == UNIFORM_BLOCKS["ViewBlock"] and defines["MAX_CLIP_PLANES"] == 6


def test_the_variants_cover_every_shader_file():
    listed = {name for files, _ in VARIANTS for name in files}
    stages = {p.name for p in SHADERS.iterdir() if p.suffix in (".vert", ".frag", ".comp")}
    assert stages == listed


def test_the_tables_fit_the_driver(headless):
    from OpenGL import GL

    assert max(TEXTURE_UNITS.values()) < GL.glGetIntegerv(GL.GL_MAX_COMBINED_TEXTURE_IMAGE_UNITS)
    assert max(IMAGE_UNITS.values()) < GL.glGetIntegerv(GL.GL_MAX_IMAGE_UNITS)
    assert max(STORAGE_BINDINGS.values()) < GL.glGetIntegerv(GL.GL_MAX_SHADER_STORAGE_BUFFER_BINDINGS)
    assert max(UNIFORM_BLOCKS.values()) < GL.glGetIntegerv(GL.GL_MAX_UNIFORM_BUFFER_BINDINGS)
    assert shader_interface.MAX_CLIP_PLANES <= GL.glGetIntegerv(GL.GL_MAX_CLIP_DISTANCES)


def _resources(program: int, interface: int) -> dict[str, int]:
    """name -> GL_BUFFER_BINDING of every active block of `interface` (uniform or storage blocks)."""
    from OpenGL import GL
    from OpenGL.raw.GL.VERSION import GL_4_3 as raw

    out = {}
    count = GL.glGetProgramInterfaceiv(program, interface, GL.GL_ACTIVE_RESOURCES)
    name = ctypes.create_string_buffer(256)
    length = GL.GLsizei(0)
    for index in range(int(count)):
        raw.glGetProgramResourceName(program, interface, index, 256, ctypes.byref(length), name)
        prop, value = (GL.GLenum * 1)(GL.GL_BUFFER_BINDING), (GL.GLint * 1)()
        raw.glGetProgramResourceiv(program, interface, index, 1, prop, 1, None, value)
        out[name.raw[: length.value].decode()] = int(value[0])
    return out


def _bindings(program) -> tuple[dict[str, int], dict[str, int]]:
    """(sampler name -> texture unit, image name -> image unit) as the driver reports them."""
    from OpenGL import GL
    from OpenGL.raw.GL.VERSION import GL_2_0 as raw

    from renderer.gl.shaders import SAMPLER_TYPES

    samplers, images = {}, {}
    for name, (location, gl_type) in program.uniforms.items():
        value = GL.GLint(-1)
        if gl_type == GL.GL_IMAGE_2D:
            raw.glGetUniformiv(program.name, location, ctypes.byref(value))
            images[name] = value.value
        elif gl_type in SAMPLER_TYPES:
            raw.glGetUniformiv(program.name, location, ctypes.byref(value))
            samplers[name] = value.value
    return samplers, images


def _check_program(program) -> None:
    from OpenGL import GL

    samplers, images = _bindings(program)
    for kind, found, table in (("texture", samplers, TEXTURE_UNITS), ("image", images, IMAGE_UNITS)):
        for name, unit in found.items():
            assert name in table, f"{program.label}: {kind} {name} is not in renderer/gl/shader_interface.py"
            assert unit == table[name], f"{program.label}: {name} at {kind} unit {unit}, the table says {table[name]}"
        assert len(set(found.values())) == len(found), f"{program.label}: two {kind} inputs share a unit: {found}"
    for interface, table in ((GL.GL_SHADER_STORAGE_BLOCK, STORAGE_BINDINGS), (GL.GL_UNIFORM_BLOCK, UNIFORM_BLOCKS)):
        for name, binding in _resources(program.name, interface).items():
            assert binding == table[name], f"{program.label}: block {name} at {binding}, the table says {table[name]}"


@pytest.mark.parametrize("files, defines", VARIANTS, ids=lambda v: "+".join(v) if isinstance(v, tuple) else None)
def test_glsl_bindings_match_the_table(headless, files, defines):
    program = headless.renderer.shaders.program(*files, defines=defines)
    _check_program(program)


def test_programs_built_by_a_render_keep_the_table(headless):
    """After the passes ran (and set their uniforms), every program still reads the table's units."""
    from renderer.passes.options import RenderOptions

    headless.load(load_scene(SCENES / "brain.yaml"))
    headless.render(64, 48)
    headless.render(64, 48, options=RenderOptions(ao_tier="raytraced", rt_still_frames=1))
    programs = list(headless.renderer.shaders._cache.values())
    assert len(programs) >= 10
    for program in programs:
        _check_program(program)


def test_samplers_cannot_be_pointed_elsewhere(headless):
    program = headless.renderer.shaders.program("fullscreen.vert", "ssao_blur.frag")
    with pytest.raises(ShaderError, match="u_ao is bound at its unit"):
        program["u_ao"] = 3


def test_a_pass_may_not_redefine_a_shared_limit(headless):
    with pytest.raises(ShaderError, match="MAX_CLIP_PLANES is shared with Python"):
        headless.renderer.shaders.program("mesh.vert", "prepass.frag", defines={"MAX_CLIP_PLANES": 8})


def test_program_binaries_are_keyed_on_the_shared_defines(headless, monkeypatch):
    from renderer.gl.program_cache import ProgramBinaryCache
    from renderer.gl.shaders import ShaderSources

    sources, cache = ShaderSources(), ProgramBinaryCache()
    before = sources.expand("prepass.frag").text
    monkeypatch.setitem(shader_interface.LIMITS, "MAX_CUT_BOXES", 3)
    after = sources.expand("prepass.frag").text
    assert "#define MAX_CUT_BOXES 2" in before and "#define MAX_CUT_BOXES 3" in after
    assert cache.key([(1, before)]) != cache.key([(1, after)])


def test_view_block_offsets_match_std140(headless):
    """The offsets Python packs at are the ones the driver laid the block out with."""
    from OpenGL import GL
    from OpenGL.raw.GL.VERSION import GL_4_3 as raw

    from renderer.passes import view_block

    program = headless.renderer.shaders.program("mesh.vert", "prepass.frag")
    expected = {"u_view": view_block._VIEW, "u_projection": view_block._PROJECTION,
                "u_inverse_view_projection": view_block._INVERSE, "u_projection_params": view_block._PARAMS,
                "u_eye_world": view_block._EYE, "u_near_far": view_block._NEAR_FAR,
                "u_viewport_size": view_block._SIZE}  # fmt: skip
    for name, floats in expected.items():
        index = raw.glGetProgramResourceIndex(program.name, GL.GL_UNIFORM, name.encode())
        assert index != GL.GL_INVALID_INDEX, name
        prop, value = (GL.GLenum * 1)(GL.GL_OFFSET), (GL.GLint * 1)()
        raw.glGetProgramResourceiv(program.name, GL.GL_UNIFORM, index, 1, prop, 1, None, value)
        assert value[0] == floats * 4, name
    block = raw.glGetProgramResourceIndex(program.name, GL.GL_UNIFORM_BLOCK, b"ViewBlock")
    prop, value = (GL.GLenum * 1)(GL.GL_BUFFER_DATA_SIZE), (GL.GLint * 1)()
    raw.glGetProgramResourceiv(program.name, GL.GL_UNIFORM_BLOCK, block, 1, prop, 1, None, value)
    assert value[0] <= view_block._FLOATS * 4


def test_gl_pass_restores_the_viewport_and_program_and_unbinds_its_inputs(headless):
    from OpenGL import GL

    from renderer.gl import commands
    from renderer.gl.resources import Framebuffer, Texture
    from renderer.gl.state import gl_pass

    registry = headless.context.resources
    target = Framebuffer(registry, [Texture(registry, 8, 8, commands.RGBA8)], owned=True)
    source = Texture(registry, 8, 8, commands.RGBA8)
    program = headless.renderer.shaders.program("fullscreen.vert", "present.frag",
                                                defines={"VIEW_MODE": 0, "ENCODE_SRGB": 1})  # fmt: skip
    GL.glBindFramebuffer(GL.GL_FRAMEBUFFER, 0)
    GL.glViewport(1, 2, 30, 40)
    GL.glUseProgram(0)
    unit = TEXTURE_UNITS["u_hdr"]
    try:
        with gl_pass(framebuffer=target, viewport=(0, 0, 8, 8), program=program, textures={"u_hdr": source},
                     multisample=False):  # fmt: skip
            assert GL.glGetIntegerv(GL.GL_DRAW_FRAMEBUFFER_BINDING) == target.name
            assert GL.glGetIntegerv(GL.GL_CURRENT_PROGRAM) == program.name
            GL.glActiveTexture(GL.GL_TEXTURE0 + unit)
            assert GL.glGetIntegerv(GL.GL_TEXTURE_BINDING_2D) == source.name
            headless.renderer.fullscreen.draw()
        # The framebuffer is left bound: rebinding the previous one inside a timer query broke
        # llvmpipe's pass times (test_gpu_campaign_smoke); every pass binds its own on entry.
        assert GL.glGetIntegerv(GL.GL_DRAW_FRAMEBUFFER_BINDING) == target.name
        assert GL.glGetIntegerv(GL.GL_CURRENT_PROGRAM) == 0
        assert list(GL.glGetIntegerv(GL.GL_VIEWPORT)) == [1, 2, 30, 40]
        GL.glActiveTexture(GL.GL_TEXTURE0 + unit)
        assert GL.glGetIntegerv(GL.GL_TEXTURE_BINDING_2D) == 0
    finally:
        GL.glActiveTexture(GL.GL_TEXTURE0)
        target.release()
        source.release()
