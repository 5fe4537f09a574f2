"""PyOpenGL's platform is ours whatever was imported first (issue 12): pyopenxr's import replaces it
with GLX, which used to break every headless context in the process. Each case runs in a fresh
interpreter, because the import order is what is being tested."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import SCENES

pytest.importorskip("xr", reason="the xr extra (pyopenxr) is not installed")

USE_A_CONTEXT = """
from renderer.headless import HeadlessRenderer
from OpenGL import GL
with HeadlessRenderer() as h:
    assert GL.glGetIntegerv(GL.GL_MAX_TEXTURE_SIZE) >= 4096
    print("version", GL.glGetString(GL.GL_VERSION).decode())
"""


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)


@pytest.mark.gl
def test_headless_context_after_importing_openxr_first():
    result = _run("import xr\n" + USE_A_CONTEXT)
    assert result.returncode == 0, result.stderr
    assert "version 4." in result.stdout


@pytest.mark.gl
def test_context_still_usable_after_openxr_import_later():
    code = """
    from renderer.headless import HeadlessRenderer
    from OpenGL import GL
    h = HeadlessRenderer()
    import xr  # swaps PyOpenGL's platform object to GLX
    h.context.make_current()
    from OpenGL.GL import shaders  # a module loaded after the swap binds through our platform
    print("version", GL.glGetString(GL.GL_VERSION).decode())
    h.close()
    """
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert "version 4." in result.stdout


@pytest.mark.gl
def test_render_command_after_openxr_import(tmp_path):
    out = tmp_path / "brain.png"
    code = f"""
    import xr, sys
    from renderer.cli import main
    sys.exit(main(["render", "{SCENES / 'brain.yaml'}", "-o", "{out}", "--size", "64x48", "--quiet"]))
    """
    result = _run(code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.stat().st_size > 0


@pytest.mark.gl
@pytest.mark.parametrize("order", ["gl modules, then xr", "xr, then gl modules"])
def test_gl_modules_imported_around_openxr_stay_bound(tmp_path, order):
    """A test run chooses EGL, collects GL modules and imports xr (which swaps PyOpenGL's platform
    object) in either order. The renderer's later choose_platform must put a platform object back,
    not reload PyOpenGL under modules already holding its functions: in the full suite those stale
    functions made glProgramBinary (a program-cache hit) resolve to nothing."""
    out = tmp_path / "brain.png"
    gl_modules, openxr = "import renderer.gl.program_cache, renderer.gl.shaders", "import xr"
    lines = ["import sys", "from renderer.gl.platform import choose_platform", "choose_platform()",
             *((gl_modules, openxr) if order.startswith("gl") else (openxr, gl_modules)),
             "from renderer.cli import main",
             f"code = main(['render', '{SCENES / 'brain.yaml'}', '-o', '{out}', '--size', '64x48', '--quiet'])",
             "import renderer.gl.program_cache as cache",
             "print('bound to the loaded PyOpenGL:', cache.GL is sys.modules['OpenGL.GL'])", "sys.exit(code)"]
    code = "\n".join(lines)
    env = {**os.environ, "PROSECTOR_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("PROSECTOR_NO_CACHE", None)
    for attempt in ("cold", "program cache hit"):
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
        assert result.returncode == 0, f"{attempt}: {result.stdout + result.stderr}"
        assert "bound to the loaded PyOpenGL: True" in result.stdout, result.stdout


def test_missing_driver_named_only_when_missing():
    """With the driver present, an EGL failure must not tell the user to install it."""
    from renderer.gl import context

    class FailingEGL:
        @staticmethod
        def eglGetError():
            return 0x3001  # EGL_NOT_INITIALIZED

    message = context._egl_failure("no EGL display could be opened", FailingEGL)
    assert "not installed" not in message and "apt-get" not in message
    assert "0x3001" in message
