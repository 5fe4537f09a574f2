"""A GLFW window with an OpenGL 4.5 core context (desktop preview; the OpenXR mirror later).

The context is created through EGL when PyOpenGL runs on its EGL platform (the default: one
platform per process serves headless and window rendering alike), else through GLX. The default
framebuffer is asked for sRGB; whether it got it is read back, so the present pass encodes in the
shader when the window system gave a linear framebuffer -- wrong sRGB handling is what makes
mirror windows look dark in other viewers.
"""

from __future__ import annotations

import os

import numpy as np
from OpenGL import GL

from renderer.errors import GLUnavailableError
from renderer.gl.context import GL_VERSION_WANTED, GLContext


class WindowContext(GLContext):
    """A window and its current context. `width`/`height` are the framebuffer size in pixels."""

    def __init__(self, width: int, height: int, title: str = "Prosector", visible: bool = True):
        import glfw  # the PyPI wheel bundles GLFW 3.4

        self._glfw = glfw
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            raise GLUnavailableError("no display: run on a desktop, or under a virtual one (xvfb-run -a prosector ...)")
        if not glfw.init():
            raise GLUnavailableError(f"GLFW could not open the display {os.environ.get('DISPLAY', '')!r}")
        glfw.default_window_hints()
        glfw.window_hint(glfw.CONTEXT_VERSION_MAJOR, GL_VERSION_WANTED[0])
        glfw.window_hint(glfw.CONTEXT_VERSION_MINOR, GL_VERSION_WANTED[1])
        glfw.window_hint(glfw.OPENGL_PROFILE, glfw.OPENGL_CORE_PROFILE)
        glfw.window_hint(glfw.OPENGL_FORWARD_COMPAT, glfw.TRUE)
        glfw.window_hint(glfw.SRGB_CAPABLE, glfw.TRUE)
        glfw.window_hint(glfw.SAMPLES, 0)  # the renderer does its own multisampling offscreen
        glfw.window_hint(glfw.VISIBLE, glfw.TRUE if visible else glfw.FALSE)
        uses_egl = os.environ.get("PYOPENGL_PLATFORM", "egl") == "egl"
        glfw.window_hint(glfw.CONTEXT_CREATION_API, glfw.EGL_CONTEXT_API if uses_egl else glfw.NATIVE_CONTEXT_API)
        self.window = glfw.create_window(width, height, title, None, None)
        if not self.window:
            glfw.terminate()
            raise GLUnavailableError("GLFW could not create an OpenGL 4.5 core window")
        super().__init__("glfw-egl" if uses_egl else "glfw-glx")
        self.make_current()
        glfw.swap_interval(1)
        self.srgb_framebuffer = _default_framebuffer_is_srgb()

    @property
    def framebuffer_size(self) -> tuple[int, int]:
        return tuple(self._glfw.get_framebuffer_size(self.window))  # type: ignore[return-value]

    def make_current(self) -> None:
        self._glfw.make_context_current(self.window)

    def swap_buffers(self) -> None:
        self._glfw.swap_buffers(self.window)

    def poll_events(self) -> None:
        self._glfw.poll_events()

    def wait_events(self, timeout_s: float) -> None:
        """Sleep until input arrives or `timeout_s` passes (an idle window costs no CPU)."""
        self._glfw.wait_events_timeout(timeout_s)

    def request_close(self) -> None:
        self._glfw.set_window_should_close(self.window, True)

    @property
    def should_close(self) -> bool:
        return bool(self._glfw.window_should_close(self.window))

    def _destroy(self) -> None:
        self._glfw.destroy_window(self.window)
        self._glfw.terminate()


def _default_framebuffer_is_srgb() -> bool:
    encoding = np.zeros(1, dtype=np.int32)
    GL.glGetNamedFramebufferAttachmentParameteriv(
        0, GL.GL_BACK_LEFT, GL.GL_FRAMEBUFFER_ATTACHMENT_COLOR_ENCODING, encoding
    )
    return int(encoding[0]) == GL.GL_SRGB
