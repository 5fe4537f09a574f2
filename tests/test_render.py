"""Rendering on the real Mesa driver: coverage, lighting, AO, stereo disparity, leaks, references."""

from __future__ import annotations

import math

import numpy as np
import pytest

from renderer import maths
from renderer.scene.load import load_scene
from renderer.scene.model import Camera
from tests.conftest import ASSETS, SCENES, save_png
from tests.helpers import compare_with_reference, foreground_mask, mask_bbox, srgb_to_linear


def background_srgb(headless) -> tuple[int, int, int]:
    from renderer.scene.colors import linear_to_srgb

    return tuple(np.round(linear_to_srgb(headless.options().background) * 255).astype(int))


def test_default_scene_covers_its_projected_bounds(headless, output_dir):
    headless.load(load_scene(SCENES / "brain.yaml"))
    image = headless.render(320, 240)
    save_png(output_dir / "brain.png", image)
    view = headless.last_views[0]
    points = np.concatenate(
        [
            maths.transform_points(part.model_matrix, part.mesh.source.positions.astype(np.float64))
            for part in headless.scene.visible_parts()
        ]
    )
    ndc = maths.transform_points(view.view_projection, points)
    px = (ndc[:, 0] * 0.5 + 0.5) * 320
    py = (0.5 - ndc[:, 1] * 0.5) * 240
    predicted = (max(px.min(), 0), max(py.min(), 0), min(px.max(), 319), min(py.max(), 239))  # image edges clip
    actual = mask_bbox(foreground_mask(image, background_srgb(headless)))
    for got, want in zip(actual, predicted, strict=True):
        assert abs(got - want) <= 2.5, f"rendered box {actual} vs projected {predicted}"
    assert foreground_mask(image, background_srgb(headless)).mean() > 0.2


def test_default_scene_matches_reference(headless, output_dir):
    headless.load(load_scene(SCENES / "brain.yaml"))
    compare_with_reference("brain-320x240.png", headless.render(320, 240), output_dir)


def _sphere_scene(tmp_path, light_direction, environment=0.0):
    import trimesh

    trimesh.creation.icosphere(subdivisions=5, radius=0.1).export(tmp_path / "ball.glb")
    (tmp_path / "s.yaml").write_text(
        "version: 1\n"
        "camera: {eye_m: [0, 0, 0.5], target_m: [0, 0, 0], vertical_fov_deg: 30}\n"
        f"lights: {{environment: {{intensity: {environment}}}, "
        f"key: {{direction: {[float(v) for v in light_direction]}, "
        "intensity: 1.0}}\n"
        "render: {ambient_occlusion: 'off', background: '#000000'}\n"
        "parts:\n  ball: {mesh: ball.glb, material: {base_color: '#b0b0b0', roughness: 1.0}}\n"
    )
    return load_scene(tmp_path / "s.yaml")


def test_shading_follows_the_key_light(headless, tmp_path, output_dir):
    direction = maths.normalize(np.array([0.6, 0.3, 0.74]))
    headless.load(_sphere_scene(tmp_path, direction))
    color = srgb_to_linear(headless.render(200, 200)).mean(axis=2)
    normals = headless.render(200, 200, options=headless.options(view_mode="normal")).astype(np.float64) / 255 * 2 - 1
    mask = np.linalg.norm(normals, axis=2) > 0.9
    n_dot_l = np.clip(normals @ direction, 0, None)
    correlation = np.corrcoef(color[mask], n_dot_l[mask])[0, 1]
    save_png(output_dir / "lit.png", (np.clip(color, 0, 1) * 255).astype(np.uint8))
    assert correlation > 0.97, correlation
    right_half, left_half = color[:, 100:][mask[:, 100:]].mean(), color[:, :100][mask[:, :100]].mean()
    assert right_half > 2 * left_half  # the light is on the right (+X)
    headless.load(_sphere_scene(tmp_path, direction * np.array([-1, 1, 1])))
    mirrored = srgb_to_linear(headless.render(200, 200)).mean(axis=2)
    assert mirrored[:, :100][mask[:, :100]].mean() > 2 * mirrored[:, 100:][mask[:, 100:]].mean()


def test_ao_is_darker_in_sulci_than_on_gyri(headless, tmp_path, output_dir):
    pial = ASSETS / "brain" / "pial_left.glb"
    (tmp_path / "s.yaml").write_text(
        "version: 1\n"
        "camera: {eye_m: [0.45, 0.01, -0.02], target_m: [0.035, 0.01, -0.02], vertical_fov_deg: 30}\n"
        "render: {ao_radius_m: 0.012}\n"
        f"parts:\n  cortex: {{mesh: '{pial}', material: brain_grey_matter}}\n"
    )
    headless.load(load_scene(tmp_path / "s.yaml"))
    headless.render(400, 400, options=headless.options(view_mode="ao"))
    ao = headless.read_ao()
    depth_image = headless.render(400, 400, options=headless.options(view_mode="depth")).astype(np.float64) / 255
    view = headless.last_views[0]
    sulc = np.load(ASSETS / "brain" / "fsaverage5_sulc.npz")["left"]
    positions = headless.scene.parts["cortex"].mesh.source.positions.astype(np.float64)
    ndc = maths.transform_points(view.view_projection, positions)
    x = np.clip(((ndc[:, 0] * 0.5 + 0.5) * 400).astype(int), 0, 399)
    y = np.clip(((0.5 - ndc[:, 1] * 0.5) * 400).astype(int), 0, 399)
    view_depth = -maths.transform_points(view.view_matrix, positions)[:, 2]
    linear = (view_depth - view.near_m) / (view.far_m - view.near_m)
    visible = np.abs(depth_image[y, x, 0] - linear) < 0.01  # the vertex is the surface seen at its pixel
    sulcal = visible & (sulc > 0.5)
    gyral = visible & (sulc < -0.5)
    save_png(output_dir / "ao.png", (ao * 255).astype(np.uint8))
    assert sulcal.sum() > 200 and gyral.sum() > 200
    assert ao[y[sulcal], x[sulcal]].mean() < ao[y[gyral], x[gyral]].mean() - 0.1


def test_stereo_views_differ_by_the_predicted_disparity(headless, tmp_path, output_dir):
    import trimesh

    trimesh.creation.icosphere(subdivisions=3, radius=0.02).export(tmp_path / "ball.glb")
    (tmp_path / "s.yaml").write_text(
        "version: 1\nrender: {background: '#000000'}\n"
        "parts:\n  ball: {mesh: ball.glb, material: bone, transform: {translation_m: [0, 0, -0.3]}}\n"
        "  far: {mesh: ball.glb, material: bone, transform: {translation_m: [0, 0.25, -1.5]}}\n"
    )
    headless.load(load_scene(tmp_path / "s.yaml"))
    camera = Camera(eye_m=(0, 0, 0), target_m=(0, 0, -1), vertical_fov_deg=40)
    ipd, width, height = 0.064, 320, 240
    # The albedo view is flat-coloured, so each silhouette is found exactly whatever the lighting.
    image = headless.render(width, height, camera, headless.options(view_mode="albedo"), stereo=True, ipd_m=ipd)
    save_png(output_dir / "stereo.png", image)
    focal_px = (height / 2) / math.tan(math.radians(40) / 2)
    for depth, rows in ((0.3, slice(90, None)), (1.5, slice(0, 85))):  # near ball mid-height, far ball above
        centroids = []
        for eye in (0, 1):
            half = image[:, eye * width : (eye + 1) * width].max(axis=2) > 20
            region = np.zeros_like(half)
            region[rows] = half[rows]
            ys, xs = np.nonzero(region)
            centroids.append(xs.mean())
        measured = centroids[0] - centroids[1]  # a near object sits further right in the left eye
        predicted = ipd * focal_px / depth
        assert abs(measured - predicted) < 0.6, (depth, measured, predicted)


def test_rendering_fifty_times_leaks_no_gl_objects(headless):
    headless.load(load_scene(SCENES / "brain.yaml"))
    headless.render(64, 48)
    registry = headless.context.resources
    before, leaked_before = registry.live_counts(), sum(registry.leaked.values())
    for _ in range(50):
        headless.render(64, 48)
    assert registry.live_counts() == before
    assert sum(registry.leaked.values()) == leaked_before


@pytest.mark.parametrize("view", ["normal", "depth", "albedo", "ao"])
def test_debug_views_render(headless, view, output_dir):
    headless.load(load_scene(SCENES / "brain.yaml"))
    image = headless.render(160, 120, options=headless.options(view_mode=view))
    save_png(output_dir / f"{view}.png", image)
    assert image.std() > 5


def test_buffers_evicted_from_the_pool_take_their_derived_targets_with_them(headless, tmp_path):
    """Passes that attach to pooled view buffers (transparency, caps) must not keep stale attachments
    after the pool recycles a size: a view at a recycled size renders as a fresh renderer does."""
    import trimesh

    from renderer.headless import HeadlessRenderer

    trimesh.creation.box(extents=(1, 1, 0.01)).export(tmp_path / "wall.glb")
    (tmp_path / "wall.yaml").write_text(
        "version: 1\ncamera: {eye_m: [0, 0, 0.3], target_m: [0, 0, 0]}\n"
        "parts:\n  wall: {mesh: wall.glb, opacity: 0.5, transform: {translation_m: [0, 0, 0.1]}}\n"
        "  back: {mesh: wall.glb}\n"
    )
    headless.load(load_scene(tmp_path / "wall.yaml"))  # fills the size's depth buffer with a near wall
    headless.render(96, 72)
    for width in (64, 80, 112, 128, 144):  # more sizes than the pool keeps: 96x72 is recycled
        headless.render(width, 48)
    brain = load_scene(SCENES / "brain.yaml")
    headless.load(brain)
    recycled = headless.render(96, 72)
    with HeadlessRenderer() as fresh:
        fresh.load(brain)
        expected = fresh.render(96, 72)
    assert np.abs(recycled.astype(int) - expected.astype(int)).max() <= 2
