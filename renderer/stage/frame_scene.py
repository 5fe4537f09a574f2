"""A frame's scene: the GPU scene plus parts drawn in this frame only (the headset's hands, rays and
held plane), as the renderer sees it."""

from __future__ import annotations

from renderer.gpu.scene import GpuPart, GpuScene


class FrameScene:
    """Same interface as `GpuScene` for drawing (visible parts, parts by id, bounds, labels). Bounds
    stay the anatomy's, so the feedback never changes the AO radius or the label layout."""

    def __init__(self, scene: GpuScene, extra: list[GpuPart]):
        self._scene, self._extra = scene, extra

    def visible_parts(self) -> list[GpuPart]:
        return self._scene.visible_parts() + self._extra

    @property
    def parts(self) -> dict[str, GpuPart]:
        """Passes look parts up by id (section caps: their colour); feedback parts included."""
        return {**self._scene.parts, **{p.part_id: p for p in self._extra}}

    def __getattr__(self, name):
        return getattr(self._scene, name)
