"""Choose PyOpenGL's platform (EGL, GLX or OSMesa) before OpenGL is first imported.

PyOpenGL resolves GL entry points through one platform per process, picked from
`PYOPENGL_PLATFORM` at its first import; the context we create must come from the same platform or
`glGetString` returns None. This module never imports OpenGL itself.
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
    current = os.environ.get("PYOPENGL_PLATFORM")
    if "OpenGL" in sys.modules and current and current != wanted:
        raise RuntimeError(f"OpenGL already imported with platform {current!r}, cannot switch to {wanted!r}")
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


def _default_platform() -> str:
    if ctypes.util.find_library("EGL") or _loadable("libEGL.so.1"):
        return "egl"
    if ctypes.util.find_library("OSMesa") or _loadable("libOSMesa.so.8"):
        return "osmesa"
    return "egl"  # fails later with a message that names the missing package


def _loadable(name: str) -> bool:
    try:
        ctypes.CDLL(name)
        return True
    except OSError:
        return False
