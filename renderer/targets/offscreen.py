"""Offscreen target: one image (or two eyes side by side) in an sRGB texture, read back to NumPy."""

from __future__ import annotations

import numpy as np

from renderer.gl import commands
from renderer.gl.resources import Framebuffer, ResourceRegistry, Texture
from renderer.passes.options import RenderOptions
from renderer.targets.base import Frame
from renderer.view import View, camera_views


class OffscreenTarget:
    """`width`x`height` per view; with `stereo`, the image is 2*width wide (left eye on the left).
    Views come from the frame's camera."""

    srgb_target = True

    def __init__(self, registry: ResourceRegistry, width: int, height: int, stereo: bool = False, ipd_m: float = 0.063):
        self.width, self.height, self.stereo, self.ipd_m = width, height, stereo, ipd_m
        total_width = width * (2 if stereo else 1)
        self.framebuffer = Framebuffer(
            registry, [Texture(registry, total_width, height, commands.SRGB8_ALPHA8)], owned=True
        )

    def views(self, frame: Frame, bounds: np.ndarray) -> list[View]:
        return camera_views(frame.camera, bounds, self.width, self.height, self.stereo, self.ipd_m)

    def view_options(self, options: RenderOptions) -> RenderOptions:
        return options

    def begin_view(self, view: View) -> Framebuffer:
        return self.framebuffer

    def end_view(self, view: View, result) -> None:
        pass

    def finish(self, renderer, scene, frame: Frame, views: list[View], results: list) -> None:
        pass

    def read_image(self) -> np.ndarray:
        """(height, total_width, 3) uint8 sRGB, top row first."""
        width, height = self.framebuffer.size
        return commands.read_rgba8(self.framebuffer, (0, 0, width, height))[:, :, :3]

    def release(self) -> None:
        self.framebuffer.release()
