"""A step's picture in every language at the cost of one render: the 3D scene is drawn once without
labels, kept in a second framebuffer, and for each language copied back and overlaid with that
language's labels (the same label pass `prosector render` uses, so the pixels are the same); the
caption (title, text, question) is set beside it on the CPU.
"""

from __future__ import annotations

import numpy as np

from renderer.gl import commands
from renderer.scene.fields import text_in
from renderer.scene.load import LoadedScene
from renderer.scene.model import Camera
from renderer.scene.step_state import SceneState, scene_state
from renderer.targets.offscreen import OffscreenTarget


def render_languages(headless, loaded: LoadedScene, step: int | None, languages: tuple[str, ...],
                     size: tuple[int, int], camera: Camera | None = None,
                     time_s: float | None = None) -> dict[str, np.ndarray]:  # fmt: skip
    """{language: (H, W, 3) uint8 sRGB} for lesson step `step` (0-based) of the loaded scene, its
    animations at `time_s` (None: finished). `headless` is a renderer.headless.HeadlessRenderer with
    `loaded` already loaded."""
    width, height = size
    states = {lang: scene_state(loaded, step, lang, time_s) for lang in languages}
    first = states[languages[0]]
    headless.scene.apply(first)
    camera = camera or first.camera or headless.camera(width / height)
    options = headless.options()
    geometry = headless.render(width, height, camera, options.with_(labels=False))
    if not any(state.labels for state in states.values()) or not options.labels:
        return {lang: geometry for lang in languages}
    target = headless._target
    view, buffers = headless.last_views[0], headless.last_results[0].buffers
    saved = OffscreenTarget(headless.context.resources, width, height)
    try:
        commands.resolve_color(target.framebuffer, saved.framebuffer)
        images = {}
        renderer = headless.renderer
        for lang, state in states.items():
            headless.scene.apply(state)  # same step: only label texts and their language change
            commands.resolve_color(saved.framebuffer, target.framebuffer)
            if state.labels:
                renderer.labels.run(renderer.shaders, headless.scene, view, buffers, target.framebuffer)
            images[lang] = target.read_image()
        return images
    finally:
        saved.release()


def caption_blocks(loaded: LoadedScene, step: int | None, state: SceneState, lang: str, height: int):
    """The step's title, text and question as text blocks for `renderer.labels.panel.panel_image`."""
    from renderer.labels.panel import ACCENT, GREY, WHITE, TextBlock

    size = max(12, height // 26)
    blocks = []
    if state.title:
        blocks.append(TextBlock(state.title, round(size * 1.35), WHITE))
    if state.text:
        blocks.append(TextBlock(state.text, size, GREY, markdown=True))
    lesson = loaded.scene.lesson
    question = lesson.steps[step].question if lesson and step is not None else None
    if question is not None:
        blocks.append(TextBlock(text_in(question.prompt, lang, loaded.scene.language) or "", size, ACCENT))
    return tuple(blocks)


def with_caption(image: np.ndarray, loaded: LoadedScene, step: int | None, lang: str) -> np.ndarray:
    """`image` with the step's caption in `lang` in a column on its right, (H, W + W/2, 3) uint8."""
    from renderer.labels.panel import panel_image

    height, width = image.shape[:2]
    state = scene_state(loaded, step, lang)
    blocks = caption_blocks(loaded, step, state, lang, height)
    column = max(160, width // 2)
    out = np.zeros((height, width + column, 3), np.uint8)
    out[:, :width] = image
    out[:, width:] = (24, 26, 32)
    if blocks:
        panel = panel_image(blocks, column - 16, lang, background=(24, 26, 32, 255))
        ph, pw = min(panel.shape[0], height - 16), min(panel.shape[1], column - 16)
        alpha = panel[:ph, :pw, 3:4].astype(np.float32) / 255.0
        region = out[8:8 + ph, width + 8:width + 8 + pw].astype(np.float32)
        out[8:8 + ph, width + 8:width + 8 + pw] = (panel[:ph, :pw, :3] + region * (1.0 - alpha)).astype(np.uint8)
    return out
