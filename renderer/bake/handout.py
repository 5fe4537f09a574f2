"""A printable handout per lesson and language: one A4 page per step with its picture, title, text
and question (CJK included, through the label fonts). Pillow writes the PDF from page images, so no
PDF library or system font setup is needed."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from renderer.labels.panel import panel_image
from renderer.scene.load import LoadedScene
from renderer.scene.step_state import scene_state

PAGE_PX = (1240, 1754)  # A4 at 150 dpi
MARGIN_PX = 90


def handout_pdf(loaded: LoadedScene, lang: str, pictures: list[np.ndarray]) -> bytes:
    """PDF bytes: page k shows pictures[k] ((H, W, 3) uint8) and step k's texts in `lang`."""
    from renderer.bake.step_images import caption_blocks

    pages = []
    width = PAGE_PX[0] - 2 * MARGIN_PX
    for index, picture in enumerate(pictures):
        page = Image.new("RGB", PAGE_PX, (255, 255, 255))
        image = Image.fromarray(picture)
        scale = width / image.width
        image = image.resize((width, int(image.height * scale)), Image.LANCZOS)
        page.paste(image, (MARGIN_PX, MARGIN_PX))
        step = index if loaded.scene.lesson else None
        state = scene_state(loaded, step, lang)
        blocks = caption_blocks(loaded, step, state, lang, 900)
        if blocks:
            text = panel_image(blocks, width, lang, background=(28, 30, 36, 255))
            plate = Image.fromarray(text, "RGBA")
            page.paste(plate.convert("RGB"), (MARGIN_PX, MARGIN_PX + image.height + 40))
        pages.append(page)
    buffer = io.BytesIO()
    pages[0].save(buffer, format="PDF", save_all=True, append_images=pages[1:], resolution=150.0,
                  title=f"{loaded.path.stem} ({lang})")  # fmt: skip
    return buffer.getvalue()
