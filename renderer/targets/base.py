"""What every target implements, and what one frame hands to it.

A target is where views are drawn: an offscreen image, the desktop window, the headset's swapchains.
`Stage.draw(target, frame)` is the one view loop, as ChimeraX's camera protocol has it:

    views = target.views(frame, bounds)          # the frame's eyes, in the target's pixels
    for view in views:
        framebuffer = target.begin_view(view)     # bind / acquire the image the view goes into
        result = renderer.render_view(scene, view, target.view_options(frame.options), framebuffer, ...)
        target.end_view(view, result)             # release it (result None when drawing failed)
    target.finish(renderer, scene, frame, views, results)  # combine eyes (anaglyph), build the XR layer

Targets hold their own viewing state (a window's stereo mode, a headset's located eyes), so the
frame carries only what every target shares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from renderer.gl.resources import Framebuffer
from renderer.gpu.scene import GpuPart, GpuScene
from renderer.passes.options import RenderOptions
from renderer.passes.renderer import Renderer, ViewResult
from renderer.scene.model import Camera
from renderer.view import View


@dataclass(frozen=True)
class Frame:
    """One frame: the render options, the desktop camera (None for a headset, whose eyes come from the
    runtime), and parts drawn in this frame only (the headset's hands and rays, scene space)."""

    options: RenderOptions
    camera: Camera | None = None
    overlay_parts: tuple[GpuPart, ...] = field(default=())


class Target(Protocol):
    srgb_target: bool  # True: the framebuffer encodes sRGB on write (an sRGB texture or swapchain)

    def views(self, frame: Frame, bounds: np.ndarray) -> list[View]:
        """The views of this frame; `bounds` (2, 3) scene metres of what is drawn (for near/far)."""

    def view_options(self, options: RenderOptions) -> RenderOptions:
        """The options each view is drawn with (a target may turn a pass off, e.g. anaglyph labels)."""

    def begin_view(self, view: View) -> Framebuffer | int:
        """The framebuffer the view is drawn into (its viewport within it is `view.viewport`)."""

    def end_view(self, view: View, result: ViewResult | None) -> None:
        """The view is drawn (`result`), or drawing it failed (None): release what begin_view took."""

    def finish(self, renderer: Renderer, scene: GpuScene, frame: Frame, views: list[View],
               results: list[ViewResult]) -> None:  # fmt: skip
        """After the last view: whatever combines the views into the target's image (with the
        renderer's passes, on the scene as drawn)."""
