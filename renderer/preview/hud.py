"""The preview's on-screen text: what goes where, as panel images (no GL here).

Sizes follow the window height so the text stays readable from a small test window to 4K. Pixels
have the origin at the top left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from renderer.interaction.preview_state import PreviewState
from renderer.labels.panel import ACCENT, ERROR, GOOD, GREY, WHITE, TextBlock, panel_image
from renderer.passes.overlay import PanelSprite
from renderer.scene.fields import text_in
from renderer.scene.load import LoadedScene
from renderer.scene.step_state import SceneState

MAX_PROBLEM_LINES = 8
HELP = """Mouse: drag to turn · right/middle or Shift+drag to pan · wheel to zoom
Click a structure to name it · Ctrl+drag moves the section plane
→ / Space / PgDn next step · ← / PgUp previous · Home/End first/last
W A S D turn · + / − zoom · R camera of the step · T language
L part list (↑ ↓ select, Enter show/hide, H highlight) · C section facing you · [ ] move it
V mono / side-by-side / anaglyph · M play/pause motion · G poke soft tissue · F frame time · P or F12 screenshot
Tab hide text · Esc/Q quit"""


@dataclass
class HudInput:
    """Everything the overlay shows for one frame."""

    window_size: tuple[int, int]
    preview: PreviewState
    loaded: LoadedScene | None = None
    state: SceneState | None = None
    scene_name: str = ""
    problems: list[str] = field(default_factory=list)
    loading: tuple[str, float] | None = None  # what is loading, fraction done (0..1)
    frame_ms: tuple[float, float] | None = None  # whole frame, scene render
    message: str | None = None


@dataclass
class Hud:
    sprites: list[PanelSprite]
    list_rows: list[tuple[str, tuple[int, int, int, int]]]  # part id, (x0, y0, x1, y1) of its row


def text_sizes(height: int) -> tuple[int, int, int]:
    """Title, body and small text heights in pixels for a window `height` pixels high."""
    title = int(np.clip(0.045 * height, 13, 30))
    body = int(np.clip(0.033 * height, 11, 21))
    small = int(np.clip(0.028 * height, 10, 16))
    return title, body, small


def build_hud(data: HudInput) -> Hud:
    width, height = data.window_size
    title_px, body_px, small_px = text_sizes(height)
    margin = max(4, height // 80)
    preview, lang = data.preview, "en"
    sprites: list[PanelSprite] = []
    rows: list[tuple[str, tuple[int, int, int, int]]] = []
    if data.loaded is not None:
        lang = preview.language_of(data.loaded.scene)
    wide = int(min(max(0.5 * width, 220), width - 2 * margin))
    status_top = height - margin
    if preview.show_hud and data.loaded is not None and data.state is not None:
        step_panel = _step_panel(data, title_px, body_px, lang, wide)
        if step_panel is not None:
            sprites.append(PanelSprite(step_panel, margin, margin))
        bottom = height - margin
        status = panel_image((TextBlock(_status_line(data), small_px, GREY),), width - 2 * margin, lang)
        bottom -= status.shape[0]
        status_top = bottom - margin
        sprites.append(PanelSprite(status, margin, bottom))
        picked = _picked_panel(data, body_px, lang, wide)
        if picked is not None:
            bottom -= picked.shape[0] + margin
            sprites.append(PanelSprite(picked, margin, bottom))
        if preview.part_list_open:
            rows = _part_list(data, small_px, lang, width, margin, sprites)
    if data.problems:
        lines = data.problems[:MAX_PROBLEM_LINES]
        more = len(data.problems) - len(lines)
        blocks = [TextBlock("The scene file has problems; showing the last good version:" if data.loaded else
                            "The scene file has problems:", body_px, ERROR)]  # fmt: skip
        blocks += [TextBlock(_short_path(line), small_px, WHITE) for line in lines]
        if more > 0:
            blocks.append(TextBlock(f"... and {more} more (see the console)", small_px, GREY))
        image = panel_image(tuple(blocks), width - 2 * margin, lang, (60, 12, 12, 225))
        sprites.append(PanelSprite(image, margin, max(margin, (height - image.shape[0]) // 3)))
    if data.loading is not None:
        what, fraction = data.loading
        image = _progress_panel(what, fraction, body_px, lang, min(wide, 360))
        sprites.append(PanelSprite(image, (width - image.shape[1]) // 2, (height - image.shape[0]) // 2))
    if preview.show_frame_time and data.frame_ms is not None:
        frame, scene = data.frame_ms
        text = f"{frame:.1f} ms/frame ({1000.0 / max(frame, 1e-3):.0f} fps) · scene {scene:.1f} ms"
        image = panel_image((TextBlock(text, small_px, WHITE),), width - 2 * margin, lang)
        sprites.append(PanelSprite(image, width - margin - image.shape[1], status_top - image.shape[0]))
    if data.message and preview.show_hud:
        image = panel_image((TextBlock(data.message, small_px, ACCENT),), width - 2 * margin, lang)
        sprites.append(PanelSprite(image, (width - image.shape[1]) // 2, height // 2 + title_px))
    if preview.show_help:
        image = panel_image((TextBlock("Keys and mouse", title_px, ACCENT), TextBlock(HELP, small_px, WHITE)),
                            width - 2 * margin, lang, (14, 16, 22, 235))  # fmt: skip
        sprites.append(PanelSprite(image, (width - image.shape[1]) // 2, max(margin, (height - image.shape[0]) // 2)))
    return Hud(sprites, rows)


def _short_path(problem: str) -> str:
    """`/long/folder/scene.yaml:4:12: message` -> `scene.yaml:4:12: message` (the console has the full path)."""
    file, colon, rest = problem.partition(":")
    return f"{Path(file).name}{colon}{rest}" if colon and "/" in file else problem


def _step_panel(data: HudInput, title_px: int, body_px: int, lang: str, max_width: int) -> np.ndarray | None:
    preview, scene, state = data.preview, data.loaded.scene, data.state
    if preview.step is None or state.title is None:
        return None
    count = preview.step_count(scene)
    blocks = [TextBlock(f"{preview.step + 1}/{count}  {state.title}", title_px, WHITE)]
    if state.text:
        blocks.append(TextBlock(state.text, body_px, WHITE, markdown=True))
    question = scene.lesson.steps[preview.step].question
    if question is not None:
        blocks.append(TextBlock(text_in(question.prompt, lang, scene.language), body_px, ACCENT))
        if preview.answer == "right":
            blocks.append(TextBlock("✓ Right!", body_px, GOOD))
        elif preview.answer == "wrong":
            hint = text_in(question.hint, lang, scene.language) if question.hint else None
            blocks.append(TextBlock("✗ Not quite." + (f" {hint}" if hint else ""), body_px, ERROR))
    return panel_image(tuple(blocks), max_width, lang)


def _picked_panel(data: HudInput, body_px: int, lang: str, max_width: int) -> np.ndarray | None:
    picked, scene = data.preview.picked, data.loaded.scene
    if picked is None or picked.part_id not in scene.parts:
        return None
    part = scene.parts[picked.part_id]
    blocks = [TextBlock(text_in(part.name, lang, scene.language) or picked.part_id, body_px, ACCENT)]
    if part.description:
        blocks.append(TextBlock(text_in(part.description, lang, scene.language), body_px, WHITE, markdown=True))
    return panel_image(tuple(blocks), max_width, lang)


def _status_line(data: HudInput) -> str:
    preview, scene = data.preview, data.loaded.scene
    parts = [data.scene_name]
    if preview.step is not None:
        parts.append(f"step {preview.step + 1}/{preview.step_count(scene)}")
    parts += [preview.language_of(scene), preview.stereo]
    if preview.viewer_plane:
        parts.append("section")
    parts.append("F1 help")
    return " · ".join(parts)


def _part_list(data: HudInput, size_px: int, lang: str, width: int, margin: int,
               sprites: list[PanelSprite]) -> list[tuple[str, tuple[int, int, int, int]]]:  # fmt: skip
    """One small panel per part, top right; returns their rectangles for clicks."""
    scene, state, preview = data.loaded.scene, data.state, data.preview
    rows = []
    y = margin
    for index, (part_id, part) in enumerate(scene.parts.items()):
        shown = state.visible.get(part_id, False)
        mark = "■" if shown else "□"
        star = " ★" if part_id in state.highlighted else ""
        name = text_in(part.name, lang, scene.language) or part_id
        selected = index == preview.list_cursor
        background = (70, 78, 110, 230) if selected else (14, 16, 22, 200)
        image = panel_image((TextBlock(f"{mark} {name}{star}", size_px, WHITE if shown else GREY),),
                            int(width * 0.45), lang, background)  # fmt: skip
        x = width - margin - image.shape[1]
        sprites.append(PanelSprite(image, x, y))
        rows.append((part_id, (x, y, x + image.shape[1], y + image.shape[0])))
        y += image.shape[0] + 2
    return rows


def _progress_panel(what: str, fraction: float, size_px: int, lang: str, max_width: int) -> np.ndarray:
    text = panel_image((TextBlock(f"{what} {fraction * 100:.0f}%", size_px, WHITE),), max_width, lang)
    bar_height = max(4, size_px // 3)
    out = np.zeros((text.shape[0] + bar_height + 4, text.shape[1], 4), dtype=np.uint8)
    out[: text.shape[0]] = text
    filled = int(round(np.clip(fraction, 0.0, 1.0) * text.shape[1]))
    out[text.shape[0] + 2 : text.shape[0] + 2 + bar_height, :] = (40, 44, 52, 255)
    out[text.shape[0] + 2 : text.shape[0] + 2 + bar_height, :filled] = (*ACCENT, 255)
    return out
