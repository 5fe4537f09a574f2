"""Rendering what scene files declare, on the real Mesa driver: every example step, sections,
highlights and labels, measured in the images (diff images go to test-output/ on failure)."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from renderer.cli import main
from renderer.labels.layout import overlaps
from renderer.scene.load import load_scene
from renderer.scene.step_state import scene_state
from tests.conftest import SCENES, save_png

pytestmark = pytest.mark.gl
EXAMPLES = sorted(SCENES.glob("*.yaml"))
SIZE = (160, 120)


def coverage(image: np.ndarray, background) -> float:
    """Fraction of pixels that differ from the background colour (sRGB uint8); image (..., 3)."""
    return float((np.abs(image.astype(int) - np.asarray(background)).sum(axis=-1) > 12).mean())


def span(image: np.ndarray, background) -> float:
    """The larger of the fractions of the width and of the height that the non-background pixels span."""
    rows, cols = np.nonzero(np.abs(image.astype(int) - np.asarray(background)).sum(axis=-1) > 12)
    if len(rows) == 0:
        return 0.0
    return max((rows.max() - rows.min() + 1) / image.shape[0], (cols.max() - cols.min() + 1) / image.shape[1])


def render_state(headless, loaded, state, size=SIZE, labels=True):
    headless.load(loaded)
    headless.scene.apply(state)
    camera = state.camera or headless.camera(size[0] / size[1])
    return headless.render(*size, camera, headless.options(labels=labels))


def steps_of(path):
    loaded = load_scene(path)
    count = len(loaded.scene.lesson.steps) if loaded.scene.lesson else 0
    return [(path.name, index) for index in ([None] if count == 0 else range(count))]


@pytest.mark.parametrize("scene_file,step", [c for p in EXAMPLES for c in steps_of(p)],
                         ids=lambda v: str(v))  # fmt: skip
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_example_step_renders(headless, output_dir, scene_file, step, lang):
    loaded = load_scene(SCENES / scene_file)
    state = scene_state(loaded, step, lang)
    size = (320, 240) if state.labels else SIZE  # labels need room: 3% of the height, 11 px at least
    image = render_state(headless, loaded, state, size)
    save_png(output_dir / f"{lang}.png", image)
    assert image.shape == (size[1], size[0], 3)
    # a skeleton or a leg standing in a landscape frame covers little of it yet fills its height
    assert coverage(image, image[0, 0]) > 0.08 or span(image, image[0, 0]) > 0.8, "the step shows (almost) nothing"
    placements = headless.renderer.labels.last_placements
    assert len(placements) == len(state.labels), "a requested label found no visible spot"
    assert overlaps(placements) == 0


@pytest.fixture(scope="module")
def ball_scene(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ball")
    trimesh.creation.icosphere(subdivisions=4, radius=0.1).export(folder / "ball.glb")
    (folder / "ball.yaml").write_text(
        "version: 1\n"
        "camera: {eye_m: [0, 0, 0.6], target_m: [0, 0, 0], vertical_fov_deg: 35}\n"
        "render: {background: '#000000'}\n"
        "parts:\n  ball: {mesh: ball.glb, material: bone, name: {en: Ball, zh: 球}}\n"
        "clip_planes:\n  right: {point_m: [0, 0, 0], normal: [1, 0, 0], active: false}\n"
        "cut_boxes:\n  slot: {min_m: [-0.03, -0.2, -0.2], max_m: [0.03, 0.2, 0.2], active: false}\n"
        "lesson:\n  steps:\n"
        "    - {title: Plain}\n"
        "    - {title: Half, clip: [right]}\n"
        "    - {title: Slot, clip: [slot]}\n"
        "    - {title: Glow, highlight: [ball]}\n"
        "    - {title: Named, label: [ball]}\n"
    )
    return load_scene(folder / "ball.yaml")


def test_clip_plane_removes_the_side_its_normal_points_to(headless, output_dir, ball_scene):
    plain = render_state(headless, ball_scene, scene_state(ball_scene, 0))
    half = render_state(headless, ball_scene, scene_state(ball_scene, 1))
    save_png(output_dir / "plain.png", plain), save_png(output_dir / "half.png", half)
    mid = SIZE[0] // 2
    left_plain, right_plain = coverage(plain[:, : mid - 2], 0), coverage(plain[:, mid + 2 :], 0)
    left_half, right_half = coverage(half[:, : mid - 2], 0), coverage(half[:, mid + 2 :], 0)
    assert abs(left_half - left_plain) < 0.01  # the kept side is untouched
    assert right_plain > 0.15 and right_half < 0.01 * right_plain + 0.002  # +X (right on screen) is gone


def test_cut_box_opens_a_slot(headless, output_dir, ball_scene):
    slot = render_state(headless, ball_scene, scene_state(ball_scene, 2))
    save_png(output_dir / "slot.png", slot)
    centre_column = slot[:, SIZE[0] // 2]
    assert coverage(centre_column[None], 0) < 0.02  # see straight through the ball
    assert coverage(slot[:, SIZE[0] // 2 - 15], 0) > 0.4  # beside the slot the ball remains


def test_highlight_glows(headless, output_dir, ball_scene):
    plain = render_state(headless, ball_scene, scene_state(ball_scene, 0)).astype(float)
    glow = render_state(headless, ball_scene, scene_state(ball_scene, 3)).astype(float)
    save_png(output_dir / "glow.png", glow.astype(np.uint8))
    inside = plain.sum(axis=2) > 30
    rim = inside & (np.hypot(*np.mgrid[:SIZE[1], :SIZE[0]] - np.array([[[SIZE[1] / 2]], [[SIZE[0] / 2]]])) > 30)
    gain = glow[rim].mean(axis=0) - plain[rim].mean(axis=0)
    assert gain[0] > 15 and gain[0] > gain[2], f"the rim should brighten warmly, got {gain}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_label_is_drawn_with_a_leader_line(headless, output_dir, ball_scene, lang):
    size = (320, 240)
    state = scene_state(ball_scene, 4, lang)
    without = render_state(headless, ball_scene, state, size, labels=False)
    with_label = render_state(headless, ball_scene, state, size)
    save_png(output_dir / f"label-{lang}.png", with_label)
    (placement,) = headless.renderer.labels.last_placements
    (anchor,) = headless.renderer.labels.last_anchors
    x0, y0, x1, y1 = (int(round(v)) for v in placement.box)
    plate = with_label[y0:y1, x0:x1].astype(int)
    assert (plate.min(axis=2) > 200).sum() > 15, "no white text on the label plate"
    assert np.hypot(*(anchor - np.array([size[0] / 2, size[1] / 2]))) < 80, "anchor off the ball"
    changed = np.abs(with_label.astype(int) - without.astype(int)).sum(axis=2) > 30
    ax, ay = int(anchor[0]), int(anchor[1])
    assert changed[ay - 2 : ay + 3, ax - 2 : ax + 3].any(), "no dot at the anchor"
    outside = changed.copy()
    outside[y0:y1, x0:x1] = False
    outside[ay - 6 : ay + 7, ax - 6 : ax + 7] = False
    assert outside.sum() > 5, "no leader line between the anchor and the label"


def test_stereo_eyes_put_a_label_on_the_same_side(headless, output_dir, ball_scene):
    """A label whose anchor lies near the middle of the picture: the anchor (on the ball's near
    surface) falls right of the middle in the left eye and left of it in the right eye; laying out
    each eye on its own put the plate on opposite sides, which a headset wearer cannot fuse."""
    size, ipd = (320, 240), 0.1
    state = scene_state(ball_scene, 4, "en")
    headless.load(ball_scene)
    headless.scene.apply(state)
    camera = headless.camera(size[0] / size[1])
    images = {}
    for labels in (False, True):
        images[labels] = headless.render(*size, camera, headless.options(labels=labels), stereo=True, ipd_m=ipd)
    save_png(output_dir / "stereo-label.png", images[True])
    changed = np.abs(images[True].astype(int) - images[False].astype(int)).sum(axis=2) > 30
    ball = images[False].sum(axis=2) > 30
    halves = [slice(eye * size[0], (eye + 1) * size[0]) for eye in (0, 1)]
    offsets = [np.nonzero(changed[:, half])[1].mean() - np.nonzero(ball[:, half])[1].mean() for half in halves]
    assert abs(offsets[0]) > 10 and np.sign(offsets[0]) == np.sign(offsets[1]), offsets
    # Both eyes point at the same spot of the ball, and the plate keeps its offset from the dot.
    left_eye, right_eye = (headless.renderer.labels.last_by_eye[eye] for eye in (0, 1))
    ((left_point,), (left_anchor,), (left_box,)) = left_eye.points_m, left_eye.anchors, left_eye.placements
    ((right_point,), (right_anchor,), (right_box,)) = right_eye.points_m, right_eye.anchors, right_eye.placements
    assert np.allclose(left_point, right_point)
    assert right_anchor[0] < left_anchor[0] - 10  # a near point: further left in the right eye
    offsets = [np.array(box.box[:2]) - anchor for box, anchor in ((left_box, left_anchor), (right_box, right_anchor))]
    assert np.allclose(*offsets, atol=0.5), offsets


def test_cli_renders_one_step_and_all_steps(tmp_path, capsys):
    scene = SCENES / "brain-lesson.yaml"
    assert main(["render", str(scene), "--step", "2", "--lang", "zh", "--size", "160x120",
                 "-o", str(tmp_path / "two.png")]) == 0  # fmt: skip
    assert (tmp_path / "two.png").stat().st_size > 0
    assert main(["render", str(scene), "--all-steps", "--size", "160x120", "-o", str(tmp_path / "all")]) == 0
    count = len(load_scene(scene, load_assets=False).scene.lesson.steps)
    assert sorted(p.name for p in (tmp_path / "all").iterdir()) == [f"step-{i:02d}.png" for i in range(1, count + 1)]
    capsys.readouterr()
    assert main(["render", str(scene), "--step", "99", "-o", str(tmp_path / "x.png")]) == 1
    assert f"--step 99: the lesson has {count} step(s); steps are numbered from 1" in capsys.readouterr().err
    assert main(["render", str(SCENES / "brain.yaml"), "--all-steps", "-o", str(tmp_path / "none")]) == 1
    assert "has no lesson" in capsys.readouterr().err
