"""Molecules on the real Mesa driver: impostor depth and normals measured against geometry, every
representation and debug view renders, atoms receive AO, nothing leaks, the 1hpv lesson renders."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from renderer.gl import commands
from renderer.molecules.io import read_structure
from renderer.molecules.render import camera_for, placement, render_spec, show
from renderer.molecules.representations import (
    STYLES,
    Cylinders,
    MoleculeDrawables,
    Representation,
    Spheres,
    build_drawables,
)
from renderer.molecules.spec import CameraSpec
from renderer.passes.options import RenderOptions
from renderer.scene.model import Camera
from tests.conftest import save_png

pytestmark = pytest.mark.gl
ROOT = Path(__file__).resolve().parent.parent
HPV = ROOT / "assets" / "molecules" / "1hpv.pdb"
SIZE = 256
FOV_DEG = 20.0


@pytest.fixture(scope="module")
def renderer():
    from renderer.headless import HeadlessRenderer

    with HeadlessRenderer() as headless:
        yield headless


@pytest.fixture(scope="module")
def hpv():
    return read_structure(HPV)


def _spheres(centres, radii) -> MoleculeDrawables:
    centres = np.asarray(centres, np.float32)
    empty = np.zeros((0, 3), np.float32)
    return MoleculeDrawables(Spheres(centres, np.asarray(radii, np.float32), np.full_like(centres, 0.8)),
                             Cylinders(empty, empty, np.zeros(0, np.float32), empty, empty))  # fmt: skip


def _normal_depth(headless) -> np.ndarray:
    """(H, W, 4): view-space normal and view depth (metres; 0 = background), top row first."""
    return commands.read_float(headless.last_results[0].buffers.normal_depth, 4)


def _pixels_per_metre(depth_m: float) -> float:
    return SIZE / (2 * depth_m * math.tan(math.radians(FOV_DEG) / 2))


def test_sphere_cutting_a_mesh_plane_shows_a_circle_of_the_right_radius(tmp_path, output_dir):
    import trimesh

    from renderer.headless import HeadlessRenderer
    from renderer.scene.load import load_scene

    radius, plane_y = 0.05, 0.03
    slab = trimesh.creation.box(extents=(1.0, 0.02, 1.0))
    slab.apply_translation((0, plane_y - 0.01, 0))
    slab.export(tmp_path / "slab.glb")
    (tmp_path / "scene.yaml").write_text("version: 1\nparts:\n  floor: {mesh: slab.glb, material: plastic}\n")
    camera = Camera(eye_m=(0.0, 1.0, 0.0), target_m=(0.0, 0.0, 0.0), up=(0.0, 0.0, -1.0), vertical_fov_deg=FOV_DEG)
    with HeadlessRenderer() as headless:
        headless.load(load_scene(tmp_path / "scene.yaml"))
        show(headless, "atom", _spheres([[0, 0, 0]], [radius]), np.eye(4))
        image = headless.render(SIZE, SIZE, camera=camera, options=RenderOptions(view_mode="normal"))
        nd = _normal_depth(headless)
    save_png(output_dir / "sphere_through_plane.png", image)
    plane_depth = 1.0 - plane_y
    # The prepass is RGBA16F (depth steps of ~0.5 mm here): near its rim the sphere is told from the
    # plane by its normal, near its top by its depth.
    sphere = (nd[..., 3] > 0) & ((nd[..., 3] < plane_depth - 2e-3) | (nd[..., 2] < 0.999))
    measured_px = math.sqrt(sphere.sum() / math.pi)
    expected_px = math.sqrt(radius**2 - plane_y**2) * _pixels_per_metre(plane_depth)
    assert measured_px == pytest.approx(expected_px, rel=0.03)
    # The plane's normal faces the camera; the sphere's top faces it too, its flanks do not.
    assert np.allclose(nd[5, 5, :3], (0, 0, 1), atol=1e-2)
    centre = nd[SIZE // 2, SIZE // 2]
    assert centre[3] == pytest.approx(1.0 - radius, abs=1e-3)


def test_two_overlapping_spheres_meet_on_the_plane_between_them(renderer, output_dir):
    radius, half_gap = 0.05, 0.03
    show(renderer, "pair", _spheres([[-half_gap, 0, 0], [half_gap, 0, 0]], [radius, radius]), np.eye(4))
    try:
        camera = Camera(eye_m=(0.0, 0.0, 1.0), target_m=(0.0, 0.0, 0.0), vertical_fov_deg=FOV_DEG)
        image = renderer.render(SIZE, SIZE, camera=camera, options=RenderOptions(view_mode="depth"))
        nd = _normal_depth(renderer)
    finally:
        renderer.scene.set_molecule("pair", None)
    save_png(output_dir / "two_spheres_depth.png", image)
    seam_half_height = math.sqrt(radius**2 - half_gap**2)  # the intersection circle's radius
    rows = np.linspace(-0.8, 0.8, 9) * seam_half_height * _pixels_per_metre(1.0)
    for offset in rows:
        row = nd[int(round(SIZE / 2 - 0.5 - offset))]
        inside = np.flatnonzero(row[:, 3] > 0)
        middle = inside[(inside > SIZE // 2 - 20) & (inside < SIZE // 2 + 20)]
        flips = middle[:-1][(row[middle[:-1], 0] > 0) & (row[middle[1:], 0] < 0)]
        assert len(flips) == 1 and abs(flips[0] + 0.5 - SIZE / 2) <= 1.0, (offset, flips)
    # On the seam, depth is the intersection circle's: 1 m minus its radius on the centre row.
    seam = nd[SIZE // 2, SIZE // 2 - 1 : SIZE // 2 + 1, 3]
    assert seam.mean() == pytest.approx(1.0 - seam_half_height, abs=1e-3)


@pytest.mark.parametrize("style", STYLES)
def test_every_representation_renders(renderer, hpv, style, output_dir):
    select = "ligand" if style in ("ball_and_stick", "hbonds") else "protein"
    reps = [Representation(style, select, "secondary" if style == "cartoon" else "element")]
    if style == "hbonds":
        reps.append(Representation("licorice", "ligand"))
    matrix = placement(hpv.bounds(), 0.01)
    show(renderer, "rep", build_drawables(hpv, reps), matrix)
    try:
        camera = camera_for(hpv, matrix, CameraSpec(target_select=select))
        options = RenderOptions(background=(0.0, 0.0, 0.0), ao_radius_m=0.04)
        image = renderer.render(160, 160, camera=camera, options=options)
    finally:
        renderer.scene.set_molecule("rep", None)
    save_png(output_dir / f"{style}.png", image)
    foreground = image.max(axis=2) > 10
    assert foreground.mean() > 0.03, style
    assert len(np.unique(image[foreground].reshape(-1, 3) // 32, axis=0)) > 3  # shaded, not flat


def test_atoms_receive_ambient_occlusion_and_debug_views_render(renderer, hpv, output_dir):
    matrix = placement(hpv.bounds(), 0.01)
    show(renderer, "ao", build_drawables(hpv, [Representation("spacefill", "protein")]), matrix)
    try:
        camera = camera_for(hpv, matrix, CameraSpec())
        for mode in ("color", "normal", "depth", "albedo", "ao"):
            image = renderer.render(160, 160, camera=camera, options=RenderOptions(view_mode=mode, ao_radius_m=0.04))
            save_png(output_dir / f"spacefill_{mode}.png", image)
            assert image.std() > 10, mode
        ao = renderer.read_ao()
        atoms = _normal_depth(renderer)[..., 3] > 0
    finally:
        renderer.scene.set_molecule("ao", None)
    assert ao[atoms].mean() < 0.85 and np.percentile(ao[atoms], 10) < 0.5


def test_replacing_molecules_leaks_no_gl_objects(renderer, hpv):
    drawables = build_drawables(hpv, [Representation("ball_and_stick"), Representation("cartoon", "protein")])
    before = renderer.context.resources.live_counts()
    for _ in range(5):
        show(renderer, "leak", drawables, np.eye(4))
    renderer.scene.set_molecule("leak", None)
    assert renderer.context.resources.live_counts() == before


def test_hiv_protease_lesson_renders_every_step(output_dir):
    written = render_spec(ROOT / "scenes" / "molecules" / "hiv-protease.yaml", output_dir, size=(256, 256))
    assert len(written) == 5
    from PIL import Image

    for path in written:
        image = np.asarray(Image.open(path))
        assert (image.max(axis=2) > 40).mean() > 0.04, path.name
