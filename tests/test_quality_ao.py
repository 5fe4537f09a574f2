"""Ray-traced AO and key-light visibility against Mitsuba 3 references, CI-sized (96x96).

Goal of the shading issue: AO mean absolute error <= 0.03 and FLIP <= 0.08 for the ray-traced tier.
The key-light visibility view is held to the same bounds. On failure, side-by-side images
(reference | Prosector | 4x error | FLIP) are written to test-output/.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("mitsuba", reason="quality tests need the 'quality' extra: pip install mitsuba")
pytest.importorskip("flip_evaluator", reason="quality tests need flip-evaluator")
pytest.importorskip("skimage", reason="quality tests need scikit-image")

from renderer.quality.evaluate import evaluate_scene  # noqa: E402
from renderer.quality.scenes import quality_scenes  # noqa: E402

pytestmark = [pytest.mark.gl, pytest.mark.slow]
MAX_MAE, MAX_FLIP = 0.03, 0.08


@pytest.mark.parametrize("name", ["sphere_on_plane", "brain", "bone"])
def test_raytraced_ao_and_shadow_match_mitsuba(headless, name, tmp_path, output_dir: Path):
    scene = quality_scenes(tmp_path)[name]
    result = evaluate_scene(headless, name, scene, 96, 96, tmp_path, reference_spp=256, samples=64,
                            shadow_samples=4, images=None)  # fmt: skip
    failures = [f"{key}: {c.row()}" for key, c in result.scores.items()
                if key.endswith("raytraced") and (c.mae > MAX_MAE or c.flip > MAX_FLIP)]  # fmt: skip
    if failures:
        evaluate_scene(headless, name, scene, 96, 96, tmp_path, reference_spp=256, samples=64, shadow_samples=4,
                       images=output_dir)  # fmt: skip
    assert not failures, "\n".join(failures) + f"\nimages: {output_dir}"
    # The cheap tier is measured too; it must at least resemble the reference.
    assert result.scores["ao/ssao"].ssim > 0.5
