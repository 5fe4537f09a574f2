"""The Renderer: runs the passes for one view into a target framebuffer. One instance per context.

It owns the compiled programs, the per-size intermediate buffers and the view block; the GPU scene
owns geometry; targets own their framebuffers. `render_view` is the body of the one draw loop every
target uses: it fills the view block once, then runs the passes, each handing the next what it made
(cap faces, back depth, scattering groups) as explicit inputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from renderer.gl import commands
from renderer.gl.context import GLContext
from renderer.gl.resources import Framebuffer
from renderer.gl.shaders import ShaderLibrary
from renderer.gpu.scene import GpuScene
from renderer.passes import subsurface
from renderer.passes.buffers import BufferPool, ViewBuffers
from renderer.passes.caps import CapPass
from renderer.passes.early_depth import nearest_first
from renderer.passes.ibl import EnvironmentLighting
from renderer.passes.labels import LabelPass
from renderer.passes.options import RenderOptions
from renderer.passes.prepass import run_prepass
from renderer.passes.present import run_present
from renderer.passes.raytraced import RayTracedLighting
from renderer.passes.shading import shade_opaque, shade_scattering, shade_translucent
from renderer.passes.ssao import run_ssao
from renderer.passes.thickness import ThicknessPass
from renderer.passes.timing import PassTimer
from renderer.passes.transparency import WeightedBlendedTransparency
from renderer.passes.view_block import ViewBlock
from renderer.view import View


@dataclass
class ViewResult:
    """What a rendered view leaves behind for tests and tools (not used by the draw loop)."""

    buffers: ViewBuffers
    timings_ms: dict[str, float] = field(default_factory=dict)


class Renderer:
    def __init__(self, context: GLContext, timing: bool = False):
        self.context = context
        self.shaders = ShaderLibrary(context.resources)
        self.pool = BufferPool(context.resources)
        self.fullscreen = commands.FullscreenTriangle(context.resources)
        self.timer = PassTimer(context.resources) if timing else None
        self.raytraced = RayTracedLighting(context.resources, self.shaders)
        self.caps = CapPass(context.resources, self.shaders)
        self.environment = EnvironmentLighting(context.resources)
        self.thickness = ThicknessPass(context.resources, self.shaders)
        self.transparency = WeightedBlendedTransparency(context.resources, self.shaders)
        self.subsurface = subsurface.SubsurfaceScattering(context.resources, self.shaders)
        self.labels = LabelPass(context.resources)
        self.view_block = ViewBlock(context.resources)

    def render_view(
        self, scene: GpuScene, view: View, options: RenderOptions, target: Framebuffer | int, srgb_target: bool = True
    ) -> ViewResult:
        """Draw `scene` as seen by `view` into `target` at `view.viewport`."""
        options = options.for_output()
        width, height = view.size
        samples = min(options.msaa_samples, commands.max_samples())
        buffers = self.pool.get(width, height, max(samples, 1))
        parts = scene.visible_parts()
        # Nearest first: where a pass's shader cannot discard, hidden fragments are then rejected before
        # shading (renderer.passes.early_depth).
        opaque = nearest_first([p for p in parts if not p.translucent], view.eye_m)
        translucent = [p for p in parts if p.translucent]
        molecules = scene.visible_molecules()
        radius = options.ao_radius_for(scene.bounds())
        timer = self.timer
        self.view_block.bind(view, width, height)  # every pass below reads the view from it
        with _timed(timer, "prepass"):
            run_prepass(self.shaders, buffers, view, opaque, molecules)
        with _timed(timer if self.caps.needed(scene) else None, "caps"):
            cap_faces = self.caps.run_cap_gbuffer(self.fullscreen, buffers, scene, self.raytraced.rays)
        if options.ao_tier == "raytraced":
            self.raytraced.run(scene, buffers, view, options, timer)  # times its own sub-passes
        else:
            with _timed(timer, "ao"):
                run_ssao(self.shaders, self.fullscreen, buffers, options, radius)
            commands.clear_color_attachment(buffers.shadow, 0, (1.0, 1.0, 1.0, 1.0))
        back_depth = None
        if options.view_mode == "color" and options.thickness_transmission and any(
                p.material.translucency > 0.0 for p in opaque):  # fmt: skip
            with _timed(timer, "thickness"):
                back_depth = self.thickness.run(width, height, opaque)
        scatter = subsurface.wanted(options, opaque)
        with _timed(timer, "shading"):
            shade_opaque(self.shaders, buffers, view, options, opaque, self.environment, back_depth, molecules,
                         scatter)  # fmt: skip
            if cap_faces is not None:  # cut faces, before translucent layers blend over them
                self.caps.shade_caps(self.fullscreen, buffers, options, cap_faces)
            if scatter:
                shade_scattering(self.shaders, buffers, options, self.environment, back_depth, self.subsurface,
                                 scatter)  # fmt: skip
        if scatter:
            with _timed(timer, "subsurface"):
                self.subsurface.run(self.fullscreen, buffers, view, options, scatter)
        with _timed(timer, "shading"):  # summed with the opaque part
            shade_translucent(self.shaders, buffers, view, options, translucent, self.environment,
                              self.transparency, self.fullscreen, molecules)  # fmt: skip
        with _timed(timer, "present"):
            run_present(self.shaders, self.fullscreen, buffers, view, options, target, srgb_target)
        if scene.labels and options.labels and options.view_mode == "color":
            with _timed(timer, "labels"):
                self.labels.run(self.shaders, scene, view, buffers, target)
        else:
            self.labels.skip(view)
        return ViewResult(buffers, timer.collect() if timer else {})

    def release(self) -> None:
        self.raytraced.release()
        self.caps.release()
        self.environment.release()
        self.thickness.release()
        self.transparency.release()
        self.shaders.release()
        self.pool.release()
        self.fullscreen.release()
        self.labels.release()
        self.view_block.release()
        if self.timer:
            self.timer.release()


def _timed(timer: PassTimer | None, name: str):
    return timer.measure(name) if timer else _NULL


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NULL = _Null()


def average_timings(results: list[dict[str, float]]) -> dict[str, float]:
    keys = {k for r in results for k in r}
    return {k: float(np.mean([r[k] for r in results if k in r])) for k in sorted(keys)}
