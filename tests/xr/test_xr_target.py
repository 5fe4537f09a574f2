"""Prosector's own OpenXR target (`prosector xr`) against the real Monado runtime: the session
lifecycle over EGL and GLX with the core validation layer and no validation errors, both eyes'
images against offscreen renders of the same eye, stereo disparity, clean shutdown, and recovery
when monado-service is killed and restarted mid-session."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest
from monado import VALIDATION_LAYER
from PIL import Image
from prosector_xr import ASSET_ARGS, LIFECYCLE, REPO, TEST_SCENE, ProsectorXr, validation_errors

from renderer.xr.eye_dump import read_eye_view

FRAMES = 200


def xr_env(service, request, binding: str) -> dict[str, str]:
    display = request.getfixturevalue("xvfb").display if binding == "glx" else None
    return {**service.client_env(display=display), "XR_ENABLE_API_LAYERS": VALIDATION_LAYER}


@pytest.mark.parametrize("binding", ["egl", "glx"])
def test_session_lifecycle_with_validation(monado, request, tmp_path, binding):
    timing = tmp_path / "timing.json"
    app = ProsectorXr(tmp_path, xr_env(monado, request, binding), "--binding", binding, "--frames", str(FRAMES),
                      "--timing-file", str(timing), "--step", "2")  # fmt: skip
    assert app.wait(240) == 0, app.output()[-4000:]
    output = app.output()
    assert "Core Validation Layer is initialized" in output  # the layer really ran
    assert validation_errors(output) == []
    summary = app.summary()
    assert summary["states"] == LIFECYCLE
    assert summary["frames"] >= FRAMES and summary["step"] == 1
    connected = app.events("connected")[0]
    assert connected["binding"] == binding and connected["srgb"] and connected["eyes"] == [[320, 240], [320, 240]]
    assert "Simulated HMD" in connected["system"]
    recorded = json.loads(timing.read_text())
    assert recorded["summary"]["frames"] == summary["frames"]
    assert all(len(f["gpu_ms"]) == 2 and f["cpu_ms"] > 0 for f in recorded["frames"])
    assert f"{summary['frames']} frames: CPU" in output  # the report printed at exit
    assert "garbage-collected" not in output and "leak" not in output.lower()  # every GL object released


UNLABELLED_SCENE = REPO / "tests/data/xr/unlabelled.yaml"


def _reference(scene, eye_json, out, positions):
    subprocess.run([sys.executable, str(REPO / "tests/xr/render_reference.py"), str(scene), str(eye_json), str(out),
                    *ASSET_ARGS, "--positions", str(positions)],
                   cwd=REPO, check=True, env={**_clean_env(), "PYTHONPATH": str(REPO)})  # fmt: skip


def _clean_env():
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("XR_", "DISPLAY"))}


def _foreground(image: np.ndarray) -> np.ndarray:
    background = np.median(image[:4].reshape(-1, 3), axis=0)
    return np.abs(image.astype(int) - background).sum(axis=2) > 24


def _dump_eyes(monado, tmp_path, scene) -> tuple[list[np.ndarray], list[dict], list[np.ndarray]]:
    """Run the headset app on `scene`, read back frame 3, and check each eye against an offscreen
    render of the same eye. Returns per eye: the XR image (H, W, 3) uint8, its JSON, and the scene
    position per pixel from the reference (H, W, 4), w = 1 where an opaque part was hit."""
    dump = tmp_path / "dump"
    app = ProsectorXr(tmp_path, monado.client_env(), "--binding", "egl", "--frames", "6", "--dump-frame", "3",
                      "--dump-dir", str(dump), "--no-governor", scene=scene)  # fmt: skip
    assert app.wait(120) == 0, app.output()[-4000:]
    images, infos, positions = [], [], []
    for eye in (0, 1):
        xr_image = np.asarray(Image.open(dump / f"eye-{eye}.png"))
        reference_path, positions_path = tmp_path / f"reference-{eye}.png", tmp_path / f"positions-{eye}.npy"
        _reference(scene, dump / f"eye-{eye}.json", reference_path, positions_path)
        reference = np.asarray(Image.open(reference_path))
        difference = np.abs(xr_image.astype(int) - reference.astype(int))
        if difference.max() > 2 or not _foreground(xr_image).any():
            out = REPO / "test-output"
            out.mkdir(exist_ok=True)
            Image.fromarray(np.hstack([xr_image, reference, np.clip(difference * 8, 0, 255).astype(np.uint8)])).save(
                out / f"xr-eye-{eye}-vs-offscreen-{scene.stem}.png"
            )
        assert _foreground(xr_image).mean() > 0.02, "the eye image shows no scene"
        assert difference.max() <= 2 and difference.mean() < 0.05
        images.append(xr_image)
        infos.append(json.loads((dump / f"eye-{eye}.json").read_text()))
        positions.append(np.load(positions_path))
    return images, infos, positions


def test_eye_images_match_offscreen_renders(monado, tmp_path):
    """The lesson's first step, its label included (the right eye's follows the left eye's layout)."""
    images, _, _ = _dump_eyes(monado, tmp_path, TEST_SCENE)
    assert not np.array_equal(images[0], images[1])


def test_eyes_differ_by_the_disparity_of_their_poses(monado, tmp_path):
    """Stereo as a wearer fuses it. The eyes the runtime gave sit one interpupillary distance apart
    along the left eye's x axis, looking the same way; and the right eye's image is the left one's
    with each visible point moved by its own disparity, predicted from its scene position through
    both eyes' matrices. A near surface moves further than a far one, so no single shift (the model
    centre's, or none) explains the pair; the test finds the extra shift on top of the prediction
    that best aligns the images, and it must be none. Opaque parts and no labels: a label moves by
    its anchor's disparity, not by that of the surface it covers."""
    images, infos, positions = _dump_eyes(monado, tmp_path, UNLABELLED_SCENE)
    left, right = (read_eye_view(info) for info in infos)
    offset_m = left.view_matrix[:3, :3] @ (right.eye_m - left.eye_m)
    assert 0.055 < offset_m[0] < 0.075 and np.abs(offset_m[1:]).max() < 1e-3, offset_m  # Monado's sim: 63 mm
    assert np.allclose(left.view_matrix[:3, :3], right.view_matrix[:3, :3], atol=1e-6)
    rows, columns = np.nonzero(positions[0][:, :, 3] > 0)
    pixels, _ = right.project(positions[0][rows, columns, :3].astype(np.float64))
    predicted_x = pixels[:, 0] - 0.5  # as a column index
    disparity = columns - predicted_x
    assert np.median(disparity) > 10.0  # a near model: the left eye sees it further right
    assert np.ptp(disparity) > 3.0  # and deep enough that one shift for all would not do

    width = images[1].shape[1]

    def misalignment(x: np.ndarray) -> float:
        """Mean |colour difference| between the left eye's pixels and the right eye's image sampled
        (linearly along x) at `x`, (N,) pixel indices, one per left-eye pixel."""
        left = np.floor(x).astype(int)
        inside = (left >= 0) & (left + 1 < width)
        fraction = (x - left)[inside, None]
        r, c, left = rows[inside], columns[inside], left[inside]
        sampled = images[1][r, left] * (1.0 - fraction) + images[1][r, left + 1] * fraction
        return float(np.abs(sampled - images[0][r, c]).sum(axis=1).mean())

    extras = np.arange(-3.0, 3.01, 0.125)
    errors = np.array([misalignment(predicted_x + extra) for extra in extras])
    best = float(extras[np.argmin(errors)])
    at_2px = errors[np.isclose(np.abs(extras), 2.0)]
    one_shift = min(misalignment(columns - shift) for shift in np.median(disparity) + extras)
    figures = {"best_extra_px": best, "error": errors.min(), "error_at_2px": at_2px.tolist(),
               "best_single_shift_error": one_shift}  # fmt: skip
    checks = [abs(best) <= 0.5,
              errors.min() * 2 < at_2px.min(),  # a clear minimum, 2 px either side
              one_shift > errors.min() * 1.5]  # depth shows: per-point disparity, not one shift  # fmt: skip
    if not all(checks):
        out = REPO / "test-output"
        out.mkdir(exist_ok=True)
        Image.fromarray(np.hstack(images)).save(out / "xr-eyes-disparity.png")
    assert all(checks), (checks, figures)


def test_recovers_when_the_runtime_is_killed_and_restarted(monado, tmp_path):
    app = ProsectorXr(tmp_path, monado.client_env(), "--binding", "egl", "--step", "3", "--reconnect", "60")
    app.wait_state("FOCUSED")
    app.wait_frames(10)
    monado.kill()
    app.wait_for(lambda ev: any(e["event"] in ("lost", "retry") for e in ev), 30, "the loss")
    time.sleep(1.0)
    monado.start()
    app.wait_state("FOCUSED", count=2, timeout_s=60)
    frames_before = app.events("state")[-1]["frame"]
    app.wait_frames(frames_before + 10)
    assert app.stop() == 0, app.output()[-4000:]
    summary = app.summary()
    assert summary["recoveries"] >= 1 and summary["step"] == 2  # the lesson step survived
    assert len(app.events("connected")) == 2
    assert summary["states"][-5:] == ["VISIBLE", "SYNCHRONIZED", "STOPPING", "IDLE", "EXITING"]
    assert "Traceback" not in app.output()


def test_no_runtime_gives_a_clear_message(monado, tmp_path):
    monado.stop()
    app = ProsectorXr(tmp_path, monado.client_env(), "--binding", "egl")
    assert app.wait(60) == 1
    output = app.output()
    assert "Traceback" not in output and "internal error" not in output
    assert "prosector: error: the OpenXR runtime is not running" in output
    assert "runtime is Monado (/usr/share/openxr/1/openxr_monado.json, from XR_RUNTIME_JSON)" in output
    assert "To fix it" in output
