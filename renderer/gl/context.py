"""Headless OpenGL 4.5 core contexts: EGL (NVIDIA device or Mesa surfaceless) and OSMesa.

Rendering always goes into framebuffer objects, so a headless context needs no surface at all.
Call `renderer.gl.platform.choose_platform()` before importing this module.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

from OpenGL import GL

from renderer.errors import GLUnavailableError
from renderer.gl import platform
from renderer.gl.resources import ResourceRegistry

GL_VERSION_WANTED = (4, 5)
_EGL_PLATFORM_SURFACELESS_MESA = 0x31DD
_EGL_PLATFORM_DEVICE_EXT = 0x313F
_EGL_CUDA_DEVICE_NV = 0x323A


@dataclass(frozen=True)
class ContextInfo:
    """What the driver reports; shown by `prosector info` and recorded with benchmarks."""

    platform: str  # "egl-device", "egl-surfaceless", "osmesa", "glfw-egl", "glfw-glx"
    renderer: str
    version: str
    vendor: str


class GLContext:
    """A current GL context plus the registry of the GL objects created in it.

    Use as a context manager or call `close()`; closing reports leaked GL objects.
    """

    def __init__(self, platform_name: str):
        self.platform_name = platform_name
        self.resources = ResourceRegistry()
        self._closed = False

    @property
    def info(self) -> ContextInfo:
        return ContextInfo(
            platform=self.platform_name,
            renderer=_gl_string(GL.GL_RENDERER),
            version=_gl_string(GL.GL_VERSION),
            vendor=_gl_string(GL.GL_VENDOR),
        )

    def make_current(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def begin_frame(self) -> None:
        """Delete GL objects that were garbage-collected without `release()` (on this thread)."""
        self.resources.collect_garbage()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.make_current()
        self.resources.collect_garbage()
        self.resources.report_leaks()
        self._destroy()

    def _destroy(self) -> None:  # pragma: no cover - overridden
        pass

    def __enter__(self) -> GLContext:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _gl_string(name: int) -> str:
    value = GL.glGetString(name)
    return value.decode() if value else "?"


def create_headless_context() -> GLContext:
    """Create and make current a 4.5 core context without any window system.

    Raises GLUnavailableError with the Debian packages to install when no driver answers.
    """
    chosen = platform.current_platform() or platform.choose_platform()
    if chosen == "osmesa":
        return OSMesaContext()
    if chosen == "egl":
        return EGLContext()
    raise GLUnavailableError(f"headless rendering needs the EGL or OSMesa platform, not {chosen!r}")


class EGLContext(GLContext):
    """EGL on the NVIDIA device when there is one (`PROSECTOR_EGL_DEVICE=auto|device|surfaceless`),
    else Mesa's surfaceless platform (llvmpipe on machines without a GPU)."""

    def __init__(self):
        platform.keep_platform()
        from OpenGL import EGL

        self._egl = EGL
        mode = os.environ.get("PROSECTOR_EGL_DEVICE", "auto")
        display, name = None, ""
        if mode in ("auto", "device"):
            display = _egl_device_display(EGL, require_cuda=(mode == "auto"))
            name = "egl-device"
        if display is None:
            if mode == "device":
                raise GLUnavailableError("no EGL device found (PROSECTOR_EGL_DEVICE=device)")
            display = _egl_platform_display(EGL, _EGL_PLATFORM_SURFACELESS_MESA, None)
            name = "egl-surfaceless"
        if display is None or display == EGL.EGL_NO_DISPLAY:
            raise GLUnavailableError(_egl_failure("no EGL display could be opened", EGL))
        major, minor = EGL.EGLint(), EGL.EGLint()
        if not EGL.eglInitialize(display, ctypes.pointer(major), ctypes.pointer(minor)):
            raise GLUnavailableError(_egl_failure("eglInitialize failed", EGL))
        EGL.eglBindAPI(EGL.EGL_OPENGL_API)
        config, count = EGL.EGLConfig(), EGL.EGLint()
        attrs = (EGL.EGLint * 5)(EGL.EGL_RENDERABLE_TYPE, EGL.EGL_OPENGL_BIT, EGL.EGL_SURFACE_TYPE, 0, EGL.EGL_NONE)
        if not EGL.eglChooseConfig(display, attrs, ctypes.pointer(config), 1, ctypes.pointer(count)) or count.value < 1:
            raise GLUnavailableError("EGL offers no OpenGL config")
        ctx_attrs = (EGL.EGLint * 7)(
            EGL.EGL_CONTEXT_MAJOR_VERSION,
            GL_VERSION_WANTED[0],
            EGL.EGL_CONTEXT_MINOR_VERSION,
            GL_VERSION_WANTED[1],
            EGL.EGL_CONTEXT_OPENGL_PROFILE_MASK,
            EGL.EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
            EGL.EGL_NONE,
        )
        context = EGL.eglCreateContext(display, config, EGL.EGL_NO_CONTEXT, ctx_attrs)
        if not context:
            raise GLUnavailableError("the EGL driver cannot create an OpenGL 4.5 core context")
        self.display, self.config, self.context = display, config, context
        super().__init__(name)
        self.make_current()

    def make_current(self) -> None:
        platform.keep_platform()
        EGL = self._egl
        if not EGL.eglMakeCurrent(self.display, EGL.EGL_NO_SURFACE, EGL.EGL_NO_SURFACE, self.context):
            raise GLUnavailableError("eglMakeCurrent failed")

    def _destroy(self) -> None:
        EGL = self._egl
        EGL.eglMakeCurrent(self.display, EGL.EGL_NO_SURFACE, EGL.EGL_NO_SURFACE, EGL.EGL_NO_CONTEXT)
        EGL.eglDestroyContext(self.display, self.context)


_MESA_EGL_PACKAGES = {"libEGL.so.1": "libegl1", "libEGL_mesa.so.0": "libegl-mesa0", "libOpenGL.so.0": "libopengl0"}


def _egl_failure(what: str, EGL) -> str:
    """The message for an EGL failure: name the Debian packages only when their libraries really
    are missing, otherwise say what was found and what failed."""
    missing = [pkg for lib, pkg in _MESA_EGL_PACKAGES.items() if not platform.library_loadable(lib)]
    if missing:
        return f"{what}: Mesa's EGL driver is not installed; apt-get install {' '.join(missing)} libgl1-mesa-dri"
    try:
        code = f"0x{EGL.eglGetError():04x}"
    except Exception:  # the error query itself may be missing when entry points did not resolve
        code = "unknown"
    return (
        f"{what} (EGL error {code}) although Mesa's EGL libraries are installed; PyOpenGL's platform is "
        f"{platform.loaded_platform()!r}. Check `prosector info` and PROSECTOR_GL_PLATFORM / PROSECTOR_EGL_DEVICE"
    )


def _egl_proc(EGL, name: str, restype, *argtypes):
    address = EGL.eglGetProcAddress(name.encode())
    if not address:
        return None
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(address, ctypes.c_void_p).value)


def _egl_platform_display(EGL, platform_enum: int, native):
    try:
        display = EGL.eglGetPlatformDisplayEXT(platform_enum, native, None)
    except Exception:  # PyOpenGL raises its own error types when the extension is missing
        return None
    return display if display else None


def _egl_device_display(EGL, require_cuda: bool):
    """An EGL display on a GPU device; with `require_cuda`, only NVIDIA devices count (Mesa lists
    llvmpipe as a software device too, and surfaceless is the better path there)."""
    query_devices = _egl_proc(
        EGL,
        "eglQueryDevicesEXT",
        ctypes.c_uint,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_void_p),
        ctypes.POINTER(ctypes.c_int),
    )
    query_string = _egl_proc(EGL, "eglQueryDeviceStringEXT", ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int)
    if query_devices is None or query_string is None:
        return None
    devices = (ctypes.c_void_p * 16)()
    count = ctypes.c_int()
    if not query_devices(16, devices, ctypes.byref(count)):
        return None
    for device in devices[: count.value]:
        extensions = (query_string(device, EGL.EGL_EXTENSIONS) or b"").decode()
        if require_cuda and "EGL_NV_device_cuda" not in extensions:
            continue
        display = _egl_platform_display(EGL, _EGL_PLATFORM_DEVICE_EXT, ctypes.c_void_p(device))
        if display is not None:
            return display
    return None


class OSMesaContext(GLContext):
    """Mesa's off-screen software context, the fallback where EGL is missing."""

    def __init__(self):
        platform.keep_platform()
        from OpenGL import osmesa

        self._osmesa = osmesa
        attrs = (ctypes.c_int * 9)(
            osmesa.OSMESA_FORMAT,
            osmesa.OSMESA_RGBA,
            osmesa.OSMESA_PROFILE,
            osmesa.OSMESA_CORE_PROFILE,
            osmesa.OSMESA_CONTEXT_MAJOR_VERSION,
            GL_VERSION_WANTED[0],
            osmesa.OSMESA_CONTEXT_MINOR_VERSION,
            GL_VERSION_WANTED[1],
            0,
        )
        self.context = osmesa.OSMesaCreateContextAttribs(attrs, None)
        if not self.context:
            if not platform.library_loadable("libOSMesa.so.8"):
                raise GLUnavailableError("OSMesa is not installed; apt-get install libosmesa6")
            raise GLUnavailableError("OSMesa is installed but cannot create an OpenGL 4.5 core context "
                                     "(Mesa too old?); use EGL: unset PROSECTOR_GL_PLATFORM")  # fmt: skip
        # OSMesa needs a colour buffer to make the context current; keep it alive with the
        # context or glFinish reads freed memory.
        self._buffer = (ctypes.c_ubyte * (4 * 4 * 4))()
        super().__init__("osmesa")
        self.make_current()

    def make_current(self) -> None:
        if not self._osmesa.OSMesaMakeCurrent(self.context, self._buffer, GL.GL_UNSIGNED_BYTE, 4, 4):
            raise GLUnavailableError("OSMesaMakeCurrent failed")

    def _destroy(self) -> None:
        self._osmesa.OSMesaDestroyContext(self.context)
