"""`render --captions`: each step's title, text and question drawn beside its picture, for hand-outs.

Pillow draws the text (renderer.labels.panel, the label font: Noto Sans CJK where installed, so
Chinese, Japanese and Korean captions render). No GL: the caption is composed onto the finished image.
"""

from __future__ import annotations

import numpy as np

from renderer.labels.panel import ACCENT, GREY, WHITE, TextBlock, panel_image
from renderer.scene.fields import text_in
from renderer.scene.load import LoadedScene

QUESTION_WORD = {"en": "Question", "es": "Pregunta", "fr": "Question", "de": "Frage", "pt": "Pergunta",
                 "it": "Domanda", "zh": "问题", "ja": "質問", "ko": "질문"}  # fmt: skip


def caption_blocks(loaded: LoadedScene, step: int | None, lang: str, height_px: int) -> tuple[TextBlock, ...]:
    """The step's title, text (Markdown **strong**) and question, sized for a picture `height_px` tall."""
    scene = loaded.scene
    size = max(14, min(40, height_px // 28))
    blocks = []
    if step is None or scene.lesson is None:
        title, text, question = text_in(scene.title, lang, scene.language), None, None
        text = text_in(scene.description, lang, scene.language)
    else:
        entry = scene.lesson.steps[step]
        title = text_in(entry.title, lang, scene.language)
        text = text_in(entry.text, lang, scene.language)
        question = text_in(entry.question.prompt, lang, scene.language) if entry.question else None
        count = len(scene.lesson.steps)
        blocks.append(TextBlock(f"{step + 1} / {count}", max(12, size * 3 // 4), GREY))
    if title:
        blocks.append(TextBlock(title, round(size * 1.35), WHITE))
    if text:
        blocks.append(TextBlock(text, size, WHITE, markdown=True))
    if step is not None and scene.lesson is not None and question:
        word = QUESTION_WORD.get(lang.split("-")[0], QUESTION_WORD["en"])
        separator = "：" if lang.split("-")[0] in ("zh", "ja") else ": "
        blocks.append(TextBlock(f"{word}{separator}{question}", size, ACCENT))
    return tuple(blocks)


def with_caption(image: np.ndarray, blocks: tuple[TextBlock, ...], lang: str,
                 background: tuple[float, float, float]) -> np.ndarray:  # fmt: skip
    """(H', W + panel, 3) uint8: `image` (H, W, 3) with the caption panel to its right; taller when
    the text needs more room than the picture has. `background`: sRGB 0..1 (the scene's)."""
    height, width = image.shape[:2]
    if not blocks:
        return image
    panel_width = max(300, int(width * 0.45))
    panel = panel_image(blocks, panel_width - 24, lang, background=(0, 0, 0, 0))
    total_height = max(height, panel.shape[0] + 24)
    fill = np.array([round(c * 255) for c in background], dtype=np.uint8)
    out = np.empty((total_height, width + panel_width, 3), dtype=np.uint8)
    out[:] = fill
    out[:height, :width] = image[:, :, :3]
    top = max(12, (min(height, total_height) - panel.shape[0]) // 2)
    rows, cols = slice(top, top + panel.shape[0]), slice(width + 12, width + 12 + panel.shape[1])
    alpha = panel[:, :, 3:4].astype(np.float32) / 255.0
    blended = panel[:, :, :3].astype(np.float32) + out[rows, cols].astype(np.float32) * (1.0 - alpha)  # premultiplied
    out[rows, cols] = np.clip(blended + 0.5, 0, 255).astype(np.uint8)
    return out
