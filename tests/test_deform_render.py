"""Deformation seen on screen: the demo scene renders at a time, and differs from rest where (and only
where) its deformers act. Real Mesa GL; images and diffs go to test-output/."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import SCENES, save_png

from renderer.scene.load import load_scene

pytestmark = pytest.mark.gl
DEMO = SCENES / "deformation-demo.yaml"
SIZE = (480, 360)


def _render(headless, t: float | None) -> np.ndarray:
    headless.load(load_scene(DEMO))
    if t is not None:
        headless.deform(t)
    return headless.render(*SIZE).astype(np.int16)


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a - b).max(axis=2) > 24


def test_deformed_frame_differs_from_rest_where_deformers_act(headless, output_dir):
    rest = _render(headless, None)
    at_zero = _render(headless, 0.0)
    posed = _render(headless, 1.0)
    changed = _changed(rest, posed)
    save_png(output_dir / "rest.png", rest.astype(np.uint8))
    save_png(output_dir / "t1.png", posed.astype(np.uint8))
    save_png(output_dir / "changed.png", (changed * 255).astype(np.uint8))
    width = SIZE[0]
    # the right arm on the left of the picture, the thorax in the middle, the brain on the right
    arm, thorax, brain = changed[:, : width // 3], changed[:, width // 3 : 2 * width // 3], changed[:, 2 * width // 3 :]
    assert np.abs(rest - at_zero).max() <= 2, "t = 0 must be the rest shape"
    assert brain.mean() > 0.01, "the hemispheres should have moved apart"
    assert thorax.mean() > 0.005, "heart, lungs, diaphragm and liver should have moved"
    assert arm.mean() > 0.01, "the forearm should have flexed"
    assert not changed[: SIZE[1] // 8].any(), "the empty sky above the scene must not change"


def test_poked_liver_dents_then_recovers(headless, output_dir):
    rest = _render(headless, None)
    headless.deform(1.0)
    posed = headless.render(*SIZE).astype(np.int16)
    # re-render at a time when the poke is over and the tissue has recovered, the rest unchanged
    headless.deform(3.9)
    later = headless.render(*SIZE).astype(np.int16)
    save_png(output_dir / "t3_9.png", later.astype(np.uint8))
    assert _changed(rest, posed).any()
    driver = headless.deformation
    liver = driver.parts["liver"]
    offset = np.abs(np.asarray(liver.positions(3.9)) - np.asarray(liver.rest)).max()
    assert offset < 5e-4, f"the liver should have recovered by 3.9 s (still {offset * 1e3:.2f} mm off)"


def test_render_command_takes_a_time(tmp_path, capsys):
    from renderer.cli import main

    out = tmp_path / "frame.png"
    assert main(["render", str(DEMO), "-o", str(out), "--size", "160x120", "--time", "0.35"]) == 0
    assert out.stat().st_size > 0
    assert "posed 10 deformable part(s) at t = 0.35 s" in capsys.readouterr().out


def test_render_command_rejects_a_bad_time(capsys):
    from renderer.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["render", str(DEMO), "-o", "x.png", "--time", "soon"])
    assert exit_info.value.code == 2
    assert "not a number of seconds" in capsys.readouterr().err


def test_bench_deform_json_reports_every_deformer(capsys):
    from renderer.cli import main

    assert main(["bench", "deform", "--json", "--vertices", "2000", "--frames", "2", "--no-warp"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["deformers"]) >= {"heartbeat", "breathing", "muscle_contraction", "skinning_linear",
                                        "skinning_dual_quaternion", "exploded_view", "soft_tissue"}  # fmt: skip
    for rows in report["deformers"].values():
        assert rows["numpy"]["vertices_per_s"] > 0 and rows["numpy"]["handoff_ms"] >= 0
