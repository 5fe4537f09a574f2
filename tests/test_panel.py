"""On-screen text panels: wrapping of Latin and CJK text, Markdown emphasis, premultiplied output."""

from __future__ import annotations

import numpy as np

from renderer.labels.panel import ACCENT, TextBlock, _font, panel_image, wrap

TEXT_EN = "We cut away the **left half** of the skin to look inside. The grey, folded surface is the cortex."
TEXT_ZH = "水平切面显示了薄薄的灰质皮层下方的**白质**。大脑就在里面。"


def line_text(line) -> str:
    return "".join(token for token, _ in line)


def test_latin_wraps_at_spaces_within_the_width():
    font = _font(16, 2)
    lines = wrap(TEXT_EN, font, 200, markdown=True)
    assert len(lines) > 2
    assert all(font.getlength(line_text(line)) <= 200 for line in lines)
    assert " ".join(line_text(line) for line in lines) == TEXT_EN.replace("**", "")
    strong = [token for line in lines for token, bold in line if bold and token.strip()]
    assert strong == ["left", "half"]


def test_cjk_wraps_between_characters_but_not_before_closing_punctuation():
    font = _font(16, 2)
    lines = wrap(TEXT_ZH, font, 120, markdown=True)
    assert len(lines) > 2
    assert "".join(line_text(line) for line in lines) == TEXT_ZH.replace("**", "")
    assert not any(line_text(line).startswith(("。", "，")) for line in lines)


def test_panel_is_premultiplied_and_draws_emphasis_in_the_accent_colour():
    image = panel_image((TextBlock("Title", 20), TextBlock(TEXT_EN, 14, markdown=True)), 260)
    assert image.dtype == np.uint8 and image.shape[2] == 4 and image.shape[1] <= 260
    assert np.all(image[:, :, :3] <= image[:, :, 3:4])  # premultiplied: colour never exceeds alpha
    opaque = image[image[:, :, 3] == 255][:, :3].astype(int)
    assert (np.abs(opaque - ACCENT).sum(axis=1) < 30).sum() > 10  # the **left half** glyphs
