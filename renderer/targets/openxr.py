"""OpenXR target: one `View` per eye from the runtime's located views, drawn into the eyes'
swapchain images, and the projection layer (with depth) that shows them.

Spaces: the runtime gives eye poses in the app's reference space (XR space, metres); the model is
placed in XR space by `placement` (scene -> XR). A view's matrix is therefore
inverse(eye pose) . placement, taking scene points straight to the eye, so the renderer, its clip
planes and labels all keep working in scene space. Projection: the eye's asymmetric field of view
(`XrFovf` angles) through `frustum_from_tangents`, with near/far in XR metres.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from ctypes import byref, c_void_p, cast
from dataclasses import dataclass
from typing import Any

import numpy as np

from renderer import maths
from renderer.gl.xr_images import ImageFramebuffer
from renderer.interaction.grab import placement_scale, pose_matrix, rigid_inverse
from renderer.passes.options import RenderOptions
from renderer.targets.base import Frame
from renderer.view import View, bounding_sphere

NEAR_M = 0.02
MIN_FAR_M = 3.0  # beyond the end of a controller's ray


@dataclass(frozen=True)
class EyePose:
    """An eye as the runtime located it: pose (4, 4) in XR space and the FOV angles in radians."""

    pose: np.ndarray
    angle_left: float
    angle_right: float
    angle_up: float
    angle_down: float


def eye_poses(located_views) -> list[EyePose]:
    out = []
    for v in located_views:
        p, q = v.pose.position, v.pose.orientation
        out.append(EyePose(pose_matrix((p.x, p.y, p.z), (q.x, q.y, q.z, q.w)), v.fov.angle_left, v.fov.angle_right,
                           v.fov.angle_up, v.fov.angle_down))  # fmt: skip
    return out


_ORIENTATION_VALID, _POSITION_VALID = 0x1, 0x2  # XrViewStateFlagBits, fixed by the OpenXR 1.0 spec


def views_usable(view_state, located_views) -> bool:
    """Whether the eyes `xrLocateViews` returned can be drawn from: both pose bits valid and every
    field of view a finite, non-empty frustum. A runtime whose IPC was interrupted (seen with Monado
    under heavy load) returns zeroed views with cleared bits; the spec says not to render them."""
    required = _ORIENTATION_VALID | _POSITION_VALID
    if (int(view_state.view_state_flags) & required) != required or not located_views:
        return False
    for view in located_views:
        f = view.fov
        angles = (f.angle_left, f.angle_right, f.angle_down, f.angle_up)
        if not all(math.isfinite(a) and abs(a) < math.pi / 2 for a in angles):
            return False
        if not (f.angle_right > f.angle_left and f.angle_up > f.angle_down):
            return False
    return True


def near_far_xr(eye_xr: np.ndarray, placement: np.ndarray, bounds: np.ndarray) -> tuple[float, float]:
    """Near and far planes (XR metres) that hold the placed scene and the hands' feedback."""
    centre, radius = bounding_sphere(bounds)
    centre_xr = maths.transform_points(placement, centre[None])[0]
    far = float(np.linalg.norm(centre_xr - eye_xr)) + radius * placement_scale(placement) * 1.1
    return NEAR_M, max(far, MIN_FAR_M)


def eye_view(eye: EyePose, placement: np.ndarray, bounds: np.ndarray, viewport: tuple[int, int, int, int],
             index: int) -> View:  # fmt: skip
    """The `View` of one eye: scene -> eye matrix, the runtime's FOV as an OpenGL projection."""
    near, far = near_far_xr(eye.pose[:3, 3], placement, bounds)
    projection = maths.frustum_from_tangents(math.tan(eye.angle_left), math.tan(eye.angle_right),
                                             math.tan(eye.angle_down), math.tan(eye.angle_up), near, far)  # fmt: skip
    view_matrix = rigid_inverse(eye.pose) @ placement
    eye_scene = maths.transform_points(np.linalg.inv(placement), eye.pose[:3, 3][None])[0]
    return View(view_matrix, projection, eye_scene, viewport, near, far, index)


class OpenXRTarget:
    """Draws each eye into its swapchain image between acquire and release, then builds the layer.

    Per frame: `locate(located_views, placement, render_scale)` with the runtime's views, then
    `Stage.draw(target, frame)`, then `layer(space)` for xrEndFrame. `render_scale` shrinks the drawn
    rectangle of each image (the quality governor trades sharpness for time; the runtime scales the
    rectangle up). `swapchains` is a renderer.xr.swapchains.Swapchains (not imported: the xr package
    builds on the targets, not the other way). `on_eye(view, framebuffer)` runs after an eye is
    drawn, before its image is released (a test's read-back)."""

    def __init__(self, xr, swapchains, depth_layers: bool):
        self.xr, self.swapchains = xr, swapchains
        self.srgb_target = swapchains.srgb
        self.depth_layers = depth_layers and swapchains.depth_format is not None
        self.on_eye: Callable[[View, ImageFramebuffer], None] | None = None
        self._located: list = []
        self._placement = np.eye(4)
        self._render_scale = 1.0
        self._views: list[View] = []
        self._framebuffers: dict[int, ImageFramebuffer] = {}
        self._keep: list[Any] = []  # ctypes structs the layer points into, alive until xrEndFrame

    def viewport(self, eye: int, render_scale: float) -> tuple[int, int, int, int]:
        chain = self.swapchains.eyes[eye]
        return 0, 0, max(1, round(chain.width * render_scale)), max(1, round(chain.height * render_scale))

    def locate(self, located_views, placement: np.ndarray, render_scale: float) -> None:
        """This frame's eyes as xrLocateViews gave them, the model's placement (4, 4) scene -> XR."""
        self._located, self._placement, self._render_scale = located_views, placement, render_scale

    # -- the target protocol (renderer.targets.base) --------------------------------------------------------

    def views(self, frame: Frame, bounds: np.ndarray) -> list[View]:
        eyes = eye_poses(self._located)
        self._views = [eye_view(e, self._placement, bounds, self.viewport(i, self._render_scale), i)
                       for i, e in enumerate(eyes)]  # fmt: skip
        return self._views

    def view_options(self, options: RenderOptions) -> RenderOptions:
        return options

    def begin_view(self, view: View) -> int:
        framebuffer = self.swapchains.acquire(view.index)
        self._framebuffers[view.index] = framebuffer
        return framebuffer.name

    def end_view(self, view: View, result) -> None:
        framebuffer = self._framebuffers.pop(view.index)
        try:
            if result is not None:
                if self.depth_layers and framebuffer.has_depth:
                    framebuffer.copy_depth_from(result.buffers.prepass)
                if self.on_eye is not None:
                    self.on_eye(view, framebuffer)
        finally:
            self.swapchains.release(view.index)

    def finish(self, renderer, scene, frame: Frame, views: list[View], results: list) -> None:
        pass

    def layer(self, space):
        """The XrCompositionLayerProjection for this frame's views (in `space`), depth chained when enabled."""
        xr, views = self.xr, self._views
        projection_views = (xr.CompositionLayerProjectionView * len(views))()
        self._keep = [projection_views]
        for i, (located, view) in enumerate(zip(self._located, views, strict=True)):
            chain = self.swapchains.eyes[i]
            pv = projection_views[i]
            pv.type = xr.StructureType.COMPOSITION_LAYER_PROJECTION_VIEW
            pv.pose, pv.fov = located.pose, located.fov
            _sub_image(pv.sub_image, chain.color, view.viewport)
            if self.depth_layers:
                depth = xr.CompositionLayerDepthInfoKHR(min_depth=0.0, max_depth=1.0, near_z=view.near_m,
                                                        far_z=view.far_m)  # fmt: skip
                _sub_image(depth.sub_image, chain.depth, view.viewport)
                self._keep.append(depth)
                pv.next = cast(byref(depth), c_void_p)
        layer = xr.CompositionLayerProjection(space=space, views=projection_views)
        self._keep.append(layer)
        return layer


def _sub_image(sub, swapchain, viewport) -> None:
    sub.swapchain = swapchain
    sub.image_rect.offset.x, sub.image_rect.offset.y = viewport[0], viewport[1]
    sub.image_rect.extent.width, sub.image_rect.extent.height = viewport[2], viewport[3]
    sub.image_array_index = 0
