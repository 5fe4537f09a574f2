"""Headless rendering end to end: a scene in, images out. Used by `prosector render`, tests and
benchmarks; the window and OpenXR targets reuse the same Renderer and draw loop."""

from __future__ import annotations

import numpy as np

from renderer.gl.platform import choose_platform

choose_platform()  # before anything imports OpenGL

from renderer.gl import commands  # noqa: E402
from renderer.gl.context import GLContext, create_headless_context  # noqa: E402
from renderer.gpu.deformation import DeformationDriver  # noqa: E402
from renderer.gpu.scene import GpuScene  # noqa: E402
from renderer.passes.options import RenderOptions, options_from_scene  # noqa: E402
from renderer.passes.renderer import Renderer, ViewResult  # noqa: E402
from renderer.scene.load import LoadedScene  # noqa: E402
from renderer.scene.model import Camera  # noqa: E402
from renderer.targets.offscreen import OffscreenTarget  # noqa: E402
from renderer.view import View, auto_camera  # noqa: E402


class HeadlessRenderer:
    """Owns a headless GL context, a Renderer and a GpuScene. Close it (or use `with`)."""

    def __init__(self, context: GLContext | None = None, timing: bool = False):
        self.context = context or create_headless_context()
        self.renderer = Renderer(self.context, timing=timing)
        self.scene = GpuScene(self.context.resources)
        self.loaded: LoadedScene | None = None
        self.last_results: list[ViewResult] = []
        self.last_views: list[View] = []
        self._target: OffscreenTarget | None = None
        self._target_key: tuple | None = None
        self.deformation: DeformationDriver | None = None

    def load(self, loaded: LoadedScene) -> None:
        self._close_deformation()
        self.loaded = loaded
        self.context.make_current()  # another context (a second renderer, a window) may be current
        self.scene.sync(loaded)

    def deform(self, t: float) -> DeformationDriver:
        """Pose the scene's deformable parts at time `t` (seconds); the driver is made on first use."""
        assert self.loaded is not None, "load() a scene first"
        self.context.make_current()
        if self.deformation is None:
            self.deformation = DeformationDriver(self.scene, self.loaded)
        self.deformation.update(t)
        return self.deformation

    def _close_deformation(self) -> None:
        if self.deformation is not None:
            self.deformation.close()
            self.deformation = None

    def camera(self, aspect: float) -> Camera:
        """The scene's camera, or one that frames the visible parts."""
        assert self.loaded is not None, "load() a scene first"
        if self.loaded.scene.camera is not None:
            return self.loaded.scene.camera
        return auto_camera(self.scene.bounds(), aspect=aspect, points=self.scene.framing_points())

    def options(self, **overrides) -> RenderOptions:
        assert self.loaded is not None, "load() a scene first"
        return options_from_scene(self.loaded.scene).with_(**overrides)

    def render(
        self,
        width: int,
        height: int,
        camera: Camera | None = None,
        options: RenderOptions | None = None,
        stereo: bool = False,
        ipd_m: float = 0.063,
    ) -> np.ndarray:
        """Render and return (height, width or 2*width, 3) uint8 sRGB, top row first."""
        self.context.make_current()
        self.context.begin_frame()
        camera = camera or self.camera(width / height)
        options = options or self.options()
        target = self._target_for(width, height, stereo, ipd_m)
        self.last_views = target.views(camera, self.scene.bounds())
        self.last_results = [
            self.renderer.render_view(self.scene, view, options, target.framebuffer) for view in self.last_views
        ]
        return target.read_image()

    def _target_for(self, width: int, height: int, stereo: bool, ipd_m: float) -> OffscreenTarget:
        """Reuse the offscreen target while the size stays the same (benchmarks render many frames)."""
        key = (width, height, stereo, ipd_m)
        if self._target is None or self._target_key != key:
            if self._target is not None:
                self._target.release()
            self._target, self._target_key = OffscreenTarget(self.context.resources, width, height, stereo, ipd_m), key
        return self._target

    def read_ao(self, view_index: int = 0) -> np.ndarray:
        """AO of the last render's view, (height, width) float32 in [0, 1], top row first."""
        return commands.read_float(self.last_results[view_index].buffers.ao_texture, channels=1)[:, :, 0]

    def read_shadow(self, view_index: int = 0) -> np.ndarray:
        """Key-light visibility of the last render's view, (height, width) float32 in [0, 1], top row first."""
        return commands.read_float(self.last_results[view_index].buffers.shadow_texture, channels=1)[:, :, 0]

    def close(self) -> None:
        self._close_deformation()
        if self._target is not None:
            self._target.release()
            self._target = None
        self.scene.close()
        self.renderer.release()
        self.context.close()

    def __enter__(self) -> HeadlessRenderer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
