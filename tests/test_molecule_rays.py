"""Molecule atoms as ray-traced occluders: analytic spheres in a BVH of their own cast the shadows
and the occlusion geometry predicts, on parts and on other atoms."""

from __future__ import annotations

import math

import numpy as np
import pytest

from renderer import maths
from renderer.gpu.molecule import GpuMolecule
from renderer.molecules.representations import Cylinders, MoleculeDrawables, Spheres
from renderer.raytrace.spheres import sphere_boxes_as_triangles
from renderer.scene.load import load_scene
from tests.mask_scenes import write_floor, write_scene

pytestmark = pytest.mark.gl
SIZE = 64
M_PER_ANGSTROM = 0.01  # a 5 Å atom becomes a 5 cm ball
TAIL = ("camera: {eye_m: [0.45, 0.3, 0.0], target_m: [0, 0, 0], vertical_fov_deg: 40}\n"
        "lights: {key: {direction: [0, 1, 0], angular_diameter_deg: 0.5}}\n")  # fmt: skip


def _drawables(centres_a, radii_a) -> MoleculeDrawables:
    centres = np.asarray(centres_a, np.float32)
    empty = np.zeros((0, 3), np.float32)
    return MoleculeDrawables(Spheres(centres, np.asarray(radii_a, np.float32), np.full_like(centres, 0.7)),
                             Cylinders(empty, empty, np.zeros(0, np.float32), empty, empty))  # fmt: skip


def _floor_value(headless, values, point) -> float:
    clip = headless.last_views[0].view_projection @ np.append(point, 1.0)
    ndc = clip[:2] / clip[3]
    y, x = int((1 - (ndc[1] * 0.5 + 0.5)) * SIZE), int((ndc[0] * 0.5 + 0.5) * SIZE)
    return float(values[y - 1:y + 2, x - 1:x + 2].mean())


def _options(headless, view):
    return headless.options(view_mode=view, ao_tier="raytraced", ao_radius_m=math.inf, ao_rays_per_pixel=4,
                            shadow_rays_per_pixel=4, rt_still_frames=16, rt_denoise_iterations=2)  # fmt: skip


def test_sphere_boxes_bound_the_spheres():
    centres = np.array([[0.0, 1.0, 2.0], [-3.0, 0.0, 0.5]], np.float32)
    radii = np.array([0.5, 2.0], np.float32)
    boxes = sphere_boxes_as_triangles(centres, radii)
    np.testing.assert_allclose(boxes.min(axis=1), centres - radii[:, None])
    np.testing.assert_allclose(boxes.max(axis=1), centres + radii[:, None])
    np.testing.assert_allclose(boxes.mean(axis=1), centres)


def test_atom_casts_a_shadow_and_occludes_the_floor(headless, tmp_path):
    """An 8 cm atom 15 cm above the floor: its shadow falls straight below (light from above), and the
    floor under it loses the cosine-weighted solid angle of the ball: 1 - r^2 / d^2."""
    write_floor(tmp_path / "floor.glb")
    headless.load(load_scene(write_scene(tmp_path, {"floor": ("floor.glb", "plastic")}, tail=TAIL)))
    matrix = maths.scaling(M_PER_ANGSTROM)
    headless.scene.set_molecule("atom", GpuMolecule(headless.context.resources, _drawables([[0, 15, 0]], [8]), matrix))
    try:
        below, aside = np.zeros(3), np.array([0.0, 0.0, 0.12])
        headless.render(SIZE, SIZE, None, _options(headless, "shadow"))
        shadow = headless.read_shadow()
        assert _floor_value(headless, shadow, below) < 0.05 and _floor_value(headless, shadow, aside) > 0.95
        headless.render(SIZE, SIZE, None, _options(headless, "ao"))
        expected = 1 - (0.08 / 0.15) ** 2  # a sphere of radius r at distance d right above: sin^2 of its half angle
        assert _floor_value(headless, headless.read_ao(), below) == pytest.approx(expected, abs=0.03)
        rays = headless.renderer.raytraced.spheres
        assert rays.count == 1 and rays.builds >= 1
        builds = rays.builds
        headless.render(SIZE, SIZE, None, _options(headless, "ao"))
        assert rays.builds == builds  # nothing moved: no rebuild
    finally:
        headless.scene.set_molecule("atom", None)
    headless.render(SIZE, SIZE, None, _options(headless, "shadow"))
    assert _floor_value(headless, headless.read_shadow(), np.zeros(3)) > 0.95  # removed: no shadow


def test_atoms_occlude_each_other_in_a_molecule_only_scene(headless, tmp_path):
    """No parts at all (a molecule lesson): the atoms alone are traced. Two touching atoms darken
    each other near the contact; the far sides stay open."""
    write_floor(tmp_path / "floor.glb")
    headless.load(load_scene(write_scene(tmp_path, {"floor": ("floor.glb", "plastic")}, tail=TAIL)))
    headless.scene.parts["floor"].visible = False
    drawables = _drawables([[-4.5, 0, 0], [4.5, 0, 0]], [5, 5])
    headless.scene.set_molecule("pair", GpuMolecule(headless.context.resources, drawables,
                                                    maths.scaling(M_PER_ANGSTROM)))  # fmt: skip
    try:
        from renderer.scene.model import Camera

        camera = Camera(eye_m=(0.0, 0.0, 0.5), target_m=(0.0, 0.0, 0.0), vertical_fov_deg=30)
        headless.render(SIZE, SIZE, camera, _options(headless, "ao"))
        ao = headless.read_ao()
        centre = np.array([-0.045, 0.0, 0.0])
        near_contact = _floor_value(headless, ao, centre + 0.05 * np.array([0.8, 0.0, 0.6]))
        far_side = _floor_value(headless, ao, centre + 0.05 * np.array([-0.8, 0.0, 0.6]))
        assert near_contact < far_side - 0.2, (near_contact, far_side)
        assert headless.renderer.raytraced.rays.bvh is None  # no triangles traced
    finally:
        headless.scene.set_molecule("pair", None)
