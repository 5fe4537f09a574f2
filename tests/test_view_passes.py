"""Only the passes a view shows run (RenderOptions.for_output), and skipping the others changes no
pixel of that view: each data view is rendered with every pass and with the pruned set."""

from __future__ import annotations

import numpy as np
import pytest

from renderer.passes.options import RenderOptions
from renderer.scene.load import load_scene
from tests.conftest import SCENES

SIZE = (96, 72)


@pytest.fixture(scope="module")
def brain():
    return load_scene(SCENES / "brain.yaml")


@pytest.mark.parametrize(("view", "tier"), [("depth", "ssao"), ("normal", "ssao"), ("albedo", "ssao"),
                                            ("shadow", "ssao"), ("depth", "raytraced")])  # fmt: skip
def test_pruned_passes_give_the_same_pixels(headless, brain, monkeypatch, view, tier):
    headless.load(brain)
    options = headless.options(view_mode=view, ao_tier=tier, ambient_occlusion=True)
    assert options.for_output() != options  # something is skipped
    pruned = headless.render(*SIZE, options=options)
    monkeypatch.setattr(RenderOptions, "for_output", lambda self: self)
    every_pass = headless.render(*SIZE, options=options)
    np.testing.assert_array_equal(pruned, every_pass)
    if view != "shadow":  # the screen-space tier casts no shadows: its shadow view is plain white
        assert pruned.reshape(-1, 3).std(axis=0).max() > 3  # the brain is in the picture


def test_colour_view_keeps_every_pass():
    options = RenderOptions()
    assert options.for_output() is options
    assert RenderOptions(view_mode="ao").for_output().ambient_occlusion  # the AO view shows it


def test_depth_view_times_no_lighting_passes(headless, brain):
    from renderer.passes.timing import PassTimer

    headless.load(brain)
    headless.renderer.timer = PassTimer(headless.context.resources)
    try:
        headless.render(*SIZE, options=headless.options(view_mode="depth"))
        depth_passes = set(headless.last_results[0].timings_ms)
        assert "subsurface" not in depth_passes and "thickness" not in depth_passes
        headless.render(*SIZE, options=headless.options(view_mode="color"))
        assert "subsurface" in headless.last_results[0].timings_ms
    finally:
        headless.renderer.timer.release()
        headless.renderer.timer = None
