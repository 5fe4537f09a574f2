"""The shading options of `prosector render`: --view ao|shadow, --ao-tier, --ao-radius, --ao-samples."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from tests.test_cli import prosector

pytestmark = pytest.mark.gl


def test_shadow_and_ao_views_write_linear_grey(tmp_path, sphere_on_plane):
    for view in ("ao", "shadow"):
        out = tmp_path / f"{view}.png"
        run = prosector("render", sphere_on_plane, "-o", out, "--size", "48x48", "--view", view,
                        "--ao-tier", "raytraced", "--ao-samples", "8")  # fmt: skip
        assert run.returncode == 0, run.stderr
        image = np.asarray(Image.open(out)).astype(int)
        assert (image[:, :, 0] == image[:, :, 1]).all() and (image[:, :, 1] == image[:, :, 2]).all()
        assert image[0, 0, 0] == 255  # open sky / lit: exactly 1, no tone mapping
        assert image.min() < 128  # the contact (ao) or the cast shadow (shadow) is dark


def test_bounded_radius_opens_up_the_occlusion(tmp_path, sphere_on_plane):
    means = []
    for radius in ("unbounded", "0.005"):
        out = tmp_path / f"ao-{radius}.png"
        run = prosector("render", sphere_on_plane, "-o", out, "--size", "48x48", "--view", "ao",
                        "--ao-tier", "raytraced", "--ao-samples", "8", "--ao-radius", radius)  # fmt: skip
        assert run.returncode == 0, run.stderr
        means.append(np.asarray(Image.open(out)).astype(float).mean())
    assert means[1] > means[0] + 2  # 5 mm of reach finds less occlusion than the whole scene


@pytest.mark.parametrize("args, message", [
    (["--ao-radius", "-1"], "positive number of metres"),
    (["--ao-radius", "far"], "not metres or 'unbounded'"),
    (["--ao-samples", "0"], "between 1 and 4096"),
    (["--ao-tier", "magic"], "invalid choice"),
])  # fmt: skip
def test_bad_shading_arguments_are_explained(tmp_path, sphere_on_plane, args, message):
    run = prosector("render", sphere_on_plane, "-o", tmp_path / "x.png", *args)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr
