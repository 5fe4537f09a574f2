"""Baking lessons into files (issue 19): content-keyed jobs, re-runs that do nothing, edits that
re-bake only what changed, labels composited per language, retries, and a real local Ray cluster
of two workers. Sizes are tiny; the real Mesa driver renders every picture."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pytest
from PIL import Image

from renderer.bake.driver import bake
from renderer.scene.load import load_scene
from tests.conftest import SCENES

SIZE = (96, 72)


@pytest.fixture(scope="module")
def baked(tmp_path_factory):
    out = tmp_path_factory.mktemp("bake")
    report = bake([SCENES / "brain-lesson.yaml"], out, ["en", "zh"], SIZE, workers=0, video=False)
    return out, report


@pytest.mark.gl
def test_every_step_in_every_language_with_a_manifest(baked):
    out, report = baked
    assert report.failed == [] and report.rendered == report.planned == 6
    manifest = json.loads((out / "manifest.json").read_text())
    lesson = manifest["lessons"]["brain-lesson"]
    assert set(lesson["languages"]) == {"en", "zh"}
    for entry in lesson["languages"].values():
        assert [s["step"] for s in entry["steps"]] == [1, 2, 3, 4, 5, 6]
        for step in entry["steps"]:
            picture = np.asarray(Image.open(out / step["png"]))
            plain = np.asarray(Image.open(out / step["view"]))
            assert plain.shape == (SIZE[1], SIZE[0], 3)
            assert picture.shape[1] > plain.shape[1], "the caption column is beside the picture"
        pdf = (out / entry["handout"]).read_bytes()
        assert pdf.startswith(b"%PDF")
        assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 6, "one page per step"


@pytest.mark.gl
def test_a_rerun_does_nothing(baked):
    out, first = baked
    again = bake([SCENES / "brain-lesson.yaml"], out, ["en", "zh"], SIZE, workers=0, video=False)
    assert again.rendered == 0 and again.skipped == first.planned and again.handouts == 0


@pytest.mark.gl
def test_an_edit_rebakes_only_the_step_it_changed(baked, tmp_path):
    out, _ = baked
    lesson = tmp_path / "brain-lesson.yaml"
    for name in ("brain-lesson.yaml", "brain.yaml", "schema.json"):
        shutil.copy(SCENES / name, tmp_path / name)
    copy = out.parent / (out.name + "-copy")
    shutil.copytree(out, copy)
    first = bake([lesson], copy, ["en", "zh"], SIZE, workers=0, video=False)
    assert first.rendered == 0, "the same content in another folder is the same job"
    text = lesson.read_text(encoding="utf-8")
    assert "Two hemispheres" in text
    lesson.write_text(text.replace("Two hemispheres", "Two halves", 1), encoding="utf-8")
    edited = bake([lesson], copy, ["en", "zh"], SIZE, workers=0, video=False)
    assert edited.rendered == 1 and edited.handouts == 2


@pytest.mark.gl
def test_labels_composited_per_language_match_a_direct_render(baked, headless):
    """Geometry rendered once, labels per language: the same pixels as rendering each language."""
    out, _ = baked
    from renderer.scene.step_state import scene_state

    loaded = load_scene(SCENES / "brain-lesson.yaml")
    headless.load(loaded)
    manifest = json.loads((out / "manifest.json").read_text())
    for lang in ("en", "zh"):
        state = scene_state(loaded, 2, lang)
        headless.scene.apply(state)
        direct = headless.render(*SIZE, state.camera or headless.camera(SIZE[0] / SIZE[1]))
        step = manifest["lessons"]["brain-lesson"]["languages"][lang]["steps"][2]
        composed = np.asarray(Image.open(out / step["view"]))
        assert np.abs(direct.astype(int) - composed.astype(int)).mean() < 0.5, lang
    en, zh = (np.asarray(Image.open(out / manifest["lessons"]["brain-lesson"]["languages"][lang]["steps"][2]["view"]))
              for lang in ("en", "zh"))  # fmt: skip
    assert np.abs(en.astype(int) - zh.astype(int)).max() > 0, "the label texts differ between languages"


@pytest.mark.gl
def test_failures_are_retried_and_reported_without_losing_the_rest(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nparts:\n  a: {mesh: missing.glb}\n")
    report = bake([broken, SCENES / "brain.yaml"], tmp_path / "out", None, SIZE, workers=0, video=False,
                  fail_first=1)  # fmt: skip
    assert report.retried == 1 and report.rendered == 1
    assert len(report.failed) == 1 and "broken.yaml" in report.failed[0]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert "brain" in manifest["lessons"] and manifest["failed"]


@pytest.mark.gl
@pytest.mark.slow
def test_on_a_local_ray_cluster_of_two_workers_with_videos(tmp_path):
    pytest.importorskip("ray", reason="the cluster extra (Ray) is not installed")
    av = pytest.importorskip("av", reason="the cluster extra (PyAV) is not installed")
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    for name in ("brain-lesson.yaml", "brain.yaml", "schema.json"):
        shutil.copy(SCENES / name, scenes / name)
    report = bake([scenes / "brain-lesson.yaml", SCENES / "hiv-protease-lesson.yaml"], tmp_path / "out", ["en"],
                  (64, 48), workers=2)  # fmt: skip
    assert report.failed == [], report.failed
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    steps = manifest["lessons"]["brain-lesson"]["languages"]["en"]["steps"]
    videos = [s["mp4"] for s in steps if "mp4" in s]
    assert videos, "steps with a camera transition get a video"
    with av.open(io.BytesIO((tmp_path / "out" / videos[0]).read_bytes())) as container:
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
        assert container.streams.video[0].codec_context.name in ("h264", "libx264")
    assert len(frames) >= 10 and frames[0].shape == (48, 64, 3)
    assert np.abs(frames[0].astype(int) - frames[-1].astype(int)).mean() > 1, "the camera moves"
