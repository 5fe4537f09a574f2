"""Alpha masks without GL: texture coordinates kept from mesh files, glTF MASK materials, the scene's
`alpha_mask` field, its errors, the CPU sampler and the atlas packing."""

from __future__ import annotations

import numpy as np
import pytest

from renderer.errors import SceneError
from renderer.gpu.mask_atlas import pack_shelves, page_side
from renderer.scene.alpha_masks import MAX_MASK_SIDE, AlphaMask, bilinear_alpha
from renderer.scene.load import load_scene
from renderer.scene.meshes import load_mesh
from tests.mask_scenes import UV_CORNERS, hole_image, write_plane, write_scene


def test_glb_and_obj_keep_texture_coordinates(tmp_path):
    for suffix in ("glb", "obj"):
        path = write_plane(tmp_path / f"plane.{suffix}", size_m=0.3, height_m=0.2)
        mesh = load_mesh(path)
        assert mesh.uvs is not None and mesh.uvs.shape == (len(mesh.positions), 2) and mesh.uvs.dtype == np.float32
        # Each corner keeps its own coordinates (trimesh's convention: v = 0 at the image's bottom).
        for corner, uv in zip(*UV_CORNERS, strict=True):
            index = np.argmin(np.linalg.norm(mesh.positions - np.array(corner) * [0.15, 0, 0.15] - [0, 0.2, 0], axis=1))
            np.testing.assert_allclose(mesh.uvs[index], uv, atol=1e-6)


def test_mesh_without_texture_coordinates_has_none(tmp_path):
    import trimesh

    trimesh.creation.box().export(tmp_path / "box.stl")
    assert load_mesh(tmp_path / "box.stl").uvs is None


def test_gltf_mask_material_becomes_the_meshs_mask(tmp_path):
    alpha = hole_image(32)
    path = write_plane(tmp_path / "masked.glb", gltf_mask=(alpha, 0.3, 200))
    mesh = load_mesh(path)
    assert mesh.alpha_mask is not None
    assert mesh.alpha_mask.cutoff == pytest.approx(0.3)
    # Texture alpha times the base colour factor's alpha (200 / 255).
    np.testing.assert_array_equal(mesh.alpha_mask.alpha, np.round(alpha * (200 / 255)).astype(np.uint8))


def test_gltf_blend_material_is_not_a_mask(tmp_path):
    path = write_plane(tmp_path / "blend.glb", gltf_mask=(hole_image(16), 0.5, 255), alpha_mode="BLEND")
    assert load_mesh(path).alpha_mask is None


def test_sampler_repeats_and_filters_inside_the_image():
    alpha = np.zeros((2, 2), dtype=np.uint8)
    alpha[0, :] = 255  # top row present
    assert bilinear_alpha(alpha, np.array([[0.25, 0.75]]))[0] == pytest.approx(1.0)  # top texel centre
    assert bilinear_alpha(alpha, np.array([[0.25, 0.25]]))[0] == pytest.approx(0.0)
    assert bilinear_alpha(alpha, np.array([[0.25, 0.5]]))[0] == pytest.approx(0.5)  # between the rows
    assert bilinear_alpha(alpha, np.array([[1.25, 1.75]]))[0] == pytest.approx(1.0)  # repeat
    assert bilinear_alpha(alpha, np.array([[0.25, 0.999]]))[0] == pytest.approx(1.0)  # no blend across the seam
    mask = AlphaMask(alpha, 0.6, "test")
    assert mask.present(np.array([[0.5, 0.9], [0.5, 0.1]])).tolist() == [True, False]


def test_scene_mask_is_read_by_texture_coordinates(tmp_path):
    write_plane(tmp_path / "plane.glb")
    scene = write_scene(tmp_path, {"sheet": ("plane.glb", "{preset: skin, alpha_mask: hole.png, alpha_cutoff: 0.4}")},
                        image=hole_image(64))  # fmt: skip
    loaded = load_scene(scene)
    mask = loaded.masks["sheet"]
    assert mask.cutoff == pytest.approx(0.4) and mask.size == (64, 64)
    assert mask.present(np.array([[0.5, 0.5], [0.1, 0.1]])).tolist() == [False, True]


def test_scene_mask_wins_over_the_glb_one_and_cutoff_overrides(tmp_path):
    write_plane(tmp_path / "masked.glb", gltf_mask=(np.full((4, 4), 255, np.uint8), 0.5, 255))
    scene = write_scene(tmp_path, {"a": ("masked.glb", "{alpha_mask: hole.png}"),
                                   "b": ("masked.glb", "{alpha_cutoff: 0.9}"),
                                   "c": ("masked.glb", "plastic")}, image=hole_image(16))  # fmt: skip
    loaded = load_scene(scene)
    assert loaded.masks["a"].size == (16, 16)
    assert loaded.masks["b"].size == (4, 4) and loaded.masks["b"].cutoff == pytest.approx(0.9)
    assert loaded.masks["c"].cutoff == pytest.approx(0.5)
    assert loaded.masks["b"].alpha is loaded.masks["c"].alpha  # one image, one atlas slot


def test_mask_from_a_scene_material_and_a_group(tmp_path):
    write_plane(tmp_path / "plane.glb")
    scene = tmp_path / "scene.yaml"
    (tmp_path / "masks").mkdir()
    from PIL import Image

    Image.fromarray(hole_image(8)).save(tmp_path / "masks" / "hole.png")
    scene.write_text("version: 1\nmaterials:\n  window: {preset: skin, alpha_mask: masks/hole.png}\n"
                     "groups:\n  g: {parts: [b], material: {alpha_mask: masks/hole.png, alpha_cutoff: 0.2}}\n"
                     "parts:\n  a: {mesh: plane.glb, material: window}\n  b: {mesh: plane.glb}\n")  # fmt: skip
    loaded = load_scene(scene)
    assert loaded.masks["a"].cutoff == pytest.approx(0.5)
    assert loaded.masks["b"].cutoff == pytest.approx(0.2)


def _problems(scene) -> str:
    with pytest.raises(SceneError) as caught:
        load_scene(scene)
    return str(caught.value)


def test_missing_mask_image_is_reported_at_its_line(tmp_path):
    write_plane(tmp_path / "plane.glb")
    scene = write_scene(tmp_path, {"sheet": ("plane.glb", "{alpha_mask: nowhere.png}")})
    message = _problems(scene)
    assert f"{scene}:5:" in message and "parts.sheet.material.alpha_mask" in message and "not found" in message


def test_unreadable_and_oversized_images_are_scene_errors(tmp_path):
    write_plane(tmp_path / "plane.glb")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really a png")
    from PIL import Image

    Image.new("L", (MAX_MASK_SIDE + 1, 2), 255).save(tmp_path / "wide.png")
    (tmp_path / "mask.svg").write_text("<svg/>")
    scene = write_scene(tmp_path, {"a": ("plane.glb", "{alpha_mask: broken.png}"),
                                   "b": ("plane.glb", "{alpha_mask: wide.png}"),
                                   "c": ("plane.glb", "{alpha_mask: mask.svg}")})  # fmt: skip
    message = _problems(scene)
    assert "parts.a.material.alpha_mask: cannot be read as an image" in message
    assert f"parts.b.material.alpha_mask: is {MAX_MASK_SIDE + 1}x2 pixels" in message
    assert "parts.c.material.alpha_mask: unsupported image format '.svg'" in message


def test_mask_outside_the_allowed_folders_is_refused(tmp_path):
    inner = tmp_path / "scene"
    inner.mkdir()
    write_plane(inner / "plane.glb")
    from PIL import Image

    Image.fromarray(hole_image(8)).save(tmp_path / "outside.png")
    scene = write_scene(inner, {"a": ("plane.glb", "{alpha_mask: ../outside.png}")})
    assert "outside the scene's folder" in _problems(scene)


def test_mask_on_a_mesh_without_texture_coordinates(tmp_path):
    import trimesh

    trimesh.creation.box(extents=(0.1, 0.1, 0.1)).export(tmp_path / "box.stl")
    scene = write_scene(tmp_path, {"box": ("box.stl", "{alpha_mask: hole.png}")}, image=hole_image(8))
    message = _problems(scene)
    assert f"{scene}:4:" in message and "parts.box.mesh" in message and "needs texture coordinates" in message


def test_glb_nodes_that_disagree_on_masks_need_a_node(tmp_path):
    import trimesh

    masked = write_plane(tmp_path / "one.glb", gltf_mask=(hole_image(8), 0.5, 255))
    combined = trimesh.Scene()
    combined.add_geometry(trimesh.load(masked, force="mesh", process=False), node_name="window")
    combined.add_geometry(trimesh.creation.box(extents=(0.1, 0.1, 0.1)), node_name="frame")
    combined.export(tmp_path / "two.glb")
    scene = write_scene(tmp_path, {"both": ("two.glb", "organ")})
    assert "choose one node with `node:`" in _problems(scene)
    only = write_scene(tmp_path, {"window": ("two.glb", "organ")}, extra="    node: window\n")
    assert load_scene(only).masks["window"].size == (8, 8)


def test_shelf_packing_keeps_masks_apart_inside_pages():
    rng = np.random.default_rng(3)
    sizes = [tuple(int(v) for v in rng.integers(1, 300, 2)) for _ in range(60)] + [(512, 40)]
    side = page_side(sizes)
    assert side == 512
    slots, pages = pack_shelves(sizes, side)
    assert pages >= 1 and len(slots) == len(sizes)
    used = np.zeros((pages, side, side), dtype=np.int32)
    for slot, (w, h) in zip(slots, sizes, strict=True):
        x, y, sw, sh = slot.rect
        assert (sw, sh) == (w, h) and x + w <= side and y + h <= side
        used[slot.layer, y:y + h, x:x + w] += 1
    assert used.max() == 1  # no texel shared by two masks
