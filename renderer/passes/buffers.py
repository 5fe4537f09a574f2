"""Intermediate buffers of one view size: prepass, AO, multisampled HDR colour, resolved HDR."""

from __future__ import annotations

from collections.abc import Callable

from renderer.gl import commands
from renderer.gl.resources import Framebuffer, ResourceRegistry, Texture


class ViewBuffers:
    """All per-view render targets for a (width, height, samples); reused across frames and eyes."""

    def __init__(self, registry: ResourceRegistry, width: int, height: int, samples: int):
        self._derived: dict[str, tuple] = {}
        self.key = (width, height, samples)
        self.width, self.height = width, height
        self.prepass = Framebuffer(
            registry,
            # 0: view normal + view depth (screen-space AO); 1: world position + packed geometric
            # normal (ray origins and reprojection of the ray-traced tier).
            [Texture(registry, width, height, commands.RGBA16F), Texture(registry, width, height, commands.RGBA32F)],
            Texture(registry, width, height, commands.DEPTH32F),
            owned=True,
        )
        self.shadow = Framebuffer(registry, [Texture(registry, width, height, commands.R16F)], owned=True)
        self.ao_raw = Framebuffer(registry, [Texture(registry, width, height, commands.R16F)], owned=True)
        self.ao = Framebuffer(registry, [Texture(registry, width, height, commands.R16F)], owned=True)
        self.hdr = Framebuffer(
            registry,
            [Texture(registry, width, height, commands.RGBA16F, samples=samples)],
            Texture(registry, width, height, commands.DEPTH32F, samples=samples),
            owned=True,
        )
        self.resolved = Framebuffer(registry, [Texture(registry, width, height, commands.RGBA16F)], owned=True)

    @property
    def normal_depth(self) -> Texture:
        return self.prepass.colors[0]

    @property
    def world_position(self) -> Texture:
        return self.prepass.colors[1]

    @property
    def ao_texture(self) -> Texture:
        return self.ao.colors[0]

    @property
    def shadow_texture(self) -> Texture:
        """Key-light visibility per pixel (1 = lit); stays 1 unless the ray-traced tier runs."""
        return self.shadow.colors[0]

    def derived(self, name: str, make: Callable[[], tuple]) -> tuple:
        """GL objects a pass builds on top of these buffers (e.g. a framebuffer sharing `hdr.depth`),
        made once by `make()` and released with these buffers -- never outliving what they attach."""
        if name not in self._derived:
            self._derived[name] = make()
        return self._derived[name]

    def release(self) -> None:
        for resources in self._derived.values():
            for resource in resources:
                resource.release()
        self._derived.clear()
        for framebuffer in (self.prepass, self.shadow, self.ao_raw, self.ao, self.hdr, self.resolved):
            framebuffer.release()


class BufferPool:
    """Keeps the ViewBuffers of the sizes in use (one per eye size; the window resizes)."""

    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self._buffers: dict[tuple, ViewBuffers] = {}

    def get(self, width: int, height: int, samples: int) -> ViewBuffers:
        key = (width, height, samples)
        if key not in self._buffers:
            if len(self._buffers) >= 4:  # a resized window leaves old sizes behind
                self._buffers.pop(next(iter(self._buffers))).release()
            self._buffers[key] = ViewBuffers(self.registry, width, height, samples)
        return self._buffers[key]

    def release(self) -> None:
        for buffers in self._buffers.values():
            buffers.release()
        self._buffers.clear()
