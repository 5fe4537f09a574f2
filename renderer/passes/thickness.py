"""Thickness for translucent tissue: the nearest back face's view depth behind every pixel of the
opaque parts (the front face's depth is in the prepass). Read by pbr.frag's transmission term."""

from __future__ import annotations

from renderer.gl import commands
from renderer.gl.resources import Framebuffer, ResourceRegistry, Texture
from renderer.gl.shaders import ShaderLibrary
from renderer.gl.state import clip_distances, gl_pass
from renderer.gpu.scene import GpuPart
from renderer.passes.early_depth import NO_DISCARD, split_for_early_depth
from renderer.passes.geometry import MAX_CLIP_PLANES, set_part_uniforms

NO_BACK_FACE_M = 1e4  # cleared value: nothing behind, light passes freely


class ThicknessPass:
    def __init__(self, registry: ResourceRegistry, shaders: ShaderLibrary):
        self.registry, self.shaders = registry, shaders
        self._targets: dict[tuple[int, int], Framebuffer] = {}

    def run(self, width: int, height: int, opaque: list[GpuPart]) -> Texture:
        """Draw the back faces of `opaque` as seen from the bound view block; returns the (width, height)
        R32F back-depth texture."""
        key = (width, height)
        if key not in self._targets:
            if len(self._targets) >= 4:
                self._targets.pop(next(iter(self._targets))).release()
            back = Texture(self.registry, width, height, commands.R32F)
            depth = Texture(self.registry, width, height, commands.DEPTH32F)
            self._targets[key] = Framebuffer(self.registry, [back], depth, owned=True)
        framebuffer = self._targets[key]
        # thickness.frag discards only for masks (it never tested cut boxes): renderer.passes.early_depth.
        groups = [(self.shaders.program("mesh.vert", "thickness.frag", defines=defines), parts)
                  for defines, parts in zip((NO_DISCARD, None), split_for_early_depth(opaque, cut_boxes=False))
                  if parts] or [(self.shaders.program("mesh.vert", "thickness.frag"), [])]  # fmt: skip
        commands.clear_color_attachment(framebuffer, 0, (NO_BACK_FACE_M, 0.0, 0.0, 0.0))
        commands.clear_depth(framebuffer)
        # The back faces are what this pass wants: front faces are culled before rasterising (what
        # discarding them in the shader did, after rasterising and with depth tested late).
        with gl_pass(framebuffer=framebuffer, viewport=(0, 0, width, height), program=groups[0][0], depth_test=True,
                     depth_write=True, cull_face=True, multisample=False), clip_distances(MAX_CLIP_PLANES):  # fmt: skip
            commands.cull_front_faces()
            for program, parts in groups:
                program.use()
                for part in parts:
                    set_part_uniforms(program, part)
                    commands.draw_indexed(part.mesh.vertex_array, part.mesh.index_count)
            commands.set_back_face_culling(False)  # culls back faces again when enabled (gl_pass restores that)
        return framebuffer.colors[0]

    def release(self) -> None:
        for framebuffer in self._targets.values():
            framebuffer.release()
        self._targets.clear()
