"""Text panels for the window's overlay (step title and text, part list, messages), drawn by Pillow.

Same font and premultiplied output as the labels (renderer.labels.atlas), so a panel goes into the
same kind of atlas. Text wraps at spaces, and between any two CJK characters (which are written
without spaces). Lesson texts are Markdown; `**strong**` spans are drawn in the accent colour and
the other markup characters are kept as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from renderer.labels.font import check_glyphs, face_index, label_font_path

Color = tuple[int, int, int]
WHITE: Color = (255, 255, 255)
GREY: Color = (190, 196, 204)
ACCENT: Color = (255, 205, 90)
ERROR: Color = (255, 120, 110)
GOOD: Color = (120, 230, 140)
# Spaces, single CJK ideographs/kana/hangul (a line may break between any two, but not before closing
# punctuation, which stays with the character before it), or words.
_CJK_CLASS = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_CLOSING = "、。，！？；：）」』〉》．,.!?;:)"
_TOKEN = re.compile(rf"\s+|[{_CJK_CLASS}][{_CLOSING}]*|[^\s{_CJK_CLASS}]+")


@dataclass(frozen=True)
class TextBlock:
    """A paragraph (or several, split at newlines) in one size and colour; `markdown`: **strong** spans."""

    text: str
    size_px: int
    color: Color = WHITE
    markdown: bool = False


@lru_cache(maxsize=32)
def _font(size_px: int, face: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(label_font_path()), size_px, index=face)


def _tokens(text: str, markdown: bool) -> list[tuple[str, bool]]:
    """(token, strong) pairs: runs of spaces, single CJK characters, and words."""
    spans = text.split("**") if markdown and text.count("**") >= 2 else [text]
    out = []
    for index, span in enumerate(spans):
        out += [(match.group(0), index % 2 == 1) for match in _TOKEN.finditer(span)]
    return out


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width_px: float, markdown: bool = False) -> list[list]:
    """Lines of (token, strong) pairs, each line at most `max_width_px` wide unless a word alone is wider."""
    lines: list[list] = []
    for paragraph in text.split("\n"):
        line: list = []
        width = 0.0
        for token, strong in _tokens(paragraph, markdown):
            advance = font.getlength(token)
            if token.isspace():
                if line:
                    line.append((" ", strong))
                    width += font.getlength(" ")
                continue
            if line and width + advance > max_width_px and token[0] not in _CLOSING:
                while line and line[-1][0] == " ":
                    line.pop()
                lines.append(line)
                line, width = [], 0.0
            line.append((token, strong))
            width += advance
        while line and line[-1][0] == " ":
            line.pop()
        lines.append(line)
    return lines


@lru_cache(maxsize=256)
def panel_image(blocks: tuple[TextBlock, ...], max_width_px: int, lang: str = "en",
                background: tuple[int, int, int, int] = (14, 16, 22, 210)) -> np.ndarray:  # fmt: skip
    """(H, W, 4) uint8 premultiplied sRGB: the blocks one under the other on a rounded plate."""
    face = face_index(lang)
    for block in blocks:
        check_glyphs(block.text)
    pad = max(6, blocks[0].size_px // 2) if blocks else 6
    laid_out = []
    content_width = 1.0
    for block in blocks:
        font = _font(block.size_px, face)
        lines = wrap(block.text, font, max_width_px - 2 * pad, block.markdown)
        for line in lines:
            content_width = max(content_width, sum(font.getlength(t) for t, _ in line))
        laid_out.append((block, font, lines))
    line_gap = [round(block.size_px * 1.3) for block in blocks]
    height = 2 * pad + sum(len(lines) * gap for (_, _, lines), gap in zip(laid_out, line_gap, strict=True))
    height += max(len(blocks) - 1, 0) * (pad // 2)
    width = int(min(content_width, max_width_px - 2 * pad)) + 2 * pad
    image = Image.new("RGBA", (max(width, 1), max(height, 1)), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=max(4, pad // 2), fill=background)
    y = pad
    for (block, font, lines), gap in zip(laid_out, line_gap, strict=True):
        for line in lines:
            x = float(pad)
            for token, strong in line:
                draw.text((x, y), token, font=font, fill=(*(ACCENT if strong else block.color), 255))
                x += font.getlength(token)
            y += gap
        y += pad // 2
    return _premultiply(np.asarray(image))


def _premultiply(rgba: np.ndarray) -> np.ndarray:
    out = rgba.astype(np.float32)
    out[:, :, :3] *= out[:, :, 3:4] / 255.0
    return np.round(out).astype(np.uint8)
