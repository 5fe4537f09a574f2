"""Translucent parts in the ray-traced tier: occlusion rays keep (1 - opacity) per surface crossed.

Measured on the floor under a 30 cm square (one surface) or a flat closed box (two surfaces) 20 cm
up, against the same occluder made opaque: the shadow is (1 - a) or (1 - a)^2, and the occluded
part of the AO shrinks by the same factor.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from renderer.scene.load import load_scene
from renderer.scene.step_state import scene_state
from tests.mask_scenes import write_floor, write_plane, write_scene

pytestmark = pytest.mark.gl
SIZE = 64
OPACITY = 0.4
TAIL = ("camera: {eye_m: [0.7, 0.09, 0.0], target_m: [0, 0, 0], vertical_fov_deg: 40}\n"
        "lights: {key: {direction: [0, 1, 0], angular_diameter_deg: 0.5}}\n")  # fmt: skip


def _occluder_scene(folder, mesh: str, opacity: float):
    scene = write_scene(folder, {"occluder": (mesh, "skin", opacity), "floor": ("floor.glb", "plastic")}, tail=TAIL)
    return load_scene(scene)


def _floor_centre(headless, values) -> float:
    clip = headless.last_views[0].view_projection @ np.array([0.0, 0.0, 0.0, 1.0])
    ndc = clip[:2] / clip[3]
    y, x = int((1 - (ndc[1] * 0.5 + 0.5)) * SIZE), int((ndc[0] * 0.5 + 0.5) * SIZE)
    return float(values[y - 1:y + 2, x - 1:x + 2].mean())


def _options(headless, view: str):
    return headless.options(view_mode=view, ao_tier="raytraced", ao_radius_m=math.inf, ao_rays_per_pixel=4,
                            shadow_rays_per_pixel=4, rt_still_frames=16, rt_denoise_iterations=2)  # fmt: skip


def _measure(headless, loaded) -> tuple[float, float]:
    """(key-light visibility, AO) on the floor under the occluder."""
    headless.load(loaded)
    out = []
    for view in ("shadow", "ao"):
        headless.render(SIZE, SIZE, None, _options(headless, view))
        out.append(_floor_centre(headless, headless.read_shadow() if view == "shadow" else headless.read_ao()))
    return out[0], out[1]


@pytest.mark.parametrize("shape, crossings", [("square", 1), ("box", 2)])
def test_translucent_occluder_passes_its_transmittance(headless, tmp_path, shape, crossings):
    import trimesh

    write_floor(tmp_path / "floor.glb")
    if shape == "square":
        write_plane(tmp_path / "occluder.glb")
    else:
        trimesh.creation.box(extents=(0.3, 0.04, 0.3), transform=trimesh.transformations.translation_matrix(
            (0, 0.2, 0))).export(tmp_path / "occluder.glb")  # fmt: skip
    passed = (1 - OPACITY) ** crossings
    opaque_shadow, opaque_ao = _measure(headless, _occluder_scene(tmp_path, "occluder.glb", 1.0))
    shadow, ao = _measure(headless, _occluder_scene(tmp_path, "occluder.glb", OPACITY))
    assert opaque_shadow < 0.02
    assert shadow == pytest.approx(passed, abs=0.03)
    # Every ray the opaque occluder blocks crosses the translucent one `crossings` times.
    assert 1 - ao == pytest.approx((1 - opaque_ao) * (1 - passed), abs=0.03), (ao, opaque_ao)
    assert 1 - opaque_ao > 0.3  # the occluder covers a good part of the sky: the check means something


def test_fading_a_part_in_a_step_rebuilds_nothing_and_restarts_the_history(headless, tmp_path):
    write_floor(tmp_path / "floor.glb")
    write_plane(tmp_path / "occluder.glb")
    loaded = _occluder_scene(tmp_path, "occluder.glb", 1.0)
    first = _measure(headless, loaded)[0]
    rays = headless.renderer.raytraced.rays
    builds, version = rays.builds, rays.table_version
    state = scene_state(loaded)
    state.opacity["occluder"] = 0.25  # as a lesson step fading the part would
    headless.scene.apply(state)
    headless.render(SIZE, SIZE, None, _options(headless, "shadow"))
    faded = _floor_centre(headless, headless.read_shadow())
    assert rays.builds == builds and rays.table_version == version + 1
    assert first < 0.02 and faded == pytest.approx(0.75, abs=0.03)


def test_translucent_skin_dims_the_brain_by_its_transmittance(headless):
    """scenes/brain.yaml: the 22 % skin dims the key light on the cortex by about a fifth -- it does not
    black it out -- and the cortex's own self-shadowing stays where it was."""
    from tests.conftest import SCENES

    loaded = load_scene(SCENES / "brain.yaml")
    headless.load(loaded)
    skin = loaded.scene.parts["head_skin"].opacity
    options = headless.options(view_mode="shadow", ao_tier="raytraced", shadow_rays_per_pixel=4, rt_still_frames=8)
    headless.render(96, 96, None, options)
    with_skin = headless.read_shadow()
    state = scene_state(loaded)
    state.visible["head_skin"] = False
    headless.scene.apply(state)
    headless.render(96, 96, None, options)
    without_skin = headless.read_shadow()
    lit = without_skin > 0.9  # cortex in full light without the skin (the background reads 1 in both)
    from renderer.gl import commands

    # Pixels with geometry in the G-buffer: the cortex (translucent skin is not in it).
    brain = commands.read_float(headless.last_results[0].buffers.normal_depth)[:, :, 3] > 0
    ratio = with_skin[lit & brain] / without_skin[lit & brain]
    assert lit[brain].mean() > 0.5
    assert np.median(ratio) == pytest.approx(1 - skin, abs=0.03)
    assert (ratio > 0.5).mean() > 0.95  # nowhere blacked out
