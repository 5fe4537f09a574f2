"""The OpenXR instance and system: extensions, the headset, its stereo views and blend mode.

Failures a user can cause (no runtime, no headset, a runtime without the binding's extension) become
`XrUnavailableError` with the active runtime named, never a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from renderer import __version__
from renderer.gl.xr_binding import XrGraphics, call_graphics_requirements, gl_version
from renderer.xr.runtime_info import unavailable

STEREO = "PRIMARY_STEREO"


@dataclass
class EyeSize:
    """The runtime's recommended and maximum image size for one eye, pixels."""

    width: int
    height: int
    max_width: int
    max_height: int


@dataclass
class XrInstance:
    xr: Any
    handle: Any
    system: Any
    runtime_name: str
    system_name: str
    extensions: tuple[str, ...]
    depth_layers: bool  # XR_KHR_composition_layer_depth enabled
    eyes: list[EyeSize]
    blend_mode: Any

    def destroy(self) -> None:
        try:
            self.xr.destroy_instance(self.handle)
        except self.xr.XrException:
            pass  # a lost instance cannot be destroyed cleanly; the loader frees it


def create_instance(xr, graphics: XrGraphics, want_depth: bool = True) -> XrInstance:
    """Instance with the graphics binding's extensions (+ depth layers when offered), the HMD system,
    the OpenGL requirements call, and the stereo view configuration."""
    try:
        offered = {e.extension_name.decode() for e in xr.enumerate_instance_extension_properties()}
    except xr.XrException as exc:
        raise unavailable(f"the OpenXR loader found no usable runtime ({type(exc).__name__})") from None
    missing = [e for e in graphics.extensions if e not in offered]
    if missing:
        other = "glx" if graphics.binding_name == "egl" else "egl"
        raise unavailable(f"the OpenXR runtime does not offer {', '.join(missing)} for the "
                          f"{graphics.binding_name} binding (try --binding {other})")  # fmt: skip
    enabled = list(graphics.extensions)
    depth = want_depth and xr.KHR_COMPOSITION_LAYER_DEPTH_EXTENSION_NAME in offered
    if depth:
        enabled.append(xr.KHR_COMPOSITION_LAYER_DEPTH_EXTENSION_NAME)
    info = xr.InstanceCreateInfo(
        enabled_extension_names=sorted(set(enabled)),
        application_info=xr.ApplicationInfo(application_name="Prosector", application_version=_version_number(),
                                            engine_name="Prosector", api_version=xr.Version(1, 0, xr.XR_VERSION_PATCH)),
    )  # fmt: skip
    try:
        handle = xr.create_instance(info)
    except xr.XrException as exc:
        raise unavailable(f"the OpenXR runtime is not running or refused to start ({type(exc).__name__})") from None
    try:
        system = xr.get_system(handle, xr.SystemGetInfo(form_factor=xr.FormFactor.HEAD_MOUNTED_DISPLAY))
    except xr.XrException as exc:
        xr.destroy_instance(handle)
        raise unavailable(f"no headset is connected to the OpenXR runtime ({type(exc).__name__})") from None
    runtime = xr.get_instance_properties(handle).runtime_name.decode()
    system_name = xr.get_system_properties(handle, system).system_name.decode()
    minimum = call_graphics_requirements(xr, handle, system)
    if gl_version() < minimum:
        xr.destroy_instance(handle)
        raise unavailable(f"the runtime needs OpenGL {minimum[0]}.{minimum[1]}, the driver gives {gl_version()}")
    views = xr.enumerate_view_configuration_views(handle, system, xr.ViewConfigurationType.PRIMARY_STEREO)
    eyes = [EyeSize(v.recommended_image_rect_width, v.recommended_image_rect_height, v.max_image_rect_width,
                    v.max_image_rect_height) for v in views]  # fmt: skip
    modes = list(xr.enumerate_environment_blend_modes(handle, system, xr.ViewConfigurationType.PRIMARY_STEREO))
    blend = xr.EnvironmentBlendMode.OPAQUE if xr.EnvironmentBlendMode.OPAQUE in modes else modes[0]
    return XrInstance(xr, handle, system, runtime, system_name, tuple(enabled), depth, eyes, blend)


def _version_number() -> int:
    parts = [int(p) for p in __version__.split(".")[:3] if p.isdigit()]
    major, minor, patch = (parts + [0, 0, 0])[:3]
    return (major << 16) | (minor << 8) | patch
