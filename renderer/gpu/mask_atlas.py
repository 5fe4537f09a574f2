"""The scene's alpha masks in one GPU texture, shared by every raster pass and the ray tracer.

Why an atlas in a 2D array texture: the ray tracer meets triangles of any part in any order within
one compute invocation, and GLSL 4.5 may index an array of samplers only with a dynamically uniform
value (bindless textures are absent on Mesa 22). So all masks share one sampler: each is placed on a
page (a layer of a GL_TEXTURE_2D_ARRAY) by shelf packing, and a part carries (layer, x, y, w, h) in
texels. Pages, not one huge 2D texture, keep every dimension below driver limits whatever the number
of masks. Samples are clamped half a texel inside the mask's rectangle, so bilinear filtering never
blends a neighbour in (shaders/lib/mask_sampling.glsl). The raster passes sample the same texture, so
a hole is a hole for rays and for the rasteriser alike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer.gl import commands
from renderer.gl.resources import ResourceRegistry, TextureArray
from renderer.gl.shader_interface import TEXTURE_UNITS
from renderer.scene.alpha_masks import MAX_MASK_SIDE

MASK_ATLAS_UNIT = TEXTURE_UNITS["u_mask_atlas"]
MIN_PAGE_SIDE = 64


@dataclass(frozen=True)
class MaskSlot:
    """Where one mask lies in the atlas: page `layer`, rectangle (x, y, width, height) in texels."""

    layer: int
    rect: tuple[int, int, int, int]


def page_side(sizes: list[tuple[int, int]]) -> int:
    """Side of the square pages: the largest mask side rounded up to a power of two (>= 64)."""
    largest = max([MIN_PAGE_SIDE, *[max(w, h) for w, h in sizes]])
    side = 1 << (largest - 1).bit_length()
    return min(side, MAX_MASK_SIDE)


def pack_shelves(sizes: list[tuple[int, int]], side: int) -> tuple[list[MaskSlot], int]:
    """Place rectangles (width, height) on square pages of `side` texels, tallest first, left to right
    on shelves. Returns one slot per input (same order) and the number of pages."""
    order = sorted(range(len(sizes)), key=lambda i: (-sizes[i][1], -sizes[i][0]))
    slots: list[MaskSlot | None] = [None] * len(sizes)
    layer, x, y, shelf = 0, 0, 0, 0
    for index in order:
        width, height = sizes[index]
        if width > side or height > side:
            raise ValueError(f"a {width}x{height} mask does not fit a {side}x{side} page")
        if x + width > side:  # next shelf
            x, y, shelf = 0, y + shelf, 0
        if y + height > side:  # next page
            layer, x, y, shelf = layer + 1, 0, 0, 0
        slots[index] = MaskSlot(layer, (x, y, width, height))
        x += width
        shelf = max(shelf, height)
    return [s for s in slots if s is not None], (layer + 1 if sizes else 0)


class MaskAtlas:
    """The masks of one GpuScene. `update(alphas)` re-packs when the set of images changes; `slot(alpha)`
    says where one lies. Always holds a texture (1 texel when there are no masks), so a pass may bind
    it unconditionally."""

    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self.texture: TextureArray | None = None
        self._slots: dict[int, MaskSlot] = {}
        self._key: tuple[int, ...] | None = None
        self._alive: list[np.ndarray] = []  # keeps the arrays whose ids key the slots alive

    def update(self, alphas: list[np.ndarray]) -> None:
        """Make the atlas hold exactly these (H, W) uint8 masks (top row first); keyed by identity."""
        unique = list({id(a): a for a in alphas}.values())
        key = tuple(sorted(id(a) for a in unique))
        if key == self._key and self.texture is not None:
            return
        self.release()
        self._key, self._alive = key, unique
        sizes = [(a.shape[1], a.shape[0]) for a in unique]
        side = page_side(sizes) if sizes else 1
        slots, pages = pack_shelves(sizes, side)
        self.texture = TextureArray(self.registry, side, side, max(pages, 1), commands.R8)
        if not unique:
            self.texture.upload_r8(0, 0, 0, np.full((1, 1), 255, dtype=np.uint8))
        for alpha, slot in zip(unique, slots, strict=True):
            x, y, _w, _h = slot.rect
            self.texture.upload_r8(slot.layer, x, y, alpha[::-1])  # GL rows count from the bottom: v = 0
            self._slots[id(alpha)] = slot

    def slot(self, alpha: np.ndarray) -> MaskSlot:
        return self._slots[id(alpha)]

    @property
    def nbytes(self) -> int:
        t = self.texture
        return 0 if t is None else t.width * t.height * t.layers

    def bind(self) -> None:
        if self.texture is not None:
            self.texture.bind(MASK_ATLAS_UNIT)

    def release(self) -> None:
        if self.texture is not None:
            self.texture.release()
            self.texture = None
        self._slots, self._key, self._alive = {}, None, []
