"""Headless rendering end to end: a scene in, images out. Used by `prosector render`, tests and
benchmarks: a `Stage` on a headless EGL context, drawn into an offscreen target."""

from __future__ import annotations

import numpy as np

from renderer.gl.platform import choose_platform

choose_platform()  # before anything imports OpenGL

from renderer.gl import commands  # noqa: E402
from renderer.gl.context import GLContext, create_headless_context  # noqa: E402
from renderer.gpu.deformation import DeformationDriver  # noqa: E402
from renderer.passes.options import RenderOptions  # noqa: E402
from renderer.passes.renderer import ViewResult  # noqa: E402
from renderer.scene.model import Camera  # noqa: E402
from renderer.stage.stage import Stage  # noqa: E402
from renderer.targets.base import Frame  # noqa: E402
from renderer.targets.offscreen import OffscreenTarget  # noqa: E402
from renderer.view import View  # noqa: E402


class HeadlessRenderer(Stage):
    """A stage on its own headless context (or `context`). Close it (or use `with`)."""

    def __init__(self, context: GLContext | None = None, timing: bool = False):
        super().__init__(context or create_headless_context(), timing=timing)
        self.last_results: list[ViewResult] = []
        self.last_views: list[View] = []
        self._target: OffscreenTarget | None = None
        self._target_key: tuple | None = None

    def deform(self, t: float) -> DeformationDriver:
        """Pose the scene's deformable parts at time `t` (seconds); the driver is made on first use."""
        return self.pose(t)

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
        frame = Frame(options or self.options(), camera or self.camera(width / height))
        target = self._target_for(width, height, stereo, ipd_m)
        self.last_views, self.last_results = self.draw(target, frame)
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
        if self._target is not None:
            self.context.make_current()
            self._target.release()
            self._target = None
        super().close()

    def __enter__(self) -> HeadlessRenderer:
        return self
