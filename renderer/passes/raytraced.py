"""The ray-traced tier of ambient occlusion and key-light shadows.

Per frame and view: trace a few rays per pixel against the scene BVH from the prepass G-buffer
(rt_trace.comp), blend them into that view's reprojected history (rt_temporal.comp), then filter
with an edge-aware a-trous wavelet (rt_denoise.comp) into `buffers.ao` and `buffers.shadow`.
Histories are kept per (view index, size), so the two eyes of a headset never mix.
"""

from __future__ import annotations

import math
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np

from renderer import progress
from renderer.gl import commands, compute
from renderer.gl.resources import ResourceRegistry, Texture
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import gl_pass
from renderer.gpu.scene import GpuScene
from renderer.passes.buffers import ViewBuffers
from renderer.passes.options import RenderOptions
from renderer.passes.timing import PassTimer
from renderer.raytrace.scene import RayScene
from renderer.raytrace.spheres import RaySpheres
from renderer.view import View

UNBOUNDED_M = 1e30


@dataclass
class ViewHistory:
    """Accumulation state of one view: ping-pong histories (r ao, g shadow, b frames, a depth)."""

    noisy: Texture
    history: list[Texture]
    scratch: list[Texture]
    previous_view_projection: np.ndarray | None = None
    previous_view: np.ndarray | None = None
    frame: int = 0
    scene_build: int = -1
    signal: tuple = ()  # what the traced values mean (radius, terms, light); a change restarts
    textures: list[Texture] = field(default_factory=list)

    def release(self) -> None:
        for texture in self.textures:
            texture.release()


class RayTracedLighting:
    """Owns the ray scene and the per-view histories; `run` fills a view's AO and shadow buffers."""

    def __init__(self, registry: ResourceRegistry, shaders: ShaderLibrary):
        self.registry = registry
        self.shaders = shaders
        self.rays = RayScene(registry)
        self.spheres = RaySpheres(registry)
        self._triangles = self._spheres = False  # what the current frame traces
        self._histories: dict[tuple[int, int, int], ViewHistory] = {}

    def run(self, scene: GpuScene, buffers: ViewBuffers, view: View, options: RenderOptions,
            timer: PassTimer | None = None) -> None:  # fmt: skip
        self._triangles = self.rays.sync(scene)
        self._spheres = self.spheres.sync(scene)
        if not (self._triangles or self._spheres):
            commands.clear_color_attachment(buffers.ao, 0, (1.0, 1.0, 1.0, 1.0))
            commands.clear_color_attachment(buffers.shadow, 0, (1.0, 1.0, 1.0, 1.0))
            return
        history = self._history(view, buffers)
        signal = (*_signal(options), self.rays.section_version, self.rays.table_version, self.spheres.builds)
        if history.scene_build != self.rays.builds or history.signal != signal:
            history.scene_build, history.signal, history.previous_view_projection = self.rays.builds, signal, None
        if self._triangles:
            self.rays.bind()
        self.spheres.bind()
        frames = max(1, options.rt_still_frames)
        max_frames = max(options.rt_max_history_frames, frames)
        still = frames > 1  # a still image accumulating frames shows progress; a live view's frame builds no bar
        with progress.task("ray tracing", total=frames, unit="frame") if still else nullcontext() as bar:
            for _ in range(frames):
                with _timed(timer, "rt_trace"):
                    self._trace(buffers, options, history)
                with _timed(timer, "rt_temporal"):
                    self._accumulate(buffers, view, history, max_frames)
                if still:
                    commands.finish()  # the bar then counts finished frames, not queued ones
                    bar.advance()
        with _timed(timer, "rt_denoise"):
            self._denoise(buffers, view, options, history)

    def _history(self, view: View, buffers: ViewBuffers) -> ViewHistory:
        key = (view.index, buffers.width, buffers.height)
        if key not in self._histories:
            if len(self._histories) >= 8:  # resized windows leave old sizes behind
                self._histories.pop(next(iter(self._histories))).release()
            w, h = buffers.width, buffers.height
            noisy = Texture(self.registry, w, h, compute.RGBA16F)
            history = [Texture(self.registry, w, h, compute.RGBA32F) for _ in range(2)]
            scratch = [Texture(self.registry, w, h, compute.RGBA16F) for _ in range(2)]
            self._histories[key] = ViewHistory(noisy, history, scratch, textures=[noisy, *history, *scratch])
        return self._histories[key]

    def _trace(self, buffers: ViewBuffers, options: RenderOptions, history: ViewHistory) -> None:
        interleave = 2 if options.rt_resolution_scale <= 0.5 else 1
        # One program per capability set: a scene without masks, translucent parts or atoms runs the
        # plain opaque walk, with no per-hit table lookups.
        program = self.shaders.program("rt_trace.comp", defines={
            "INTERLEAVE": interleave, "TRACE_TRIANGLES": int(self._triangles), "TRACE_SPHERES": int(self._spheres),
            "BVH_MASKS": int(self.rays.any_masks), "BVH_TRANSLUCENT": int(self.rays.any_translucent)})
        radius = options.ao_radius_m
        program["u_ao_radius_m"] = UNBOUNDED_M if radius is None or not math.isfinite(radius) else radius
        extent = max(self.rays.diameter_m if self._triangles else 0.0, self.spheres.extent_m) or 1.0
        program["u_ray_offset_m"] = 2e-5 * extent
        want_ao, want_shadow = _wanted_terms(options)
        program["u_ao_rays"] = options.ao_rays_per_pixel if want_ao else 0
        program["u_shadow_rays"] = options.shadow_rays_per_pixel if want_shadow else 0
        program["u_key_direction"] = options.key_direction
        program["u_key_cos_half_angle"] = math.cos(math.radians(max(options.key_angular_diameter_deg, 1e-3) / 2))
        program["u_frame"] = history.frame
        program["u_any_sections"] = int(self.rays.any_sections)
        with gl_pass(program=program, images={"u_noisy_out": (history.noisy, True)},
                     textures={"u_normal_depth": buffers.normal_depth, "u_world_position": buffers.world_position}):
            compute.dispatch_2d(buffers.width, buffers.height)
        compute.barrier()
        history.frame += 1

    def _accumulate(self, buffers: ViewBuffers, view: View, history: ViewHistory, max_frames: int) -> None:
        program = self.shaders.program("rt_temporal.comp")
        valid = history.previous_view_projection is not None
        program["u_previous_view_projection"] = history.previous_view_projection if valid else np.eye(4)
        program["u_previous_view"] = history.previous_view if valid else np.eye(4)
        program["u_history_valid"] = int(valid)
        program["u_max_frames"] = float(max_frames)
        source, target = history.history
        with gl_pass(program=program, images={"u_history_out": (target, True)},
                     textures={"u_noisy": history.noisy, "u_world_position": buffers.world_position,
                               "u_history": source}):  # fmt: skip
            compute.dispatch_2d(buffers.width, buffers.height)
        compute.barrier()
        history.history.reverse()  # history[0] is now the newest
        history.previous_view_projection = view.view_projection
        history.previous_view = view.view_matrix

    def _denoise(self, buffers: ViewBuffers, view: View, options: RenderOptions, history: ViewHistory) -> None:
        iterations = max(1, options.rt_denoise_iterations)
        source = history.history[0]
        pixel_angle = 2.0 / (view.projection[1, 1] * buffers.height)
        for i in range(iterations):
            final = i == iterations - 1
            program = self.shaders.program("rt_denoise.comp", defines={"FINAL": int(final)})
            program["u_step"] = 1 << i
            program["u_rays"] = (max(options.ao_rays_per_pixel, 1), max(options.shadow_rays_per_pixel, 1))
            program["u_pixel_angle"] = pixel_angle
            program["u_value_sigmas"] = 3.0
            if final:
                images = {"u_ao_out": (buffers.ao_texture, True), "u_shadow_out": (buffers.shadow_texture, True)}
            else:
                target = history.scratch[i % 2]
                images = {"u_output": (target, True)}
            with gl_pass(program=program, images=images,
                         textures={"u_input": source, "u_normal_depth": buffers.normal_depth,
                                   "u_world_position": buffers.world_position}):  # fmt: skip
                compute.dispatch_2d(buffers.width, buffers.height)
            compute.barrier()
            if not final:
                source = target

    def release(self) -> None:
        self.rays.release()
        self.spheres.release()
        for history in self._histories.values():
            history.release()
        self._histories.clear()


def _wanted_terms(options: RenderOptions) -> tuple[bool, bool]:
    """(trace AO, trace key-light visibility): the data views need one term only; colour needs both."""
    want_ao = options.ambient_occlusion and options.view_mode != "shadow"
    has_key = options.shadows and max(options.key_radiance) > 0.0
    want_shadow = options.view_mode == "shadow" or (has_key and options.view_mode != "ao")
    return want_ao, want_shadow


def _signal(options: RenderOptions) -> tuple:
    return (_wanted_terms(options), options.ao_radius_m, options.key_direction, options.key_angular_diameter_deg)


def _timed(timer: PassTimer | None, name: str):
    return timer.measure(name) if timer else nullcontext()
