"""Alpha masks on the real Mesa driver: a hole is not drawn, not picked, and lets rays through.

The scene: a 30 cm square at 20 cm above a floor, its middle half cut by a mask, the key light
straight above. A low camera sees the floor under the square, so the same floor points are measured
with the masked square, the whole square and no square at all.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from renderer.passes.picking import PickPass
from renderer.scene.load import load_scene
from tests.mask_scenes import hole_image, write_floor, write_plane, write_scene

pytestmark = pytest.mark.gl
SIZE = 96
LOW_CAMERA = "camera: {eye_m: [0.7, 0.09, 0.0], target_m: [0, 0, 0], vertical_fov_deg: 40}\n"
TOP_CAMERA = "camera: {eye_m: [0.0, 0.75, 0.3], target_m: [0, 0.2, 0], vertical_fov_deg: 40}\n"
LIGHT = "lights: {key: {direction: [0, 1, 0], angular_diameter_deg: 0.5}}\n"


def _form_factor(half_side: float, height: float) -> float:
    """Cosine-weighted fraction of the hemisphere covered by a parallel square centred above a point."""
    x = half_side / height
    r = math.sqrt(1 + x * x)
    return 4 / math.pi * x / r * math.atan(x / r)


def _scenes(folder, camera=LOW_CAMERA, **plane):
    write_plane(folder / "square.glb", **plane)
    write_floor(folder / "floor.glb")
    tail = camera + LIGHT + "render: {ambient_occlusion: raytraced}\n"
    scenes = {}
    for name, parts in (
        ("masked", {"square": ("square.glb", "{preset: skin, alpha_mask: hole.png}")}),
        ("whole", {"square": ("square.glb", "skin")}),
        ("removed", {}),
    ):
        (folder / name).mkdir()
        for mesh in ("square.glb", "floor.glb"):
            (folder / name / mesh).write_bytes((folder / mesh).read_bytes())
        scenes[name] = write_scene(folder / name, {**parts, "floor": ("floor.glb", "plastic")}, image=hole_image(64),
                                   tail=tail)  # fmt: skip
    return scenes


def _pixel(headless, point) -> tuple[int, int]:
    clip = headless.last_views[0].view_projection @ np.append(point, 1.0)
    ndc = clip[:2] / clip[3]
    return int((1 - (ndc[1] * 0.5 + 0.5)) * SIZE), int((ndc[0] * 0.5 + 0.5) * SIZE)


def _traced(headless, scene, view):
    headless.load(load_scene(scene))
    options = headless.options(view_mode=view, ao_tier="raytraced", ao_radius_m=math.inf, ao_rays_per_pixel=4,
                               shadow_rays_per_pixel=4, rt_still_frames=16, rt_denoise_iterations=2)  # fmt: skip
    headless.render(SIZE, SIZE, None, options)
    return headless.read_ao() if view == "ao" else headless.read_shadow()


def _colour(headless, scene) -> np.ndarray:
    """The colour view with the screen-space tier: no ray noise, so images compare pixel by pixel."""
    headless.load(load_scene(scene))
    return headless.render(SIZE, SIZE, None, headless.options(ao_tier="ssao")).astype(np.int16)


def _at(headless, values, point) -> float:
    y, x = _pixel(headless, point)
    return float(values[y - 1:y + 2, x - 1:x + 2].mean())


def test_light_passes_exactly_through_the_hole(headless, tmp_path, output_dir):
    scenes = _scenes(tmp_path)
    under_hole, under_frame = np.array([0.0, 0.0, 0.0]), np.array([0.115, 0.0, 0.0])
    shadow = {name: _traced(headless, scene, "shadow") for name, scene in scenes.items()}
    measured = {name: (_at(headless, s, under_hole), _at(headless, s, under_frame)) for name, s in shadow.items()}
    assert measured["masked"][0] > 0.95 and measured["masked"][1] < 0.05, measured
    assert measured["whole"][0] < 0.05 and measured["whole"][1] < 0.05, measured
    assert measured["removed"][0] > 0.95 and measured["removed"][1] > 0.95, measured

    ao = {name: _at(headless, _traced(headless, scene, "ao"), under_hole) for name, scene in scenes.items()}
    outer, hole = _form_factor(0.15, 0.2), _form_factor(0.075, 0.2)
    expected = {"masked": 1 - outer + hole, "whole": 1 - outer, "removed": 1.0}
    for name, value in ao.items():
        assert value == pytest.approx(expected[name], abs=0.035), (name, ao, expected)


def test_hole_shows_what_is_behind_and_follows_the_texture_coordinates(headless, tmp_path, output_dir):
    from PIL import Image

    corner = hole_image(64, rows=slice(0, 32), cols=slice(0, 32))  # image's top-left quadrant: u < 0.5, v > 0.5
    results = {}
    for flip in (False, True):
        folder = tmp_path / f"flip{int(flip)}"
        folder.mkdir()
        scenes = _scenes(folder, camera=TOP_CAMERA, flip_u=flip)
        Image.fromarray(corner).save(folder / "masked" / "hole.png")
        images = {name: _colour(headless, scenes[name]) for name in ("masked", "whole", "removed")}
        Image.fromarray(np.concatenate(list(images.values()), axis=1).astype(np.uint8)).save(
            output_dir / f"flip{int(flip)}.png")
        # Quadrant centres on the square (x, z): the image's top is at -z, u grows with x (or against it).
        quadrants = {q: np.array([sx * 0.075, 0.2, sz * 0.075]) for q, (sx, sz) in
                     {"-x-z": (-1, -1), "+x-z": (1, -1), "-x+z": (-1, 1), "+x+z": (1, 1)}.items()}  # fmt: skip
        holes = []
        for name, point in quadrants.items():
            y, x = _pixel(headless, point)
            pixel = images["masked"][y, x]
            if np.abs(pixel - images["removed"][y, x]).max() <= 3:
                holes.append(name)
            else:
                assert np.abs(pixel - images["whole"][y, x]).max() <= 3, name
        results[flip] = holes
    assert results == {False: ["-x-z"], True: ["+x-z"]}


def test_picking_goes_through_the_hole(headless, tmp_path):
    scenes = _scenes(tmp_path, camera=TOP_CAMERA)
    headless.load(load_scene(scenes["masked"]))
    headless.render(SIZE, SIZE)
    view = headless.last_views[0]
    picker = PickPass(headless.context.resources)
    try:
        parts = headless.scene.visible_parts()
        y, x = _pixel(headless, np.array([0.0, 0.2, 0.0]))
        assert picker.pick(headless.renderer.shaders, view, parts, x, y).part_id == "floor"
        y, x = _pixel(headless, np.array([0.115, 0.2, 0.0]))
        assert picker.pick(headless.renderer.shaders, view, parts, x, y).part_id == "square"
    finally:
        picker.release()


def test_glb_mask_material_cuts_the_same_hole(headless, tmp_path):
    scenes = _scenes(tmp_path, camera=TOP_CAMERA)
    from_scene = _colour(headless, scenes["masked"])
    folder = scenes["masked"].parent
    write_plane(folder / "square.glb", gltf_mask=(hole_image(64), 0.5, 255))
    (folder / "gltf.yaml").write_text(scenes["masked"].read_text().replace("alpha_mask: hole.png", "roughness: 0.5"))
    assert load_scene(folder / "gltf.yaml").masks["square"].source.startswith("square.glb")
    from_glb = _colour(headless, folder / "gltf.yaml")
    assert np.abs(from_scene - from_glb).max() <= 1  # the same hole, the same picture


def test_translucent_masked_part_has_holes_in_the_transparency_pass(headless, tmp_path):
    scenes = _scenes(tmp_path, camera=TOP_CAMERA)
    text = scenes["masked"].read_text().replace("alpha_mask: hole.png}", "alpha_mask: hole.png}\n    opacity: 0.5")
    scenes["masked"].write_text(text)
    images = {name: _colour(headless, scenes[name]) for name in ("masked", "removed")}
    y, x = _pixel(headless, np.array([0.0, 0.2, 0.0]))
    assert np.abs(images["masked"][y, x] - images["removed"][y, x]).max() <= 3
    y, x = _pixel(headless, np.array([0.115, 0.2, 0.0]))
    assert np.abs(images["masked"][y, x] - images["removed"][y, x]).max() > 10  # the frame is drawn, blended


def test_masked_part_is_not_capped(headless, tmp_path):
    """A closed box with a mask is a surface with holes, not a solid: a clip plane leaves no cap."""
    import trimesh

    box = trimesh.creation.box(extents=(0.2, 0.2, 0.2))
    uv = (box.vertices[:, [0, 2]] + 0.1) / 0.2
    trimesh.Trimesh(box.vertices, box.faces, visual=trimesh.visual.TextureVisuals(uv=uv), process=False).export(
        tmp_path / "box.glb")
    for material, capped in (("{alpha_mask: hole.png}", False), ("bone", True)):
        scene = write_scene(tmp_path, {"box": ("box.glb", material)}, image=hole_image(8),
                            tail="camera: {eye_m: [0, 0, 0.5], target_m: [0, 0, 0]}\n")  # fmt: skip
        headless.load(load_scene(scene))
        for part in headless.scene.parts.values():
            part.clip_planes = np.array([[0.0, 0.0, -1.0, 0.0]])
        headless.render(SIZE, SIZE, None, headless.options(view_mode="albedo"))
        assert headless.renderer.caps.active is capped
