"""A step's picture in every language at the cost of one render: the 3D scene is drawn once without
labels, kept in a second framebuffer, and for each language copied back and overlaid with that
language's labels (the same label pass `prosector render` uses, so the pixels are the same). The
caption beside it is `render --captions`'s (renderer/labels/captions.py), set on the CPU.
"""

from __future__ import annotations

import numpy as np

from renderer.gl import commands
from renderer.scene.load import LoadedScene
from renderer.scene.model import Camera
from renderer.scene.step_state import scene_state
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
