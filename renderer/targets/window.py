"""Window target: the views of the desktop window and the image they are drawn into.

Modes: `mono` (one view filling the window), `side-by-side` (left and right eye each in one half,
for cross-eyed/parallel viewing or a 3D monitor's side-by-side input) and `anaglyph` (both eyes at
full size, combined red-cyan). The views go through the same draw loop as every other target
(`Stage.draw`), into an RGBA8 image of the window's size holding sRGB-encoded bytes; the
overlay pass then copies that image into the window with the on-screen text, so text can change
without rendering the scene again.
"""

from __future__ import annotations

import numpy as np

from renderer import maths
from renderer.gl import commands
from renderer.gl.resources import Framebuffer, ResourceRegistry, Texture
from renderer.gpu.scene import GpuScene
from renderer.passes.anaglyph import run_anaglyph
from renderer.passes.options import RenderOptions
from renderer.passes.renderer import Renderer
from renderer.scene.model import Camera
from renderer.targets.base import Frame
from renderer.view import View, camera_views, near_far

MODES = ("mono", "side-by-side", "anaglyph")
SEPARATION_PER_DISTANCE = 1 / 30  # desktop stereo rule of thumb: eyes apart by 1/30 of the viewing distance


def desktop_stereo_views(camera: Camera, bounds: np.ndarray, width: int, height: int, ipd_m: float) -> list[View]:
    """Left and right eye views for a screen, converged on the camera's target.

    A headset shows each eye its own display, so its views have parallel axes and the real IPD. On
    a monitor, the anatomy should sit at the screen's depth: the eyes are `ipd_m` apart at most, and
    no more than 1/30 of the distance to the target (else a head seen from 30 cm would need the
    viewer to go cross-eyed), and each frustum is shifted (off-axis) so the target has no parallax.
    Each eye is `width` x `height`; the viewports are side by side (x = 0 and x = `width`).
    """
    view = maths.look_at(camera.eye_m, camera.target_m, camera.up)
    eye = np.asarray(camera.eye_m, dtype=np.float64)
    convergence = float(np.linalg.norm(np.asarray(camera.target_m, dtype=np.float64) - eye))
    separation = min(ipd_m, convergence * SEPARATION_PER_DISTANCE)
    near, far = near_far(eye, bounds)
    tangent = np.tan(np.radians(camera.vertical_fov_deg) / 2)
    aspect = width / height
    views = []
    for index, sign in enumerate((-1.0, 1.0)):
        offset = sign * separation / 2
        shift = -offset / convergence  # in tangent units: moves the target to the middle of this eye's image
        projection = maths.frustum_from_tangents(-tangent * aspect + shift, tangent * aspect + shift, -tangent,
                                                 tangent, near, far)  # fmt: skip
        eye_view = maths.translation(-np.array([offset, 0.0, 0.0])) @ view
        viewport = (index * width, 0, width, height)
        views.append(View(eye_view, projection, eye + view[0, :3] * offset, viewport, near, far, index))
    return views


class WindowTarget:
    """The window's scene image. `mode` and `ipd_m` say how the frame's camera becomes views."""

    srgb_target = False  # an RGBA8 image holding sRGB-encoded bytes (the overlay copies them as they are)

    def __init__(self, registry: ResourceRegistry, width: int, height: int, mode: str = "mono",
                 ipd_m: float = 0.063):  # fmt: skip
        self.registry = registry
        self.width, self.height = width, height
        self.mode, self.ipd_m = mode, ipd_m
        self.image: Framebuffer | None = None
        self.eyes: Framebuffer | None = None

    def resize(self, width: int, height: int) -> None:
        if (width, height) != (self.width, self.height):
            self.width, self.height = width, height
            self.release()

    def camera_views(self, camera: Camera, bounds: np.ndarray) -> list[View]:
        """Views in the pixels of the image they are drawn into (for anaglyph: the eyes' image, 2 x width)."""
        if self.mode == "side-by-side":
            return desktop_stereo_views(camera, bounds, max(self.width // 2, 1), self.height, self.ipd_m)
        if self.mode == "anaglyph":
            return desktop_stereo_views(camera, bounds, self.width, self.height, self.ipd_m)
        return camera_views(camera, bounds, self.width, self.height)

    def view_at(self, camera: Camera, bounds: np.ndarray, x: int, y: int) -> tuple[View, int, int]:
        """The view under window pixel (x, y) (top-left origin) and the pixel within it. Anaglyph
        picks through the central (mono) camera, which is what both eyes fuse to."""
        if self.mode == "side-by-side":
            for view in self.camera_views(camera, bounds):
                vx, _, vw, _ = view.viewport
                if vx <= x < vx + vw:
                    return view, x - vx, y
        view = camera_views(camera, bounds, self.width, self.height)[0]
        return view, x, y

    # -- the target protocol (renderer.targets.base) --------------------------------------------------------

    def views(self, frame: Frame, bounds: np.ndarray) -> list[View]:
        """Start the frame: clear the image the views go into (the odd column of side-by-side stays black)."""
        target = self._drawn_into()
        commands.bind_framebuffer(target, (0, 0, *target.size))
        commands.clear_region((0.0, 0.0, 0.0, 1.0), (0, 0, *target.size))
        return self.camera_views(frame.camera, bounds)

    def view_options(self, options: RenderOptions) -> RenderOptions:
        """Anaglyph draws labels once, after combining the eyes: red and cyan copies of text cannot be read."""
        return options.with_(labels=self.mode != "anaglyph" and options.labels)

    def begin_view(self, view: View) -> Framebuffer:
        return self._drawn_into()

    def end_view(self, view: View, result) -> None:
        pass

    def finish(self, renderer: Renderer, scene: GpuScene, frame: Frame, views: list[View], results: list) -> None:
        if self.mode != "anaglyph":
            return
        image = self._image()
        # eyes side by side in the eyes image: the right eye's viewport starts at x = width
        run_anaglyph(renderer.shaders, renderer.fullscreen, self._eyes(), image)
        options = frame.options
        if scene.labels and options.labels and options.view_mode == "color" and results:
            central = camera_views(frame.camera, scene.bounds(), self.width, self.height)[0]
            renderer.labels.run(renderer.shaders, scene, central, results[-1].buffers, image)

    def _drawn_into(self) -> Framebuffer:
        self._image()
        return self._eyes() if self.mode == "anaglyph" else self._image()

    @property
    def texture(self) -> Texture:
        return self._image().colors[0]

    def read_image(self) -> np.ndarray:
        """(height, width, 3) uint8 sRGB of the last rendered scene (without the overlay), top row first."""
        return commands.read_rgba8(self._image(), (0, 0, self.width, self.height))[:, :, :3]

    def _image(self) -> Framebuffer:
        if self.image is None:
            self.image = Framebuffer(self.registry, [Texture(self.registry, self.width, self.height, commands.RGBA8)],
                                     owned=True)  # fmt: skip
        return self.image

    def _eyes(self) -> Framebuffer:
        if self.eyes is None:
            texture = Texture(self.registry, 2 * self.width, self.height, commands.RGBA8)
            self.eyes = Framebuffer(self.registry, [texture], owned=True)
        return self.eyes

    def release(self) -> None:
        for framebuffer in (self.image, self.eyes):
            if framebuffer is not None:
                framebuffer.release()
        self.image, self.eyes = None, None
