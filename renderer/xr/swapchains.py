"""Swapchains: one colour swapchain per eye (and one depth swapchain per eye with
XR_KHR_composition_layer_depth), their images as framebuffers, and the acquire/wait/release cycle.

sRGB: the colour format is GL_SRGB8_ALPHA8 when offered; the renderer then writes linear values with
GL_FRAMEBUFFER_SRGB on and the hardware encodes. With only a linear format (RGBA8) the present pass
encodes in the shader instead (`srgb_target=False`), so the image is right either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from renderer.gl.resources import ResourceRegistry
from renderer.gl.xr_images import COLOR_FORMATS, DEPTH_FORMATS, SRGB8_ALPHA8, ImageFramebuffer
from renderer.xr.runtime_info import unavailable


def choose_format(offered: list[int], preferred: tuple[int, ...]) -> int | None:
    """The first of `preferred` that the runtime offers (its own order says what it likes best, but
    sRGB correctness matters more here)."""
    return next((f for f in preferred if f in offered), None)


@dataclass
class EyeSwapchain:
    width: int
    height: int
    color: Any
    color_images: list[int]
    depth: Any | None = None
    depth_images: list[int] = field(default_factory=list)
    framebuffers: dict[tuple[int, int], ImageFramebuffer] = field(default_factory=dict)
    acquired: tuple[int, int] | None = None


class Swapchains:
    def __init__(self, xr, session, eyes, registry: ResourceRegistry, depth: bool):
        self.xr, self.session, self.registry = xr, session, registry
        offered = list(xr.enumerate_swapchain_formats(session))
        self.color_format = choose_format(offered, COLOR_FORMATS)
        if self.color_format is None:
            raise unavailable(f"the runtime offers no 8-bit RGBA swapchain format (offered: {offered})")
        self.srgb = self.color_format == SRGB8_ALPHA8
        self.depth_format = choose_format(offered, DEPTH_FORMATS) if depth else None
        self.eyes: list[EyeSwapchain] = []
        for eye in eyes:
            color = self._create(eye.width, eye.height, self.color_format,
                                 xr.SwapchainUsageFlags.COLOR_ATTACHMENT_BIT | xr.SwapchainUsageFlags.SAMPLED_BIT)
            chain = EyeSwapchain(eye.width, eye.height, color, self._images(color))
            if self.depth_format is not None:
                chain.depth = self._create(eye.width, eye.height, self.depth_format,
                                           xr.SwapchainUsageFlags.DEPTH_STENCIL_ATTACHMENT_BIT)  # fmt: skip
                chain.depth_images = self._images(chain.depth)
            self.eyes.append(chain)

    def _create(self, width: int, height: int, fmt: int, usage) -> Any:
        xr = self.xr
        return xr.create_swapchain(self.session, xr.SwapchainCreateInfo(
            usage_flags=usage, format=fmt, sample_count=1, width=width, height=height, face_count=1,
            array_size=1, mip_count=1))  # fmt: skip

    def _images(self, swapchain) -> list[int]:
        return [int(i.image) for i in self.xr.enumerate_swapchain_images(swapchain, self.xr.SwapchainImageOpenGLKHR)]

    def _acquire_one(self, swapchain) -> int:
        xr = self.xr
        index = xr.acquire_swapchain_image(swapchain, xr.SwapchainImageAcquireInfo())
        xr.wait_swapchain_image(swapchain, xr.SwapchainImageWaitInfo(timeout=xr.INFINITE_DURATION))
        return index

    def acquire(self, eye: int) -> ImageFramebuffer:
        """Acquire and wait for the eye's next image(s); returns the framebuffer to draw into."""
        chain = self.eyes[eye]
        color = self._acquire_one(chain.color)
        depth = self._acquire_one(chain.depth) if chain.depth is not None else -1
        chain.acquired = (color, depth)
        framebuffer = chain.framebuffers.get(chain.acquired)
        if framebuffer is None:
            framebuffer = ImageFramebuffer(self.registry, chain.color_images[color], (chain.width, chain.height),
                                           chain.depth_images[depth] if depth >= 0 else None)  # fmt: skip
            chain.framebuffers[chain.acquired] = framebuffer
        return framebuffer

    def release(self, eye: int) -> None:
        xr = self.xr
        chain = self.eyes[eye]
        xr.release_swapchain_image(chain.color, xr.SwapchainImageReleaseInfo())
        if chain.depth is not None:
            xr.release_swapchain_image(chain.depth, xr.SwapchainImageReleaseInfo())
        chain.acquired = None

    def destroy(self) -> None:
        """Release the framebuffers (GL) and the swapchains (OpenXR; ignored when the instance is lost)."""
        xr = self.xr
        for chain in self.eyes:
            for framebuffer in chain.framebuffers.values():
                framebuffer.release()
            chain.framebuffers.clear()
            for swapchain in (chain.color, chain.depth):
                if swapchain is not None:
                    try:
                        xr.destroy_swapchain(swapchain)
                    except xr.XrException:
                        pass
        self.eyes.clear()
