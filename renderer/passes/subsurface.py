"""Screen-space subsurface scattering for materials whose light spreads under the surface (skin, fat,
muscle, brain, organs): separable, in the spirit of Jimenez et al., "Separable Subsurface Scattering"
(Computer Graphics Forum 2015), with the taps weighted by world-space distance (a cross bilateral
filter, as Mikkelsen's "Skin Rendering by Pseudo-Separable Cross Bilateral Filtering" derives).

Per view, between the opaque and the translucent shading (renderer.passes.shading):
1. parts whose material scatters are drawn after every other opaque thing, with pbr.frag's SUBSURFACE
   variant, into the multisampled HDR image plus a second attachment that holds their diffuse light
   (the specular, sheen and emissive terms stay out of it) and the key of their material;
   what else is opaque was drawn first, so a scattering part only writes where it is in front;
2. with MSAA, one value per pixel from the samples (subsurface_resolve.frag; keys never averaged);
3. that light is spread along x, then y (subsurface_blur.frag), by a Gaussian per colour channel
   whose width is the material's scatter distance projected with the pixel's depth and the view's
   focal length, so it is the same on the surface whatever the distance, field of view, resolution
   or eye; the spread stops at other materials and at depth discontinuities;
4. every scattering sample of the HDR image gets (spread - its own diffuse light) added
   (subsurface_combine.frag, per sample), before translucent layers blend over it and before the
   MSAA resolve. Samples of other materials are not touched: they stay bit-identical.

Quality knobs (RenderOptions): `subsurface_scattering` (on/off) and `subsurface_samples` (taps per
blur direction, the centre included), both turned by the XR governor.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import NormalDist

import numpy as np

from renderer.gl import commands
from renderer.gl.resources import Framebuffer, ResourceRegistry, Texture
from renderer.gl.shader_interface import MAX_SCATTER_PROFILES, MAX_TAPS_PER_SIDE
from renderer.gl.shaders import Program, ShaderLibrary
from renderer.gl.state import ADDITIVE, clip_distances, gl_pass, gl_state
from renderer.gpu.scene import GpuPart
from renderer.passes.buffers import ViewBuffers
from renderer.passes.early_depth import split_for_early_depth
from renderer.passes.geometry import MAX_CLIP_PLANES, draw_parts
from renderer.passes.options import RenderOptions
from renderer.scene.colors import srgb_to_linear
from renderer.scene.materials import Material
from renderer.view import View


def scatter_sigma_m(material: Material) -> tuple[float, float, float] | None:
    """Standard deviation of the spread of each linear RGB channel, metres: `scatter_distance_m` for
    the channel `scatter_color` makes travel farthest, the others in proportion. None: no scattering."""
    color = srgb_to_linear(material.scatter_color)
    peak = float(color.max())
    if material.scatter_distance_m <= 0.0 or peak <= 0.0:
        return None
    return tuple(float(c) for c in material.scatter_distance_m * color / peak)  # type: ignore[return-value]


def taps_per_side(samples: int) -> int:
    """Taps on each side of the centre for `samples` taps per blur direction (odd; clamped to 3..33)."""
    return int(np.clip((samples - 1) // 2, 1, MAX_TAPS_PER_SIDE))


def unit_taps(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Tap placement for `n` taps per side, in standard deviations of a Gaussian: ((n + 1,) offsets,
    (n + 1,) widths), index 0 unused. The line is cut into 2n + 1 intervals of equal probability;
    tap k sits at the median of the k-th interval right of the centre, and its width times the
    density there is that interval's probability (for the outermost, the whole tail)."""
    gaussian = NormalDist()
    mass = 1.0 / (2 * n + 1)
    offsets = np.zeros(n + 1, dtype=np.float32)
    widths = np.zeros(n + 1, dtype=np.float32)
    for k in range(1, n + 1):
        offsets[k] = gaussian.inv_cdf(0.5 + k * mass)
        widths[k] = mass / gaussian.pdf(offsets[k])
    return offsets, widths


class ScatterGroups:
    """The visible opaque parts split into those that do not scatter (`plain`) and those that do,
    grouped by material -- the blur stops where the material changes: `groups` = [(key >= 1, parts)],
    `sigma_m` = (MAX_SCATTER_PROFILES, 3) float32 spread per key (row 0: none). Parts beyond the
    table's size render without scattering."""

    def __init__(self, opaque: Sequence[GpuPart]):
        keys: dict[Material, int] = {}
        by_key: dict[int, list[GpuPart]] = {}
        self.plain: list[GpuPart] = []
        self.sigma_m = np.zeros((MAX_SCATTER_PROFILES, 3), dtype=np.float32)
        for part in opaque:
            sigma = scatter_sigma_m(part.material)
            if sigma is not None and part.material not in keys and len(keys) + 1 < MAX_SCATTER_PROFILES:
                keys[part.material] = len(keys) + 1
                self.sigma_m[keys[part.material]] = sigma
            if sigma is None or part.material not in keys:
                self.plain.append(part)
            else:
                by_key.setdefault(keys[part.material], []).append(part)
        self.groups = sorted(by_key.items())

    def __bool__(self) -> bool:
        return bool(self.groups)


def wanted(options: RenderOptions, opaque: Sequence[GpuPart]) -> ScatterGroups | None:
    """The scattering groups when the pass runs for these options and parts, else None."""
    if options.view_mode != "color" or not options.subsurface_scattering:
        return None
    groups = ScatterGroups(opaque)
    return groups if groups else None


def screen_rect(parts: Sequence[GpuPart], view: View, width: int, height: int) -> tuple[int, int, int, int]:
    """(x, y, width, height) pixels, bottom-left origin: the part of the view the boxes of `parts` can
    cover (the whole view when a box reaches behind the eye), so the full-screen steps skip the rest."""
    corners = np.array([[x, y, z, 1.0] for part in parts for box in [part.world_bounds()]
                        for x in box[:, 0] for y in box[:, 1] for z in box[:, 2]])  # fmt: skip
    clip = corners @ view.view_projection.T
    if len(clip) == 0 or np.any(clip[:, 3] <= 1e-6):
        return 0, 0, width, height
    ndc = clip[:, :2] / clip[:, 3:4]
    x0, y0 = np.floor((ndc.min(axis=0) * 0.5 + 0.5) * (width, height)).astype(int) - 1
    x1, y1 = np.ceil((ndc.max(axis=0) * 0.5 + 0.5) * (width, height)).astype(int) + 1
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    return int(x0), int(y0), int(max(x1 - x0, 0)), int(max(y1 - y0, 0))


class SubsurfaceScattering:
    """Draws the scattering parts (step 1) and runs steps 2-4 on a view's buffers."""

    def __init__(self, registry: ResourceRegistry, shaders: ShaderLibrary):
        self.registry, self.shaders = registry, shaders

    def _targets(self, buffers: ViewBuffers) -> tuple[Framebuffer, Texture, Framebuffer, Framebuffer, Framebuffer]:
        """(HDR colour + scattered light sharing the HDR depth, the scattered texture (multisampled
        like the HDR image), two single-sampled RGBA16F ping-pong targets, the HDR colour alone -- the
        combine reads the HDR depth, so it must not be attached), made once per ViewBuffers and
        released with them."""

        def make() -> tuple[Framebuffer, Texture, Framebuffer, Framebuffer, Framebuffer]:
            hdr = buffers.hdr.colors[0]
            scattered = Texture(self.registry, buffers.width, buffers.height, commands.RGBA16F, samples=hdr.samples)
            shading = Framebuffer(self.registry, [hdr, scattered], buffers.hdr.depth)
            ping, pong = (Framebuffer(self.registry, [Texture(self.registry, buffers.width, buffers.height,
                                                              commands.RGBA16F)], owned=True) for _ in range(2))
            return shading, scattered, ping, pong, Framebuffer(self.registry, [hdr])

        return buffers.derived("subsurface-scattering", make)

    def draw_scattering_parts(self, programs: dict[bool, Program], inputs: dict[str, Texture], buffers: ViewBuffers,
                              groups: ScatterGroups, highlight_color) -> None:  # fmt: skip
        """Step 1: `programs` are pbr.frag with SUBSURFACE=1 by whether they keep its discards (False: for
        parts with no mask or cut box, renderer.passes.early_depth), lighting uniforms set, reading
        `inputs` (textures by sampler name). Draws over what is already in buffers.hdr, depth-tested."""
        shading = self._targets(buffers)[0]
        viewport = (0, 0, buffers.width, buffers.height)
        commands.clear_color_attachment(shading, 1, (0.0, 0.0, 0.0, 0.0))
        with gl_pass(framebuffer=shading, viewport=viewport, program=next(iter(programs.values())), textures=inputs,
                     depth_test=True, depth_write=True, multisample=True), clip_distances(MAX_CLIP_PLANES):  # fmt: skip
            for key, parts in groups.groups:
                for subset, discards in zip(split_for_early_depth(parts), (False, True)):
                    if subset:
                        programs[discards]["u_scatter_key"] = float(key)
                        draw_parts(programs[discards], subset, materials=True, highlight_color=highlight_color)

    def run(self, fullscreen: commands.FullscreenTriangle, buffers: ViewBuffers, view: View,
            options: RenderOptions, groups: ScatterGroups) -> None:  # fmt: skip
        """Steps 2-4, after `draw_scattering_parts`; adds the spread light into buffers.hdr."""
        _shading, scattered, ping, pong, combine_target = self._targets(buffers)
        viewport = (0, 0, buffers.width, buffers.height)
        multisampled = scattered.samples > 1
        depth_projection = (float(view.projection[2, 2]), float(view.projection[2, 3]))
        # Only the scattering parts' screen box is processed; around it the blur must read "no
        # material", not an earlier frame's values.
        rect = screen_rect([part for _key, parts in groups.groups for part in parts], view, buffers.width,
                           buffers.height)  # fmt: skip
        for target in (ping, pong):
            commands.clear_color_attachment(target, 0, (0.0, 0.0, 0.0, 0.0))
        geometry = {"u_normal_depth": buffers.normal_depth, "u_depth": buffers.hdr.depth}
        with gl_state(multisample=False, scissor=rect):
            source = scattered
            if multisampled:
                resolve = self.shaders.program("fullscreen.vert", "subsurface_resolve.frag")
                resolve["u_sigma_m"], resolve["u_depth_projection"] = groups.sigma_m, depth_projection
                with gl_pass(framebuffer=pong, viewport=viewport, program=resolve,
                             textures={"u_scattered": scattered, **geometry}):  # fmt: skip
                    fullscreen.draw()
                source = pong.colors[0]
            blur = self.shaders.program("fullscreen.vert", "subsurface_blur.frag")
            blur["u_sigma_m"] = groups.sigma_m
            n = taps_per_side(options.subsurface_samples)
            blur["u_taps_per_side"] = n
            blur["u_unit_offsets"], blur["u_unit_widths"] = unit_taps(n)
            p = view.projection
            for axis, target in ((0, ping), (1, pong)):
                blur["u_direction"] = (1, 0) if axis == 0 else (0, 1)
                blur["u_focal_px"] = float(p[axis, axis]) * (buffers.width if axis == 0 else buffers.height) / 2
                with gl_pass(framebuffer=target, viewport=viewport, program=blur,
                             textures={"u_scattered": source, "u_world_position": buffers.world_position,
                                       "u_normal_depth": buffers.normal_depth}):  # fmt: skip
                    fullscreen.draw()
                source = target.colors[0]
        combine = self.shaders.program("fullscreen.vert", "subsurface_combine.frag",
                                       defines={"MULTISAMPLE": int(multisampled)})  # fmt: skip
        combine["u_sigma_m"], combine["u_depth_projection"] = groups.sigma_m, depth_projection
        with gl_pass(framebuffer=combine_target, viewport=viewport, program=combine,
                     textures={"u_scattered": scattered, "u_spread": source, **geometry}, depth_test=False,
                     depth_write=False, blend=ADDITIVE, multisample=True, scissor=rect):  # fmt: skip
            fullscreen.draw()

    def release(self) -> None:
        """Nothing of its own: its targets are released with the view buffers they attach to."""
