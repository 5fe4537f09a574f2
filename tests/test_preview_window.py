"""`prosector preview` in a real window under Xvfb, driven by real X input (xdotool).

The preview runs as a subprocess with DISPLAY set, exactly as a teacher would start it; the tests
read what it prints and the screenshots it writes. Windows are small (llvmpipe is slow on the
shared CI cores) and every wait is bounded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from renderer.scene.load import load_scene
from renderer.scene.model import Camera
from tests.conftest import ROOT, SCENES, save_png

SIZE = (320, 240)
START_TIMEOUT_S = 120


def preview_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "renderer", "preview", *args]


class PreviewProcess:
    """A running preview: its output lines as they come, its window, and X input sent to it."""

    def __init__(self, *args: str, cwd: Path = ROOT):
        self.process = subprocess.Popen(preview_command(*args), cwd=cwd, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True, env=os.environ.copy())  # fmt: skip
        self.lines: list[str] = []
        self._readers = [threading.Thread(target=self._read, args=(s,), daemon=True)
                         for s in (self.process.stdout, self.process.stderr)]  # fmt: skip
        for reader in self._readers:
            reader.start()
        self.window = ""

    def _read(self, stream) -> None:
        for line in stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, timeout_s: float = START_TIMEOUT_S, after: int = 0) -> int:
        """Index of the first output line from `after` on that contains `text`."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for index, line in enumerate(self.lines[after:], start=after):
                if text in line:
                    return index
            if self.process.poll() is not None and not any(r.is_alive() for r in self._readers):
                break
            time.sleep(0.1)
        raise AssertionError(f"no {text!r} in the preview's output:\n" + "\n".join(self.lines))

    def find_window(self) -> str:
        self.window = self.xdotool("search", "--sync", "--onlyvisible", "--pid", str(self.process.pid)).split()[0]
        return self.window

    def xdotool(self, *args: str) -> str:
        return subprocess.run(["xdotool", *args], check=True, capture_output=True, text=True, timeout=30).stdout

    def move(self, x: int, y: int) -> None:
        self.xdotool("mousemove", "--window", self.window, str(x), str(y))

    def drag(self, points: list[tuple[int, int]], button: int = 1) -> None:
        self.move(*points[0])
        self.xdotool("mousedown", str(button))
        for x, y in points[1:]:
            time.sleep(0.05)
            self.move(x, y)
        self.xdotool("mouseup", str(button))

    def key(self, *names: str) -> None:
        for name in names:
            self.xdotool("key", name)
            time.sleep(0.15)

    def close(self, timeout_s: float = 60) -> int:
        """Press Escape (the window closes and writes its --screenshot) and wait for the exit."""
        self.key("Escape")
        try:
            return self.process.wait(timeout=timeout_s)
        finally:
            for reader in self._readers:
                reader.join(timeout=5)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def camera(self) -> tuple[np.ndarray, np.ndarray]:
        line = self.lines[self.wait_for("camera: ")]
        words = line.split()
        eye = np.array([float(v) for v in words[words.index("--camera-eye") + 1].split(",")])
        target = np.array([float(v) for v in words[words.index("--camera-target") + 1].split(",")])
        return eye, target


@pytest.fixture
def preview_factory(xvfb_display):
    if shutil.which("xdotool") is None:
        pytest.skip("xdotool is not installed (apt-get install xdotool)")
    started: list[PreviewProcess] = []

    def start(*args: str, cwd: Path = ROOT) -> PreviewProcess:
        process = PreviewProcess(*args, cwd=cwd)
        started.append(process)
        return process

    yield start
    for process in started:
        process.kill()


def read_png(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def compare(shown: np.ndarray, expected: np.ndarray, output_dir: Path, name: str) -> np.ndarray:
    difference = np.abs(shown.astype(int) - expected.astype(int))
    save_png(output_dir / f"{name}-window.png", shown)
    save_png(output_dir / f"{name}-expected.png", expected)
    save_png(output_dir / f"{name}-difference.png", np.clip(difference * 8, 0, 255).astype(np.uint8))
    return difference


def offscreen(headless, scene: Path, camera: Camera | None = None, asset_roots=None) -> np.ndarray:
    loaded = load_scene(scene, asset_roots=asset_roots)
    headless.load(loaded)
    return headless.render(*SIZE, camera=camera)


# -- a small scene to edit: a ball on a slab, each a part ---------------------------------------------------

SCENE_TEXT = """version: 1
camera: {{eye_m: [0.0, 0.35, 0.55], target_m: [0, -0.02, 0], vertical_fov_deg: 35}}
parts:
  ball: {{mesh: sphere.glb, material: {ball_material}, name: {{en: Ball, zh: 球}}}}
  floor: {{mesh: slab.glb, material: bone, visible: {floor_visible}}}
"""


def write_scene(path: Path, ball_material: str = "muscle", floor_visible: str = "true") -> None:
    """Write the whole file at once (as an editor's save does), with a new modification time."""
    temporary = path.with_suffix(".tmp")
    temporary.write_text(SCENE_TEXT.format(ball_material=ball_material, floor_visible=floor_visible))
    os.replace(temporary, path)


@pytest.fixture
def editable_scene(sphere_on_plane) -> Path:
    path = sphere_on_plane.parent / "lesson.yaml"
    write_scene(path)
    return path


# -- the tests --------------------------------------------------------------------------------------------


def test_window_shows_the_default_scene_as_the_offscreen_render(preview_factory, headless, tmp_path, output_dir):
    screenshot = tmp_path / "window.png"
    preview = preview_factory(str(SCENES / "brain.yaml"), "--size", f"{SIZE[0]}x{SIZE[1]}", "--frames", "2",
                              "--no-text", "--screenshot", str(screenshot))  # fmt: skip
    assert preview.process.wait(timeout=START_TIMEOUT_S) == 0, "\n".join(preview.lines)
    shown = read_png(screenshot)
    assert shown.shape == (SIZE[1], SIZE[0], 3)
    expected = offscreen(headless, SCENES / "brain.yaml")  # the scene's own camera, as the window starts
    difference = compare(shown, expected, output_dir, "default-scene")
    assert difference.mean() < 1.0 and np.percentile(difference, 99.5) <= 10, (difference.mean(), difference.max())
    covered = np.abs(shown.astype(int) - shown[0, 0].astype(int)).sum(axis=2) > 30
    assert 0.2 < covered.mean() < 0.9  # the head is there, framed


def test_keys_step_the_lesson_mouse_orbits_and_a_click_names_the_part(preview_factory, tmp_path, output_dir):
    screenshot = tmp_path / "lesson.png"
    preview = preview_factory(str(SCENES / "brain-lesson.yaml"), "--size", f"{SIZE[0]}x{SIZE[1]}",
                              "--screenshot", str(screenshot))  # fmt: skip
    preview.wait_for("showing")
    preview.find_window()
    preview.move(160, 120)  # Xvfb has no window manager: the keyboard follows the pointer
    preview.key("Right", "Right")
    preview.wait_for("step 3/6: Two hemispheres")
    time.sleep(1.5)  # the camera glides to the step's bookmark (transition_ms 800)
    preview.drag([(100, 200), (130, 200), (160, 200), (190, 200)])  # turn the brain
    preview.move(160, 110)
    preview.xdotool("click", "1")
    picked = preview.lines[preview.wait_for("picked ")]
    assert preview.close() == 0, "\n".join(preview.lines)
    assert "picked cortex_" in picked, picked
    above = np.array([0.07, 0.31, 0.17])  # step 3's bookmark
    eye, target = preview.camera()
    np.testing.assert_allclose(np.linalg.norm(eye - target), np.linalg.norm(above - [0.0, 0.02, -0.015]), rtol=1e-3)
    assert np.linalg.norm(eye - above) > 0.05, "dragging did not orbit the camera"
    image = read_png(screenshot)
    save_png(output_dir / "lesson-step-3-picked.png", image)
    label_plate = np.all(np.abs(image.astype(int) - [34, 36, 42]) < 24, axis=2)  # the dark plates of the text
    assert label_plate.mean() > 0.02


def test_saving_the_scene_file_updates_the_window(preview_factory, headless, editable_scene, tmp_path, output_dir):
    screenshot = tmp_path / "after.png"
    preview = preview_factory(str(editable_scene), "--size", f"{SIZE[0]}x{SIZE[1]}", "--no-text",
                              "--screenshot", str(screenshot))  # fmt: skip
    preview.wait_for("showing")
    preview.find_window()
    preview.drag([(160, 120), (170, 120), (180, 120)])  # a camera of the user's own, kept across the reload
    time.sleep(0.5)
    before_count = len(preview.lines)
    saved = time.monotonic()
    write_scene(editable_scene, ball_material="bone", floor_visible="false")
    preview.wait_for("reloaded", timeout_s=30, after=before_count)
    reload_s = time.monotonic() - saved
    time.sleep(1.0)
    preview.move(5, 5)
    assert preview.close() == 0, "\n".join(preview.lines)
    eye, target = preview.camera()
    shown = read_png(screenshot)
    camera = Camera(eye_m=tuple(eye), target_m=tuple(target), vertical_fov_deg=35)
    expected_new = offscreen(headless, editable_scene, camera)
    write_scene(editable_scene)
    expected_old = offscreen(headless, editable_scene, camera)
    new = compare(shown, expected_new, output_dir, "after-save")
    old = np.abs(shown.astype(int) - expected_old.astype(int))
    assert new.mean() < 1.5 and np.percentile(new, 99) <= 12, (new.mean(), new.max())
    assert old.mean() > 4 * max(new.mean(), 0.5)
    print(f"reload seen {reload_s:.2f} s after the save (llvmpipe, shared cores)")


def test_an_invalid_edit_keeps_the_last_good_scene_and_shows_the_problem(preview_factory, headless, editable_scene,
                                                                         tmp_path, output_dir):  # fmt: skip
    screenshot = tmp_path / "invalid.png"
    preview = preview_factory(str(editable_scene), "--size", f"{SIZE[0]}x{SIZE[1]}", "--no-text",
                              "--screenshot", str(screenshot))  # fmt: skip
    preview.wait_for("showing")
    preview.find_window()
    write_scene(editable_scene, ball_material="musle")
    problem = preview.lines[preview.wait_for("did you mean", timeout_s=30)]
    assert problem.startswith(f"{editable_scene}:4:") and "'muscle'" in problem, problem
    time.sleep(0.5)
    preview.move(5, 5)
    assert preview.close() == 0, "\n".join(preview.lines)
    shown = read_png(screenshot)
    write_scene(editable_scene)  # the last good version again, rendered offscreen for comparison
    last_good = offscreen(headless, editable_scene)
    difference = compare(shown, last_good, output_dir, "invalid-edit")
    changed = difference.sum(axis=2) > 40
    rows = np.flatnonzero(changed.any(axis=1))
    assert len(rows) and rows.max() < SIZE[1] * 0.75, "the message should be one panel in the upper part"
    below = difference[rows.max() + 1 :]
    assert below.mean() < 1.5  # the rest is the last good scene, still drawn
    panel = shown[changed]
    assert (panel[:, 0].astype(int) - panel[:, 1] > 25).mean() > 0.4  # a red message panel


def test_side_by_side_stereo_converges_on_the_target(preview_factory, tmp_path, output_dir):
    screenshot = tmp_path / "stereo.png"
    preview = preview_factory(str(SCENES / "brain.yaml"), "--size", f"{SIZE[0]}x{SIZE[1]}", "--frames", "1",
                              "--no-text", "--stereo", "side-by-side", "--screenshot", str(screenshot))  # fmt: skip
    assert preview.process.wait(timeout=START_TIMEOUT_S) == 0, "\n".join(preview.lines)
    shown = read_png(screenshot)
    save_png(output_dir / "side-by-side.png", shown)
    half = SIZE[0] // 2
    left, right = shown[:, :half].astype(int), shown[:, half : 2 * half].astype(int)
    masks = [np.abs(eye - eye[0, 0]).sum(axis=2) > 30 for eye in (left, right)]
    centroids = [np.argwhere(mask).mean(axis=0) for mask in masks]
    assert all(0.2 < mask.mean() < 0.9 for mask in masks)
    assert np.abs(centroids[0] - centroids[1]).max() < 3.0  # converged: the head sits at screen depth
    assert np.abs(left - right).mean() > 0.5  # but the eyes do see it from two places


def test_deformers_move_in_the_window_as_in_offscreen_renders(preview_factory, headless, tmp_path, output_dir):
    """The window poses the scene's deformers (here held at fixed times with --time) exactly as
    `prosector render --time` does, so a heartbeat or a breath shows in the window too."""
    scene = SCENES / "deformation-demo.yaml"
    shots = {}
    for t in ("0", "1.0"):
        shots[t] = tmp_path / f"t{t}.png"
        preview = preview_factory(str(scene), "--size", f"{SIZE[0]}x{SIZE[1]}", "--frames", "2", "--no-text",
                                  "--time", t, "--screenshot", str(shots[t]))
        assert preview.process.wait(timeout=START_TIMEOUT_S) == 0, "\n".join(preview.lines)
    rest, moved = read_png(shots["0"]), read_png(shots["1.0"])
    assert np.abs(rest.astype(int) - moved.astype(int)).max(axis=2).mean() > 0.5  # something visibly moved
    headless.load(load_scene(scene))
    headless.deform(1.0)
    expected = headless.render(*SIZE)
    difference = compare(moved, expected, output_dir, "deformed")
    assert difference.mean() < 1.5 and np.percentile(difference, 99.5) <= 16, (difference.mean(), difference.max())


def test_poke_mode_presses_soft_tissue_with_the_mouse(preview_factory, headless, tmp_path):
    """Key G, then a left drag that starts on the liver (a soft_tissue part) grabs and presses it;
    the view does not turn, and the tissue is released when the button is."""
    from renderer import maths

    scene = SCENES / "deformation-demo.yaml"
    headless.load(load_scene(scene))
    headless.render(*SIZE)
    front = np.array([-0.032, 1.118, 0.164])  # on the liver's front, where the scene's scripted finger presses
    ndc = maths.transform_points(headless.last_views[0].view_projection, front[None])[0]
    x, y = int((ndc[0] * 0.5 + 0.5) * SIZE[0]), int((0.5 - ndc[1] * 0.5) * SIZE[1])

    preview = preview_factory(str(scene), "--size", f"{SIZE[0]}x{SIZE[1]}")
    preview.wait_for("showing")
    preview.find_window()
    preview.move(x, y)  # Xvfb has no window manager: the keyboard follows the pointer
    preview.key("g")
    preview.wait_for("poke mode on")
    preview.drag([(x, y), (x, y - 6), (x, y - 12), (x, y - 18)])
    poked = preview.lines[preview.wait_for("poking ")]
    released = preview.lines[preview.wait_for("released ")]
    assert preview.close() == 0, "\n".join(preview.lines)
    assert "poking liver" in poked, poked
    pressed_mm = float(released.split("pressing it ")[1].split(" mm")[0])
    assert pressed_mm > 1.0, released
    eye, _target = preview.camera()
    np.testing.assert_allclose(eye, [0.08, 1.23, 1.32], atol=1e-6)  # the drag poked; it did not orbit
