"""The GL layer on the real Mesa driver: shader includes and errors, scoped state, resources."""

from __future__ import annotations

import pytest

from renderer.errors import ShaderError


@pytest.fixture
def shader_dir(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "good.glsl").write_text("float helper(float x) {\n    return x * 2.0;\n}\n")
    (tmp_path / "lib" / "bad.glsl").write_text("float helper(float x) {\n    return x * 2.0\n}\n")  # missing ;
    (tmp_path / "a.glsl").write_text('#include "b.glsl"\n')
    (tmp_path / "b.glsl").write_text('#include "a.glsl"\n')
    for name, include in (("good.frag", "lib/good.glsl"), ("bad.frag", "lib/bad.glsl")):
        (tmp_path / name).write_text(
            f'#include "{include}"\nout vec4 color;\nvoid main() {{\n    color = vec4(helper(SCALE));\n}}\n'
        )
    (tmp_path / "typo.frag").write_text("out vec4 color;\nvoid main() {\n    color = vec4(undefined_name);\n}\n")
    return tmp_path


def test_include_expansion_keeps_line_numbers(shader_dir):
    from renderer.gl.shaders import ShaderSources

    source = ShaderSources([shader_dir]).expand("good.frag", {"SCALE": 0.5})
    lines = source.text.splitlines()
    assert lines[0] == "#version 450 core" and lines[1] == "#define SCALE 0.5"
    assert source.files == ["good.frag", "lib/good.glsl"]
    assert "#line 2 0" in lines  # back in good.frag after the include


def test_include_cycle_is_reported(shader_dir):
    from renderer.gl.shaders import ShaderSources

    with pytest.raises(ShaderError, match=r"#include cycle: a.glsl -> b.glsl -> a.glsl"):
        ShaderSources([shader_dir]).expand("a.glsl")


def test_compile_error_names_the_included_file_and_line(headless, shader_dir):
    from renderer.gl.shaders import ShaderLibrary, ShaderSources

    library = ShaderLibrary(headless.context.resources, ShaderSources([shader_dir]))
    with pytest.raises(ShaderError) as info:
        library.program("bad.frag", defines={"SCALE": 1.0})
    assert "lib/bad.glsl:3:" in str(info.value)  # the statement ends at the closing brace on line 3
    with pytest.raises(ShaderError) as info:
        library.program("typo.frag")
    assert "typo.frag:3:" in str(info.value) and "undefined_name" in str(info.value)
    library.release()
    assert headless.context.resources.leaked["program"] == 0


def test_programs_are_cached_per_define_set(headless, shader_dir):
    from renderer.gl.shaders import ShaderLibrary, ShaderSources

    library = ShaderLibrary(headless.context.resources, ShaderSources([shader_dir]))
    a = library.program("good.frag", defines={"SCALE": 1.0})
    assert library.program("good.frag", defines={"SCALE": 1.0}) is a
    assert library.program("good.frag", defines={"SCALE": 2.0}) is not a
    library.release()


def test_gl_state_is_restored_after_a_pass(headless):
    from OpenGL import GL

    from renderer.gl.state import PREMULTIPLIED, gl_state

    headless.context.make_current()
    GL.glDisable(GL.GL_DEPTH_TEST)
    GL.glDepthMask(GL.GL_TRUE)
    with gl_state(depth_test=True, depth_write=False, blend=PREMULTIPLIED, cull_face=True):
        assert GL.glIsEnabled(GL.GL_DEPTH_TEST) and GL.glIsEnabled(GL.GL_BLEND)
        assert not GL.glGetBooleanv(GL.GL_DEPTH_WRITEMASK)
    assert not GL.glIsEnabled(GL.GL_DEPTH_TEST) and not GL.glIsEnabled(GL.GL_BLEND)
    assert not GL.glIsEnabled(GL.GL_CULL_FACE) and GL.glGetBooleanv(GL.GL_DEPTH_WRITEMASK)


def test_released_objects_leave_the_registry_and_forgotten_ones_are_reported(headless):
    import gc

    import numpy as np

    from renderer.gl.resources import Buffer

    registry = headless.context.resources
    before = registry.live_counts()["buffer"]
    buffer = Buffer(registry, np.zeros(16, np.float32))
    assert registry.live_counts()["buffer"] == before + 1
    buffer.release()
    assert registry.live_counts()["buffer"] == before
    leaked_before = registry.leaked["buffer"]
    Buffer(registry, np.zeros(16, np.float32))  # dropped without release()
    gc.collect()
    assert registry.leaked["buffer"] == leaked_before + 1
    assert registry.collect_garbage() == 1  # deleted on the GL thread at the next frame start
