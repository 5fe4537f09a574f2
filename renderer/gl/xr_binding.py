"""The OpenGL side of OpenXR: importing pyopenxr safely, the context and the graphics binding, and
framebuffers around the runtime's swapchain images.

Bindings:
  * ``egl``: an EGL context (Mesa surfaceless, or the NVIDIA device) handed over through
    ``XR_MNDX_egl_enable`` -- headless runs and CI (Monado).
  * ``glx``: a hidden GLFW window's GLX context, ``XrGraphicsBindingOpenGLXlibKHR`` -- Linux desktops
    with SteamVR or Monado.
  * ``wgl``: a hidden GLFW window's WGL context, ``XrGraphicsBindingOpenGLWin32KHR`` -- Windows with
    SteamVR, Meta Quest Link or WMR. Written from the specification; not run on this project's machines.

Call `prepare_platform(binding)` before anything imports OpenGL, then `import_openxr()`.
"""

from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass
from typing import Any

from renderer.errors import GLUnavailableError
from renderer.gl import platform as gl_platform

BINDINGS = ("egl", "glx", "wgl")


def resolve_binding(requested: str) -> str:
    """`auto` -> wgl on Windows, glx with an X display, else egl (headless)."""
    if requested != "auto":
        return requested
    if sys.platform == "win32":
        return "wgl"
    return "glx" if os.environ.get("DISPLAY") else "egl"


def prepare_platform(binding: str) -> None:
    """Choose PyOpenGL's platform for `binding` (before OpenGL is imported)."""
    if binding == "wgl":
        os.environ.pop("PYOPENGL_PLATFORM", None)  # PyOpenGL's own choice on Windows is WGL
        return
    gl_platform.choose_platform("egl" if binding == "egl" else "glx")


def import_openxr():
    """Import pyopenxr and return the module, keeping PyOpenGL's platform as chosen.

    Why: on Linux, pyopenxr's import replaces PyOpenGL's platform with GLX unconditionally; the EGL
    entry points our context needs (eglGetPlatformDisplayEXT) then no longer resolve. The platform
    object is put back right after the import.
    """
    import OpenGL.platform as opengl_platform

    saved = opengl_platform.PLATFORM
    try:
        import xr
    except ImportError as exc:
        raise GLUnavailableError(
            "the OpenXR target needs pyopenxr: pip install 'prosector[xr]' (or pip install pyopenxr)"
        ) from exc
    except OSError as exc:  # the bundled loader failed to load
        raise GLUnavailableError(f"pyopenxr cannot load the OpenXR loader: {exc}") from exc
    opengl_platform.PLATFORM = saved
    return xr


@dataclass
class XrGraphics:
    """A current GL context and what OpenXR needs to share it.

    context: the GLContext the renderer draws with; binding: the ctypes graphics-binding struct
    (kept alive here, it is chained into xrCreateSession); extensions: instance extensions it needs.
    """

    binding_name: str
    context: Any  # renderer.gl.context.GLContext
    binding: Any
    extensions: tuple[str, ...]

    def close(self) -> None:
        self.context.close()


def create_graphics(xr, binding: str) -> XrGraphics:
    """Create the GL 4.5 context for `binding` and its OpenXR graphics binding."""
    opengl = xr.KHR_OPENGL_ENABLE_EXTENSION_NAME
    if binding == "egl":
        from OpenGL import EGL

        from renderer.gl.context import EGLContext

        context = EGLContext()
        get_proc = ctypes.cast(EGL.eglGetProcAddress.load(), xr.PFN_xrEglGetProcAddressMNDX)
        struct = xr.GraphicsBindingEGLMNDX(get_proc_address=get_proc, display=context.display,
                                           config=context.config, context=context.context)  # fmt: skip
        # Monado asks for xrGetOpenGLGraphicsRequirementsKHR even with the EGL binding, so both.
        return XrGraphics(binding, context, struct, (opengl, xr.MNDX_EGL_ENABLE_EXTENSION_NAME))
    from renderer.gl.window import WindowContext

    context = WindowContext(64, 64, title="Prosector XR", visible=False)
    if binding == "glx":
        from OpenGL import GLX

        struct = xr.GraphicsBindingOpenGLXlibKHR(x_display=GLX.glXGetCurrentDisplay(),
                                                 glx_drawable=GLX.glXGetCurrentDrawable(),
                                                 glx_context=GLX.glXGetCurrentContext())  # fmt: skip
        return XrGraphics(binding, context, struct, (opengl,))
    if binding == "wgl":  # pragma: no cover - Windows only
        from OpenGL import WGL

        struct = xr.GraphicsBindingOpenGLWin32KHR(h_dc=WGL.wglGetCurrentDC(), h_glrc=WGL.wglGetCurrentContext())
        return XrGraphics(binding, context, struct, (opengl,))
    raise GLUnavailableError(f"unknown OpenXR graphics binding {binding!r}; expected one of {', '.join(BINDINGS)}")


def call_graphics_requirements(xr, instance, system) -> tuple[int, int]:
    """xrGetOpenGLGraphicsRequirementsKHR (mandatory before xrCreateSession); returns the minimum
    (major, minor) GL version the runtime supports."""
    requirements = xr.GraphicsRequirementsOpenGLKHR()
    function = ctypes.cast(xr.get_instance_proc_addr(instance, "xrGetOpenGLGraphicsRequirementsKHR"),
                           xr.PFN_xrGetOpenGLGraphicsRequirementsKHR)  # fmt: skip
    result = function(instance, system, ctypes.byref(requirements))
    if result < 0:
        raise GLUnavailableError(f"xrGetOpenGLGraphicsRequirementsKHR failed ({result})")
    version = int(requirements.min_api_version_supported)
    return version >> 48, (version >> 32) & 0xFFFF


def gl_version() -> tuple[int, int]:
    from OpenGL import GL

    return int(GL.glGetIntegerv(GL.GL_MAJOR_VERSION)), int(GL.glGetIntegerv(GL.GL_MINOR_VERSION))
