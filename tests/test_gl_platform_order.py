"""PyOpenGL's platform is ours whatever was imported first (issue 12): pyopenxr's import replaces it
with GLX, which used to break every headless context in the process. Each case runs in a fresh
interpreter, because the import order is what is being tested."""

from __future__ import annotations

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
