"""Label images drawn by Pillow and packed into one texture atlas.

Why Pillow rasterises whole labels: FreeType (through Pillow) already does glyph lookup, kerning and
anti-aliasing for every script the font covers, and the GL side then only draws textured
rectangles. Labels are few (tens per step) and short, so one atlas of whole labels is small, and
re-rasterising a label only happens when its text or pixel size changes (cached).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from renderer.labels.font import check_glyphs, face_index, label_font_path

WHITE_TEXEL = (1, 1)  # a solid white 3x3 block at the atlas origin, for leader lines
DOT_RADIUS_PX = 4


@dataclass(frozen=True)
class Sprite:
    """Where an image sits in the atlas: (x, y) of its top-left texel, (width, height) in texels."""

    x: int
    y: int
    width: int
    height: int


@lru_cache(maxsize=16)
def _font(size_px: int, face: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(label_font_path()), size_px, index=face)


@lru_cache(maxsize=512)
def label_image(text: str, size_px: int, lang: str) -> np.ndarray:
    """(H, W, 4) uint8, premultiplied sRGB: white text on a rounded dark translucent plate."""
    check_glyphs(text)
    font = _font(size_px, face_index(lang))
    left, top, right, bottom = font.getbbox(text)
    pad_x, pad_y = max(4, size_px // 2), max(2, size_px // 4)
    ascent, descent = font.getmetrics()
    width = max(right - left, 1) + 2 * pad_x
    height = ascent + descent + 2 * pad_y
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    radius = max(3, height // 4)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=(18, 20, 26, 200),
                           outline=(255, 255, 255, 90), width=1)  # fmt: skip
    draw.text((pad_x - left, pad_y), text, font=font, fill=(255, 255, 255, 255))
    return _premultiply(np.asarray(image))


@lru_cache(maxsize=4)
def dot_image(radius: int = DOT_RADIUS_PX) -> np.ndarray:
    """(2r+3, 2r+3, 4) uint8 premultiplied: a white disc with a dark ring, marking a label's anchor."""
    size = 2 * radius + 3
    scale = 4  # draw large and shrink: Pillow's ellipses are not anti-aliased
    image = Image.new("RGBA", (size * scale, size * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, size * scale - 1, size * scale - 1), fill=(20, 20, 24, 230))
    inset = 2 * scale
    draw.ellipse((inset, inset, size * scale - 1 - inset, size * scale - 1 - inset), fill=(255, 255, 255, 255))
    return _premultiply(np.asarray(image.resize((size, size), Image.LANCZOS)))


def _premultiply(rgba: np.ndarray) -> np.ndarray:
    out = rgba.astype(np.float32)
    out[:, :, :3] *= out[:, :, 3:4] / 255.0
    return np.round(out).astype(np.uint8)


def pack(images: list[np.ndarray], width: int = 1024) -> tuple[np.ndarray, list[Sprite]]:
    """Shelf-pack `images` (each (H, W, 4) uint8) into one atlas (rows top-down).

    Returns the atlas (H, width', 4) uint8 and one Sprite per image, in order. A white 3x3 block
    sits at the origin (WHITE_TEXEL is its centre).
    """
    width = max(width, max((im.shape[1] for im in images), default=0) + 2)
    sprites: list[Sprite | None] = [None] * len(images)
    x, y, shelf = 4, 0, 4
    for index in sorted(range(len(images)), key=lambda i: -images[i].shape[0]):
        h, w = images[index].shape[:2]
        if x + w + 1 > width:
            x, y, shelf = 0, y + shelf + 1, 0
        sprites[index] = Sprite(x, y, w, h)
        x += w + 1
        shelf = max(shelf, h)
    height = max(y + shelf + 1, 4)
    atlas = np.zeros((height, width, 4), dtype=np.uint8)
    atlas[0:3, 0:3] = 255
    for image, sprite in zip(images, sprites, strict=True):
        atlas[sprite.y : sprite.y + sprite.height, sprite.x : sprite.x + sprite.width] = image
    return atlas, sprites  # type: ignore[return-value]
