"""The stage: what every way of showing a scene shares -- the GL context, the `Renderer`, the
`GpuScene`, the deformation driver and the order they close in -- with the one view loop, `draw`.

    stage = Stage(context)          # headless EGL, the window's GLFW context or the headset's
    stage.load(loaded)              # upload meshes, materials, masks (GL work on this context)
    stage.show(state)               # a lesson step's SceneState, with the viewer's changes on top
    stage.pose(t)                   # deformers (heartbeat, breathing, ...) at t seconds
    stage.draw(target, frame)       # every view of the target, through Renderer.render_view
    stage.close()                   # owned resources, deformation, scene, renderer, then the context

The apps (renderer.headless, renderer.preview.app, renderer.xr.app) add only what is theirs: input,
files, OpenXR sessions.
"""

from __future__ import annotations

import numpy as np

from renderer.gl.context import GLContext
from renderer.gpu.deformation import DeformationDriver
from renderer.gpu.scene import GpuScene
from renderer.interaction.ray import RayHit
from renderer.passes.options import RenderOptions, options_from_scene
from renderer.passes.picking import PickPass, PickResult
from renderer.passes.renderer import Renderer, ViewResult
from renderer.scene.load import LoadedScene
from renderer.scene.model import Camera
from renderer.scene.step_state import SceneState
from renderer.stage.frame_scene import FrameScene
from renderer.stage.picking import hit_of, ray_view
from renderer.targets.base import Frame, Target
from renderer.view import View, auto_camera


class Stage:
    """Owns `context` from here on (closes it last). `timing`: GPU timer queries per pass."""

    def __init__(self, context: GLContext, timing: bool = False):
        self.context = context
        self.renderer = Renderer(context, timing=timing)
        self.scene = GpuScene(context.resources)
        self.picker = PickPass(context.resources)
        self.loaded: LoadedScene | None = None
        self.state: SceneState | None = None
        self.deformation: DeformationDriver | None = None
        self._owned: list = []

    # -- the scene -----------------------------------------------------------------------------------------

    def load(self, loaded: LoadedScene) -> None:
        """Upload `loaded` (a reload keeps the GL objects of meshes it shares with the last scene)."""
        self.context.make_current()  # another context (a second stage, a window) may be current
        self._close_deformation()  # sync gives parts back their shared buffers; drivers are per scene
        self.loaded, self.state = loaded, None
        self.scene.sync(loaded)

    def show(self, state: SceneState) -> None:
        """Draw `state` from now on: visibility, materials, transforms, sections, labels."""
        self.context.make_current()
        self.scene.apply(state)
        self.state = state

    @property
    def deforms(self) -> bool:
        """Whether the loaded scene has parts with deformers."""
        return self.loaded is not None and any(p.deform for p in self.loaded.scene.parts.values())

    def driver(self) -> DeformationDriver | None:
        """The deformation driver (made on first use, for scenes with deformers), else None."""
        if self.deformation is None and self.deforms:
            self.context.make_current()
            self.deformation = DeformationDriver(self.scene, self.loaded)
        return self.deformation

    def pose(self, t: float) -> DeformationDriver:
        """Pose the deformable parts at time `t` (seconds)."""
        assert self.loaded is not None, "load() a scene first"
        self.context.make_current()
        if self.deformation is None:
            self.deformation = DeformationDriver(self.scene, self.loaded)
        self.deformation.update(t)
        return self.deformation

    @property
    def soft_parts(self) -> set[str]:
        """Parts a poke can press (soft-tissue deformers)."""
        return self.deformation.soft_parts if self.deformation is not None else set()

    def camera(self, aspect: float) -> Camera:
        """The scene's camera, or one that frames the visible parts at `aspect` (width / height)."""
        assert self.loaded is not None, "load() a scene first"
        if self.loaded.scene.camera is not None:
            return self.loaded.scene.camera
        return auto_camera(self.scene.bounds(), aspect=aspect, points=self.scene.framing_points())

    def options(self, **overrides) -> RenderOptions:
        assert self.loaded is not None, "load() a scene first"
        return options_from_scene(self.loaded.scene).with_(**overrides)

    # -- the view loop ---------------------------------------------------------------------------------------

    def draw(self, target: Target, frame: Frame) -> tuple[list[View], list[ViewResult]]:
        """Draw every view of `target` for `frame`; returns the views and what each produced."""
        self.context.make_current()
        self.context.begin_frame()
        scene = FrameScene(self.scene, list(frame.overlay_parts)) if frame.overlay_parts else self.scene
        views = target.views(frame, self.scene.bounds())
        options = target.view_options(frame.options)
        results = []
        for view in views:
            framebuffer = target.begin_view(view)
            result = None
            try:
                result = self.renderer.render_view(scene, view, options, framebuffer, srgb_target=target.srgb_target)
                results.append(result)
            finally:
                target.end_view(view, result)
        target.finish(self.renderer, scene, frame, views, results)
        return views, results

    # -- picking ---------------------------------------------------------------------------------------------

    def pick(self, view: View, x: int, y: int, min_opacity: float = 0.0) -> PickResult:
        """The pickable part drawn at pixel (x, y) of `view` (top-left origin) and the point hit, (3,)
        scene metres. Parts fainter than `min_opacity` let the pick through (a see-through skin)."""
        self.context.make_current()
        return self.picker.pick(self.renderer.shaders, view, self._pickable(min_opacity), x, y)

    def pick_ray(self, origin: np.ndarray, direction: np.ndarray, max_distance: float = np.inf,
                 min_opacity: float = 0.0) -> RayHit | None:  # fmt: skip
        """The nearest pickable part the ray (scene space) meets within `max_distance` (scene units)."""
        view = ray_view(origin, direction, self.scene.bounds(), max_distance)
        result = self.pick(view, 0, 0, min_opacity)
        return hit_of(result.part_id, result.point_m, origin, max_distance)

    def _pickable(self, min_opacity: float) -> list:
        parts = self.loaded.scene.parts if self.loaded is not None else {}
        return [p for p in self.scene.visible_parts()
                if p.part_id in parts and parts[p.part_id].pickable and p.opacity >= min_opacity]  # fmt: skip

    # -- the end ---------------------------------------------------------------------------------------------

    def own(self, resource):
        """Release `resource` (anything with `release()` holding GL objects) when the stage closes,
        before the context goes; returns it."""
        self._owned.append(resource)
        return resource

    def _close_deformation(self) -> None:
        if self.deformation is not None:
            self.deformation.close()
            self.deformation = None

    def close(self) -> None:
        """Owned resources (last owned first), deformation, scene, passes, then the context."""
        self.context.make_current()
        for resource in reversed(self._owned):
            resource.release()
        self._owned.clear()
        self._close_deformation()
        self.scene.close()
        self.picker.release()
        self.renderer.release()
        self.context.close()

    def __enter__(self) -> Stage:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
