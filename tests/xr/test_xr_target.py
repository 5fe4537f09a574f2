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


def _reference(eye_json, out):
    subprocess.run([sys.executable, str(REPO / "tests/xr/render_reference.py"), str(TEST_SCENE), str(eye_json),
                    str(out), *ASSET_ARGS], cwd=REPO, check=True, env={**_clean_env(), "PYTHONPATH": str(REPO)})


def _clean_env():
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("XR_", "DISPLAY"))}


def _foreground(image: np.ndarray) -> np.ndarray:
    background = np.median(image[:4].reshape(-1, 3), axis=0)
    return np.abs(image.astype(int) - background).sum(axis=2) > 24


def test_eye_images_match_offscreen_renders_and_differ_by_disparity(monado, tmp_path):
    dump = tmp_path / "dump"
    app = ProsectorXr(tmp_path, monado.client_env(), "--binding", "egl", "--frames", "6", "--dump-frame", "3",
                      "--dump-dir", str(dump), "--no-governor")  # fmt: skip
    assert app.wait(120) == 0, app.output()[-4000:]
    images, projected = [], []
    for eye in (0, 1):
        xr_image = np.asarray(Image.open(dump / f"eye-{eye}.png"))
        reference_path = tmp_path / f"reference-{eye}.png"
        _reference(dump / f"eye-{eye}.json", reference_path)
        reference = np.asarray(Image.open(reference_path))
        difference = np.abs(xr_image.astype(int) - reference.astype(int))
        if difference.max() > 2 or not _foreground(xr_image).any():
            out = REPO / "test-output"
            out.mkdir(exist_ok=True)
            Image.fromarray(np.hstack([xr_image, reference, np.clip(difference * 8, 0, 255).astype(np.uint8)])).save(
                out / f"xr-eye-{eye}-vs-offscreen.png")
        assert _foreground(xr_image).mean() > 0.02, "the eye image shows no scene"
        assert difference.max() <= 2 and difference.mean() < 0.05
        images.append(xr_image)
        info = json.loads((dump / f"eye-{eye}.json").read_text())
        # where the model's centre lands in this eye, pixels from the left
        centre = np.linalg.inv(np.array(info["placement"])) @ np.array([0.0, 0.0, 0.0, 1.0])
        scene_centre = np.array(info["placement"])[:3, 3]  # XR position of the scene origin
        del centre, scene_centre
        projected.append(info)
    # Disparity: the horizontal shift between the eyes' images, measured by the foreground's
    # centroid, equals the one predicted by projecting the foreground's 3D points through both eyes.
    measured = [np.nonzero(_foreground(img))[1].mean() for img in images]
    assert not np.array_equal(images[0], images[1])
    predicted = [_project_centroid(info) for info in projected]
    shift_measured, shift_predicted = measured[0] - measured[1], predicted[0] - predicted[1]
    assert shift_predicted > 1.0  # the left eye sees a near object further right than the right eye does
    assert abs(shift_measured - shift_predicted) < 1.5, (shift_measured, shift_predicted)


def _project_centroid(info: dict) -> float:
    """x pixel of the scene's bounding-box centre in this eye (the model is placed around it)."""
    from renderer.scene.load import load_scene  # no GL

    loaded = load_scene(TEST_SCENE, asset_roots=[REPO / "scenes", REPO / "assets"])
    from renderer.scene.step_state import scene_state

    state = scene_state(loaded, info["step"], info["language"])
    boxes = [loaded.meshes[p].bounds for p, v in state.visible.items() if v]
    centre = np.array([np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)]).mean(axis=0)
    clip = np.array(info["projection"]) @ np.array(info["view_matrix"]) @ np.append(centre, 1.0)
    width = info["viewport"][2]
    return (clip[0] / clip[3] * 0.5 + 0.5) * width


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
