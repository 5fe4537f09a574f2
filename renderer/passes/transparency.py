"""Weighted blended order-independent transparency (McGuire and Bavoil 2013) for nested translucent
parts -- skin over skull over brain -- where sorting whole parts cannot be right (their centres
coincide). Both faces of every translucent part are drawn, so a shell reads as a shell from any side.

Per view: draw translucent parts into a weighted colour sum and a revealage product (multisampled,
sharing the opaque depth buffer), then composite over the opaque image per sample. The alternative,
`transparency: "sorted"`, draws front faces sorted back to front by part centre; see RESULTS.md.
"""

from __future__ import annotations

from renderer.gl import commands, compute
from renderer.gl.resources import Framebuffer, ResourceRegistry, Texture
from renderer.gl.shaders import Program, ShaderLibrary
from renderer.gl.state import PREMULTIPLIED, Blend, clip_distances, gl_pass
from renderer.gpu.scene import GpuPart
from renderer.passes.buffers import ViewBuffers
from renderer.passes.geometry import MAX_CLIP_PLANES, draw_parts

_ADD = Blend()  # placeholder factors; the per-attachment ones are set by compute.weighted_blend_functions


class WeightedBlendedTransparency:
    def __init__(self, registry: ResourceRegistry, shaders: ShaderLibrary):
        self.registry, self.shaders = registry, shaders

    def _target(self, buffers: ViewBuffers) -> Framebuffer:
        def make() -> tuple[Framebuffer, Texture, Texture]:
            samples = buffers.hdr.colors[0].samples
            accum = Texture(self.registry, buffers.width, buffers.height, commands.RGBA16F, samples=samples)
            reveal = Texture(self.registry, buffers.width, buffers.height, commands.R16F, samples=samples)
            # The opaque parts' depth buffer is shared, not owned: layers behind opaque tissue are hidden.
            return Framebuffer(self.registry, [accum, reveal], buffers.hdr.depth), accum, reveal

        return buffers.derived("weighted-blended-transparency", make)[0]

    def draw(self, fullscreen: commands.FullscreenTriangle, buffers: ViewBuffers, program: Program,
             inputs: dict[str, Texture], translucent: list[GpuPart],
             highlight_color=(1.0, 0.78, 0.25)) -> None:  # fmt: skip
        """Accumulate `translucent` with `program` (pbr.frag built with OIT=1, light uniforms set;
        `inputs`: the textures it reads, by sampler name) and composite into buffers.hdr."""
        framebuffer = self._target(buffers)
        viewport = (0, 0, buffers.width, buffers.height)
        commands.clear_color_attachment(framebuffer, 0, (0.0, 0.0, 0.0, 0.0))
        commands.clear_color_attachment(framebuffer, 1, (1.0, 1.0, 1.0, 1.0))
        with gl_pass(framebuffer=framebuffer, viewport=viewport, program=program, textures=inputs, depth_test=True,
                     depth_write=False, blend=_ADD, multisample=True), clip_distances(MAX_CLIP_PLANES):  # fmt: skip
            compute.weighted_blend_functions()
            draw_parts(program, translucent, materials=True, highlight_color=highlight_color, cull_closed=False)
        composite = self.shaders.program("fullscreen.vert", "oit_composite.frag")
        layers = {"u_accum": framebuffer.colors[0], "u_revealage": framebuffer.colors[1]}
        with gl_pass(framebuffer=buffers.hdr, viewport=viewport, program=composite, textures=layers, depth_test=False,
                     depth_write=False, blend=PREMULTIPLIED, multisample=True):  # fmt: skip
            fullscreen.draw()

    def release(self) -> None:
        """Nothing of its own: its targets are released with the view buffers they attach to."""
