"""Screen-space subsurface scattering on the real Mesa driver: a sharp terminator on a scattering
surface softens by the width that projecting the material's scatter distance predicts (with depth,
resolution, MSAA and per eye); materials that do not scatter keep every bit; light does not cross a
depth edge onto another surface."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from renderer.gl import commands
from renderer.passes.subsurface import ScatterGroups, scatter_sigma_m, unit_taps
from renderer.scene.load import load_scene
from renderer.scene.materials import PRESETS, Material
from tests.conftest import save_png
from tests.helpers import srgb_to_linear

pytestmark = pytest.mark.gl

TILT = math.radians(15)  # each facet of the ridge turns this far from the eye
FOV_DEG = 30
EDGE_WIDTH_PER_SIGMA = 2.5631  # 10-90 % rise of a step blurred by a unit Gaussian


def ridge_mesh(path: Path) -> None:
    """A shallow roof, ridge along Y through the origin, facets with their own vertices: flat normals,
    so a key light from +X lights the right facet and leaves the left one dark -- a sharp terminator."""
    import trimesh

    a, drop = 0.1, -0.1 * math.tan(TILT)
    left = [[-a, -a, drop], [-a, a, drop], [0, -a, 0], [0, a, 0]]
    right = [[0, -a, 0], [0, a, 0], [a, -a, drop], [a, a, drop]]
    faces = [[0, 2, 3], [0, 3, 1], [4, 6, 7], [4, 7, 5]]
    trimesh.Trimesh(np.array(left + right, dtype=float), faces, process=False).export(path)


def ridge_scene(folder: Path, distance_m: float, material: str, extra_parts: str = "") -> Path:
    if not (folder / "ridge.glb").exists():
        ridge_mesh(folder / "ridge.glb")
    path = folder / f"ridge-{distance_m}.yaml"
    path.write_text(
        "version: 1\n"
        f"camera: {{eye_m: [0, 0, {distance_m}], target_m: [0, 0, 0], vertical_fov_deg: {FOV_DEG}}}\n"
        "lights: {environment: {intensity: 0},\n"
        "         key: {direction: [1, 0, 0.1], intensity: 1.5, angular_diameter_deg: 0}}\n"
        "render: {ambient_occlusion: 'off', background: '#000000'}\n"
        f"parts:\n  ridge: {{mesh: ridge.glb, material: {material}}}\n{extra_parts}"
    )
    return path


def scattering(distance_m: float, color: str = "#ffffff", base: str = "#c0c0c0") -> str:
    return f"{{base_color: '{base}', roughness: 1.0, scatter_distance_m: {distance_m}, scatter_color: '{color}'}}"


def hdr(headless, view_index: int = 0) -> np.ndarray:
    """The last render's resolved linear HDR image, (H, W, 4) float32, top row first."""
    return commands.read_float(headless.last_results[view_index].buffers.resolved.colors[0])


def edge_width_px(profile: np.ndarray) -> float:
    """10-90 % rise (pixels) of a dark-to-bright edge in a 1-D profile, plateaus taken at its ends."""
    low, high = np.median(profile[:20]), np.median(profile[-20:])
    p = (profile - low) / (high - low)

    def crossing(level: float) -> float:
        i = int(np.argmax(p >= level))
        return i - 1 + (level - p[i - 1]) / (p[i] - p[i - 1])

    return crossing(0.9) - crossing(0.1)


def expected_width_px(sigma_m: float, size_px: int, distance_m: float) -> float:
    focal_px = size_px / 2 / math.tan(math.radians(FOV_DEG) / 2)
    # A tap k pixels away lies k / cos(tilt) away on the facet: the spread narrows on screen.
    return EDGE_WIDTH_PER_SIGMA * sigma_m * focal_px / distance_m * math.cos(TILT)


def measure(headless, scene: Path, size: int, channel: int = 0, **options) -> float:
    headless.load(load_scene(scene))
    headless.render(size, size, options=headless.options(**options))
    rows = hdr(headless)[size // 2 - 16 : size // 2 + 16, :, channel].mean(axis=0)
    return edge_width_px(rows[size // 2 - size // 4 : size // 2 + size // 4])


@pytest.mark.parametrize("size, distance_m, msaa", [(256, 0.3, 4), (256, 0.6, 4), (512, 0.3, 4), (256, 0.3, 1)])
def test_terminator_softens_by_the_projected_scatter_distance(headless, tmp_path, size, distance_m, msaa):
    sigma = 0.003
    scene = ridge_scene(tmp_path, distance_m, scattering(sigma))
    sharp = measure(headless, scene, size, msaa_samples=msaa, subsurface_scattering=False)
    soft = measure(headless, scene, size, msaa_samples=msaa)
    expected = expected_width_px(sigma, size, distance_m)
    assert sharp < 1.5, sharp
    assert abs(soft - expected) < 0.12 * expected, (soft, expected)


def test_softening_scales_as_projection_predicts(headless, tmp_path):
    """Twice the distance halves the width in pixels; twice the resolution doubles it."""
    material = scattering(0.003)
    near = measure(headless, ridge_scene(tmp_path, 0.3, material), 256)
    far = measure(headless, ridge_scene(tmp_path, 0.6, material), 256)
    fine = measure(headless, ridge_scene(tmp_path, 0.3, material), 512)
    assert near / far == pytest.approx(2.0, rel=0.1)
    assert fine / near == pytest.approx(2.0, rel=0.1)


def test_each_channel_spreads_as_far_as_its_scatter_color_says(headless, tmp_path):
    """Skin-like: red travels farthest; green and blue in proportion to their linear values."""
    scene = ridge_scene(tmp_path, 0.3, scattering(0.004, color="#ffa07c", base="#d0d0d0"))
    widths = [measure(headless, scene, 256, channel=c) for c in range(3)]
    expected = [expected_width_px(s, 256, 0.3) for s in scatter_sigma_m(Material(scatter_distance_m=0.004,
                                                                                 scatter_color="#ffa07c"))]
    assert widths[0] > widths[1] > widths[2]
    for got, want in zip(widths, expected, strict=True):
        assert abs(got - want) < 0.15 * want + 0.5, (widths, expected)


def test_materials_that_do_not_scatter_keep_every_bit(headless, tmp_path, output_dir):
    """A bone (no scatter) beside a scattering ridge, MSAA on: every pixel the bone covers, and the
    background, are exactly the same with the pass on and off; the ridge's pixels do change."""
    import trimesh

    trimesh.creation.icosphere(subdivisions=4, radius=0.03).export(tmp_path / "ball.glb")
    ball = "  ball: {mesh: ball.glb, material: bone, transform: {translation_m: [0.035, 0.02, 0.02]}}\n"
    headless.load(load_scene(ridge_scene(tmp_path, 0.5, scattering(0.003, base="#8080ff"), ball)))
    images = {}
    for on in (True, False):
        images[on] = headless.render(256, 256, options=headless.options(subsurface_scattering=on))
        images[on, "hdr"] = hdr(headless)
    headless.render(256, 256, options=headless.options(view_mode="albedo"))
    albedo = hdr(headless)[..., :3]
    bone = srgb_to_linear(np.round(np.array(PRESETS["bone"].base_color) * 255))  # albedo view: linear
    fully_bone = np.abs(albedo - bone).max(axis=2) < 2e-3
    background = images[False, "hdr"][..., 3] == 0.0
    save_png(output_dir / "on.png", images[True])
    save_png(output_dir / "off.png", images[False])
    assert fully_bone.sum() > 1500 and background.sum() > 1000
    same = fully_bone | background
    assert np.array_equal(images[True, "hdr"][same], images[False, "hdr"][same])
    assert np.array_equal(images[True][same], images[False][same])
    assert np.abs(images[True, "hdr"] - images[False, "hdr"]).max() > 0.01  # the ridge did soften

    # With nothing that scatters in view, the whole image is the same.
    headless.load(load_scene(ridge_scene(tmp_path, 0.5, "bone", ball)))
    plain = [headless.render(256, 256, options=headless.options(subsurface_scattering=on)) for on in (True, False)]
    assert np.array_equal(plain[0], plain[1])


def test_light_does_not_cross_a_depth_edge(headless, tmp_path, output_dir):
    """A lit slab 10 cm in front of a dark wall of the same scattering material: the wall's pixels along
    the slab's silhouette stay dark and the slab's edge keeps its brightness (MSAA edges included)."""
    import trimesh

    slab = trimesh.Trimesh([[-0.05, -0.2, 0], [0.2, -0.2, 0], [0.2, 0.2, 0], [-0.05, 0.2, 0]],
                           [[0, 1, 2], [0, 2, 3]], process=False)  # fmt: skip
    slab.export(tmp_path / "slab.glb")
    # The wall faces the eye but turns from the light (+X): unlit, black without an environment.
    wall = trimesh.Trimesh([[-0.3, -0.3, -0.3], [0.3, -0.3, -0.05], [0.3, 0.3, -0.05], [-0.3, 0.3, -0.3]],
                           [[0, 1, 2], [0, 2, 3]], process=False)  # fmt: skip
    wall.export(tmp_path / "wall.glb")
    material = scattering(0.003)
    (tmp_path / "edge.yaml").write_text(
        "version: 1\n"
        f"camera: {{eye_m: [0, 0, 0.3], target_m: [0, 0, 0], vertical_fov_deg: {FOV_DEG}}}\n"
        "lights: {environment: {intensity: 0}, key: {direction: [1, 0, 0.3], intensity: 1.5}}\n"
        "render: {ambient_occlusion: 'off', background: '#000000'}\n"
        f"parts:\n  slab: {{mesh: slab.glb, material: {material}}}\n  wall: {{mesh: wall.glb, material: {material}}}\n"
    )
    headless.load(load_scene(tmp_path / "edge.yaml"))
    result = {}
    for on in (True, False):
        image = headless.render(256, 256, options=headless.options(subsurface_scattering=on))
        save_png(output_dir / f"{'on' if on else 'off'}.png", image)
        result[on] = hdr(headless)[..., :3].max(axis=2)
    silhouette = int(np.argmax(result[False][128] > 0.05))  # the slab's left edge, lit against the dark wall
    reach = int(math.ceil(3 * expected_width_px(0.003, 256, 0.3) / EDGE_WIDTH_PER_SIGMA))
    assert reach > 5 and result[False][:, silhouette - reach : silhouette - 1].max() < 1e-3
    # Across the silhouette, its partly covered pixels included: nothing moved either way.
    strip = (slice(None), slice(silhouette - reach, silhouette + reach))
    difference = np.abs(result[True][strip] - result[False][strip])
    assert difference.max() < 1e-3 + 0.02 * result[False][strip].max(), difference.max()


def test_each_eye_of_a_stereo_pair_softens_alike(headless, tmp_path):
    """Stereo renders each eye through the same path: both terminators soften as the mono one does."""
    headless.load(load_scene(ridge_scene(tmp_path, 0.3, scattering(0.003))))
    widths = []
    for stereo in (False, True):
        image = srgb_to_linear(headless.render(192, 192, stereo=stereo, ipd_m=0.02))[..., 0]
        for eye in range(2 if stereo else 1):
            rows = image[80:112, eye * 192 : (eye + 1) * 192].mean(axis=0)
            widths.append(edge_width_px(rows[40:152]))
    mono, left, right = widths
    assert mono > 4.0
    assert left == pytest.approx(mono, rel=0.1) and right == pytest.approx(mono, rel=0.1)


def test_scatter_profiles_and_taps():
    skin = scatter_sigma_m(PRESETS["skin"])
    assert skin is not None and skin[0] == pytest.approx(PRESETS["skin"].scatter_distance_m)
    assert skin[0] > skin[1] > skin[2]
    for name in ("bone", "glass", "plastic"):
        assert scatter_sigma_m(PRESETS[name]) is None
    for name in ("skin", "fat", "muscle", "brain_grey_matter", "brain_white_matter", "organ"):
        assert scatter_sigma_m(PRESETS[name]) is not None
    offsets, widths = unit_taps(8)
    # Each tap k's width x density is the probability of its interval: 1 / 17 for the inner ones.
    density = np.exp(-offsets[1:-1] ** 2 / 2) / math.sqrt(2 * math.pi)
    assert np.allclose(widths[1:-1] * density, 1 / 17, rtol=1e-4)
    assert np.all(np.diff(offsets) > 0)


def test_parts_group_by_material_not_by_profile():
    """Two materials with the same spread but different colours get different keys, so the blur stops
    between them; parts that share a material share a key."""

    class Part:  # only .material is read
        def __init__(self, material):
            self.material = material

    red = Material(base_color="#ff0000", scatter_distance_m=0.002)
    blue = Material(base_color="#0000ff", scatter_distance_m=0.002)
    parts = [Part(red), Part(blue), Part(red), Part(PRESETS["bone"])]
    groups = ScatterGroups(parts)
    assert [len(p) for _k, p in groups.groups] == [2, 1] and groups.plain == [parts[3]]
    assert np.allclose(groups.sigma_m[1], groups.sigma_m[2])


def test_translucent_molecules_over_the_pass_keep_their_lighting(headless, tmp_path, output_dir):
    """The subsurface pass reuses texture units; a translucent cartoon drawn after it must still read
    the AO and shadow buffers: where no scattering part lies behind it, it is the same on and off."""
    from renderer.molecules.io import read_structure
    from renderer.molecules.render import camera_for, placement, show
    from renderer.molecules.representations import Representation, build_drawables

    # The ridge, moved left, covers the left third of the view; the molecule sits in the middle.
    ridge = ridge_scene(tmp_path, 0.3, scattering(0.003))
    ridge.write_text(ridge.read_text().replace("material: {", "transform: {translation_m: [-0.17, 0, 0]}, "
                                                             "material: {"))  # fmt: skip
    headless.load(load_scene(ridge))
    structure = read_structure(Path(__file__).resolve().parent.parent / "assets" / "molecules" / "1hpv.pdb")
    matrix = placement(structure.bounds(), 0.0015, (0.0, 0.0, 0.02))
    show(headless, "cartoon", build_drawables(structure, [Representation("cartoon", "protein", "secondary", 0.6)]),
         matrix)  # fmt: skip
    try:
        camera = camera_for(structure, matrix, distance_factor=1.4)
        images = [headless.render(192, 192, camera, headless.options(subsurface_scattering=on)) for on in (True, False)]
    finally:
        headless.scene.set_molecule("cartoon", None)
    save_png(output_dir / "on.png", images[0])
    save_png(output_dir / "off.png", images[1])
    right = (slice(None), slice(96, None))
    assert images[1][right].max() > 40  # the cartoon is there
    assert np.array_equal(images[0][right], images[1][right])
