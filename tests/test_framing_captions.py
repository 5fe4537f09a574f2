"""Auto-framing measured on the rendered silhouette (mono and stereo, per step), captions beside the
picture (Latin and CJK, not tofu boxes), and explode animations with per-part directions. Real Mesa GL."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENES, save_png

from renderer.scene.load import load_scene
from renderer.scene.step_state import scene_state

pytestmark = pytest.mark.gl
KNEE = SCENES / "knee-lesson.yaml"


def _silhouette(image: np.ndarray, background) -> np.ndarray:
    fill = np.array([round(c * 255) for c in background])
    return np.abs(image[:, :, :3].astype(int) - fill).max(axis=2) > 12


def _extent(mask: np.ndarray) -> tuple[float, float, bool]:
    """(fraction of the width, fraction of the height) the silhouette spans, and whether it touches an edge."""
    rows, cols = np.nonzero(mask)
    touches = rows.min() == 0 or cols.min() == 0 or rows.max() == mask.shape[0] - 1 or cols.max() == mask.shape[1] - 1
    return (cols.max() - cols.min() + 1) / mask.shape[1], (rows.max() - rows.min() + 1) / mask.shape[0], touches


@pytest.mark.parametrize("stereo", [False, True], ids=["mono", "stereo"])
def test_auto_framing_fills_the_view_with_the_visible_parts_of_each_step(headless, output_dir, stereo):
    loaded = load_scene(KNEE)
    headless.load(loaded)
    width, height = 240, 320
    background = loaded.scene.render.background
    for step in (0, 2):
        headless.scene.apply(scene_state(loaded, step))
        image = headless.render(width, height, headless.camera(width / height), stereo=stereo)
        save_png(output_dir / f"step{step + 1}-{'stereo' if stereo else 'mono'}.png", image)
        for eye in range(2 if stereo else 1):
            view = image[:, eye * width:(eye + 1) * width]
            across, tall, touches = _extent(_silhouette(view, background))
            assert not touches, f"step {step + 1}: the parts are cut off at the frame's edge"
            assert max(across, tall) > 0.8, f"step {step + 1}: the parts fill only {max(across, tall):.0%}"
            assert tall > across  # the leg stands upright in the picture


def test_framing_a_small_part_of_a_big_scene_uses_only_what_is_visible(headless):
    from renderer.view import auto_camera

    loaded = load_scene(SCENES / "whole-body.yaml", load_assets=False)
    assert loaded.scene.parts  # the scene expands; framing a patella alone must not keep the body's box
    patella = np.array([[-0.1, 0.4, 0.09], [-0.06, 0.44, 0.12]])
    body = np.array([[-0.8, 0.0, -0.1], [0.8, 1.7, 0.25]])
    near, far = auto_camera(patella, aspect=1.0), auto_camera(body, aspect=1.0)
    assert np.linalg.norm(np.subtract(near.eye_m, near.target_m)) < 0.1 * np.linalg.norm(np.subtract(far.eye_m,
                                                                                                     far.target_m))
    side = auto_camera(np.array([[0, 0, 0], [0.05, 0.04, 0.25]]), aspect=1.0)  # a foot: longest front to back
    assert abs(side.eye_m[0] - side.target_m[0]) > abs(side.eye_m[2] - side.target_m[2])


def test_explode_directions_move_each_part_its_own_way():
    loaded = load_scene(KNEE)
    at_rest, apart = scene_state(loaded, 0), scene_state(loaded, 1)
    moved = {p: apart.motion[p][:3, 3] - at_rest.motion[p][:3, 3] for p in ("femur", "patella", "tibia", "fibula")}
    np.testing.assert_allclose(moved["femur"], [0, 0.04, 0], atol=1e-9)
    np.testing.assert_allclose(moved["patella"], [0, 0, 0.04], atol=1e-9)
    np.testing.assert_allclose(moved["fibula"], np.array([-1, -1, 0]) / np.sqrt(2) * 0.04, atol=1e-9)


def _caption_pixels(image: np.ndarray, width: int, background) -> np.ndarray:
    return _silhouette(image[:, width:], background)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_captions_draw_title_text_and_question_beside_each_step(tmp_path, lang):
    from PIL import Image

    from renderer.cli import main

    out = tmp_path / "steps"
    assert main(["render", str(KNEE), "--all-steps", "--captions", "--lang", lang, "-o", str(out),
                 "--size", "200x260"]) == 0  # fmt: skip
    images = [np.asarray(Image.open(out / f"step-0{i}.png").convert("RGB")) for i in (1, 2, 3)]
    background = load_scene(KNEE, load_assets=False).scene.render.background
    for image in images:
        assert image.shape[1] >= 200 + 300  # the panel beside the 200-pixel picture
        text = _caption_pixels(image, 200, background)
        assert 0.01 < text.mean() < 0.5, text.mean()
    # step 3 has a question (drawn in the accent colour), step 1 has none
    accent = lambda image: ((image[:, 200:, 0] > 200) & (image[:, 200:, 2] < 140)).sum()
    assert accent(images[2]) > 50 and accent(images[0]) == 0


def test_cjk_captions_are_real_glyphs_not_tofu_boxes():
    from renderer.labels.font import has_cjk_font
    from renderer.labels.panel import TextBlock, panel_image

    if not has_cjk_font():
        pytest.skip("Noto Sans CJK is not installed (fonts-noto-cjk)")
    clear = (0, 0, 0, 0)  # no plate: only the glyphs have alpha
    glyphs = [panel_image((TextBlock(ch, 48),), 400, "zh", clear)[:, :, 3] > 128 for ch in "股骨胫"]
    tofu = panel_image((TextBlock("\U0010fffd", 48),), 400, "zh", clear)[:, :, 3] > 128  # a code point no font has
    shapes = [g[8:-8, 8:-8] for g in glyphs]
    assert all(s.mean() > 0.05 for s in shapes)
    for a in range(3):  # different characters, different shapes: a missing-glyph box would repeat
        for b in range(a + 1, 3):
            if shapes[a].shape == shapes[b].shape:
                assert (shapes[a] != shapes[b]).mean() > 0.05
        if shapes[a].shape == tofu[8:-8, 8:-8].shape:
            assert (shapes[a] != tofu[8:-8, 8:-8]).mean() > 0.05
