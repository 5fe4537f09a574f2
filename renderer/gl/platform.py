"""Choose PyOpenGL's platform (EGL, GLX or OSMesa) before OpenGL is first imported.

PyOpenGL resolves GL entry points through one platform per process, picked from
`PYOPENGL_PLATFORM` at its first import; the context we create must come from the same platform or
`glGetString` returns None. This module never imports OpenGL itself.

Other libraries may import PyOpenGL first: pyopenxr's import does, and replaces the platform with
GLX. `choose_platform` therefore also checks the platform PyOpenGL actually loaded, and when it is
the wrong one and no GL context exists yet, forgets PyOpenGL's modules so that they load again
with the right platform; `keep_platform` puts ours back when someone swapped it after us.
"""

from __future__ import annotations

import ctypes.util
import os
import sys

PLATFORMS = ("egl", "glx", "osmesa")


def choose_platform(preferred: str | None = None) -> str:
    """Set `PYOPENGL_PLATFORM` for this process and return it.

    Order: an explicit `preferred`, then `PROSECTOR_GL_PLATFORM`, then EGL when libEGL is
    installed, else OSMesa. Raises RuntimeError when OpenGL was already imported with another one.
    """
    wanted = preferred or os.environ.get("PROSECTOR_GL_PLATFORM") or _default_platform()
    if wanted not in PLATFORMS:
        raise ValueError(f"unknown GL platform {wanted!r}; expected one of {', '.join(PLATFORMS)}")
    loaded = loaded_platform()
    if loaded is not None and loaded != wanted:
        if _contexts_created:
            raise RuntimeError(f"OpenGL contexts exist on platform {loaded!r}; cannot switch to {wanted!r}")
        if wanted == current_platform() and _gl_modules_bound():
            # PyOpenGL was loaded with our platform and our GL modules hold its functions; only the
            # platform object was swapped since (pyopenxr's import does that). Reloading PyOpenGL now
            # would leave those modules with stale functions (glProgramBinary resolving to nothing):
            # put a platform object of ours back instead.
            from OpenGL import platform as gl_platform

            gl_platform.PLATFORM = _new_platform_object(wanted)
        else:
            _forget_opengl_modules()
    os.environ["PYOPENGL_PLATFORM"] = wanted
    if wanted == "osmesa":
        _resolve_core_functions_through_osmesa()
    return wanted


def _resolve_core_functions_through_osmesa() -> None:
    """PyOpenGL looks up core entry points by dlsym, but libOSMesa exports only up to about GL 3.x;
    the 4.5 ones (direct state access) come from OSMesaGetProcAddress. Retry through it."""
    from OpenGL import platform as gl_platform  # loads the platform layer only, no GL calls

    plat = gl_platform.PLATFORM
    if getattr(plat, "_prosector_patched", False):
        return
    construct = plat.constructFunction

    def construct_with_fallback(function_name, dll, *args, **kwargs):
        try:
            return construct(function_name, dll, *args, **kwargs)
        except AttributeError:
            kwargs["force_extension"] = True
            return construct(function_name, dll, *args, **kwargs)

    plat.constructFunction = construct_with_fallback
    plat._prosector_patched = True


def current_platform() -> str | None:
    return os.environ.get("PYOPENGL_PLATFORM")


_PLATFORM_CLASSES = {"EGLPlatform": "egl", "GLXPlatform": "glx", "OSMesaPlatform": "osmesa"}
_contexts_created = False
_our_platform = None  # the PyOpenGL platform object our contexts were made with


def loaded_platform() -> str | None:
    """The platform PyOpenGL has loaded in this process (None when PyOpenGL is not imported yet)."""
    module = sys.modules.get("OpenGL.platform")
    plat = getattr(module, "PLATFORM", None)
    if plat is None:
        return None
    return _PLATFORM_CLASSES.get(type(plat).__name__, type(plat).__name__)


def keep_platform() -> None:
    """Call before making a context: records PyOpenGL's platform object on first use, and puts it
    back if another import (pyopenxr) has replaced it since, so entry points still resolve."""
    global _contexts_created, _our_platform
    from OpenGL import platform as gl_platform

    if _our_platform is None:
        if loaded_platform() != current_platform():  # swapped between our import and the first context
            gl_platform.PLATFORM = _new_platform_object(current_platform())
        _our_platform = gl_platform.PLATFORM
    elif gl_platform.PLATFORM is not _our_platform:
        gl_platform.PLATFORM = _our_platform
    _contexts_created = True


def _new_platform_object(name: str | None):
    if name == "egl":
        from OpenGL.platform.egl import EGLPlatform

        return EGLPlatform()
    if name == "osmesa":
        from OpenGL.platform.osmesa import OSMesaPlatform

        return OSMesaPlatform()
    from OpenGL.platform.glx import GLXPlatform

    return GLXPlatform()


def _gl_modules_bound() -> bool:
    """Whether a module of renderer.gl that imports OpenGL is loaded (it holds PyOpenGL's functions)."""
    return any(name.startswith("renderer.gl.") and name != "renderer.gl.platform" for name in sys.modules)


def _forget_opengl_modules() -> None:
    """Drop every loaded PyOpenGL module so the next import binds entry points through the platform
    in PYOPENGL_PLATFORM. Safe only before any context exists: modules that kept references (pyopenxr's
    GLX types) keep the old objects, which is harmless for them."""
    for name in [m for m in sys.modules if m == "OpenGL" or m.startswith("OpenGL.")]:
        del sys.modules[name]


def _default_platform() -> str:
    # dlopen first: ctypes.util.find_library runs ldconfig in a subprocess (tens of milliseconds)
    if _loadable("libEGL.so.1") or ctypes.util.find_library("EGL"):
        return "egl"
    if _loadable("libOSMesa.so.8") or ctypes.util.find_library("OSMesa"):
        return "osmesa"
    return "egl"  # fails later with a message that names the missing package


def library_loadable(name: str) -> bool:
    """Whether the shared library `name` (e.g. "libEGL.so.1") can be loaded."""
    return _loadable(name)


def _loadable(name: str) -> bool:
    try:
        ctypes.CDLL(name)
        return True
    except OSError:
        return False
