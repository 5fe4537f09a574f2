"""The on-disk cache of parsed meshes (renderer/scene/mesh_cache.py) on real BodyParts3D files:
a hit equals a fresh read, an edited file misses, corrupt entries are ignored and rewritten, and an
unusable cache folder changes nothing but speed."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from renderer.scene import meshes
from renderer.scene.load import load_scene

BONES = Path("/work/shared/data/bodyparts3d/bones")
RADIUS = BONES / "FJ35_BP62914_FMA23464_Right_radius.glb"
METATARSAL = BONES / "FJ760_BP62482_FMA24513_Right_fourth_metatarsal_bone.glb"

pytestmark = pytest.mark.skipif(not RADIUS.exists(), reason="BodyParts3D data set not present")


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PROSECTOR_CACHE_DIR", str(folder))
    monkeypatch.delenv("PROSECTOR_NO_CACHE", raising=False)
    meshes._load_cached.cache_clear()  # the in-process memo would hide the disk cache
    yield folder
    meshes._load_cached.cache_clear()


@pytest.fixture
def mesh_file(tmp_path) -> Path:
    path = tmp_path / "scene" / "bone.glb"
    path.parent.mkdir()
    shutil.copyfile(RADIUS, path)
    return path


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "meshes").rglob("*.mesh"))


def _load(path: Path):
    meshes._load_cached.cache_clear()
    return meshes.load_mesh(path, unit="mm", up_axis="z")


def _same(a, b) -> None:
    assert a.name == b.name
    for field in ("positions", "normals", "indices"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        assert getattr(a, field).dtype == getattr(b, field).dtype
    assert (a.uvs is None) == (b.uvs is None)
    assert a.closed == b.closed


def _refuse_parsing(monkeypatch) -> None:
    def refuse(path):
        raise AssertionError(f"{path} was parsed although the cache holds it")

    monkeypatch.setattr(meshes, "read_mesh_pieces", refuse)


def test_a_hit_equals_a_fresh_read_without_parsing(cache, mesh_file, monkeypatch):
    fresh = meshes.read_mesh(mesh_file, unit="mm", up_axis="z")
    first = _load(mesh_file)
    assert len(_entries(cache)) == 1
    _refuse_parsing(monkeypatch)
    second = _load(mesh_file)
    _same(first, fresh)
    _same(second, fresh)


def test_options_are_part_of_the_key(cache, mesh_file):
    in_mm = _load(mesh_file)
    meshes._load_cached.cache_clear()
    in_cm = meshes.load_mesh(mesh_file, unit="cm", up_axis="z")
    assert len(_entries(cache)) == 2
    np.testing.assert_allclose(in_cm.positions, in_mm.positions * 10, rtol=1e-6)


def test_a_changed_file_misses_the_cache(cache, mesh_file):
    before = _load(mesh_file)
    shutil.copyfile(METATARSAL, mesh_file)  # same name, other content
    after = _load(mesh_file)
    _same(after, meshes.read_mesh(mesh_file, unit="mm", up_axis="z"))
    assert before.triangle_count != after.triangle_count
    assert len(_entries(cache)) == 2


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped byte", "bad indices"])
def test_a_corrupt_entry_is_ignored_and_rewritten(cache, mesh_file, damage):
    good = _load(mesh_file)
    (entry,) = _entries(cache)
    if damage == "garbage":
        entry.write_bytes(b"not a zip file at all")
    elif damage == "truncated":
        entry.write_bytes(entry.read_bytes()[:1000])
    elif damage == "flipped byte":  # inside the normals: only the checksum can tell
        blob = bytearray(entry.read_bytes())
        blob[-100] ^= 0x40
        entry.write_bytes(bytes(blob))
    else:  # a well-formed entry (checksum and all) whose triangles point past the vertices
        from renderer.scene import mesh_cache
        from renderer.scene.meshes import MeshData

        bad = MeshData(good.name, good.positions, good.normals, good.indices + np.uint32(len(good.positions)))
        mesh_cache._store_entry(entry.parent, entry, bad)
    again = _load(mesh_file)
    _same(again, good)
    from renderer.scene import mesh_cache

    arrays, _ = mesh_cache._parse(bytearray(entry.read_bytes()))  # rewritten with the good read
    np.testing.assert_array_equal(arrays["indices"], good.indices)


def test_an_unusable_cache_folder_still_loads(tmp_path, mesh_file, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("the cache folder cannot be made under a file")
    monkeypatch.setenv("PROSECTOR_CACHE_DIR", str(blocker / "cache"))
    fresh = meshes.read_mesh(mesh_file, unit="mm", up_axis="z")
    _same(_load(mesh_file), fresh)
    monkeypatch.setenv("PROSECTOR_NO_CACHE", "1")
    _same(_load(mesh_file), fresh)


def test_the_cache_never_widens_what_a_scene_may_read(cache, mesh_file):
    """A cached mesh outside the scene's allowed folders is still refused: paths are checked first."""
    _load(mesh_file)  # now cached
    scene = mesh_file.parent.parent / "elsewhere" / "scene.yaml"
    scene.parent.mkdir()
    scene.write_text("version: 1\nparts:\n  bone: {mesh: ../scene/bone.glb, unit: mm}\n")
    with pytest.raises(Exception) as caught:
        load_scene(scene)
    assert "bone.glb" in str(caught.value)


def test_scene_loads_use_the_cache_and_bound_its_size(cache, mesh_file, monkeypatch):
    shutil.copyfile(METATARSAL, mesh_file.parent / "other.glb")
    scene = mesh_file.parent / "scene.yaml"
    scene.write_text("version: 1\nparts:\n  a: {mesh: bone.glb, unit: mm, up_axis: z}\n"
                     "  b: {mesh: other.glb, unit: mm, up_axis: z}\n")  # fmt: skip
    first = load_scene(scene)
    assert len(_entries(cache)) == 2
    meshes._load_cached.cache_clear()
    _refuse_parsing(monkeypatch)
    second = load_scene(scene)
    for part in ("a", "b"):
        _same(second.meshes[part], first.meshes[part])
    from renderer import cache_dir

    cache_dir.prune(cache / "meshes", max_bytes=1, pattern="*.mesh")
    assert _entries(cache) == []


def _glb_with_external_buffer(source: Path, target: Path, uri: str, bin_path: Path) -> None:
    """Rewrite the GLB `source` as `target` whose only buffer is the file `bin_path`, named by `uri`."""
    import json
    import struct

    data = source.read_bytes()
    (json_length,) = struct.unpack_from("<I", data, 12)
    tree = json.loads(data[20 : 20 + json_length])
    offset = 20 + json_length + (-json_length % 4)
    (bin_length,) = struct.unpack_from("<I", data, offset)
    bin_path.parent.mkdir(parents=True, exist_ok=True)
    bin_path.write_bytes(data[offset + 8 : offset + 8 + bin_length])
    tree["buffers"][0]["uri"] = uri
    document = json.dumps(tree).encode()
    document += b" " * (-len(document) % 4)
    target.write_bytes(struct.pack("<4sII", b"glTF", 2, 20 + len(document))
                       + struct.pack("<II", len(document), 0x4E4F534A) + document)  # fmt: skip


def test_a_glb_naming_other_files_is_never_served_from_the_cache(cache, tmp_path):
    """A GLB whose buffer is another file: its own bytes do not decide the mesh, and whether the
    buffer may be read depends on the scene's roots, so every load re-reads and re-checks it."""
    scene_folder, outside = tmp_path / "scene", tmp_path / "outside"
    scene_folder.mkdir()
    glb = scene_folder / "bone.glb"
    _glb_with_external_buffer(RADIUS, glb, "../outside/bone.bin", outside / "bone.bin")
    allowed = meshes.load_mesh(glb, unit="mm", up_axis="z", roots=(scene_folder, outside))
    np.testing.assert_array_equal(allowed.positions, meshes.read_mesh(RADIUS, unit="mm", up_axis="z").positions)
    assert _entries(cache) == []
    meshes._load_cached.cache_clear()
    from renderer.errors import MeshError

    with pytest.raises(MeshError, match="outside"):
        meshes.load_mesh(glb, unit="mm", up_axis="z", roots=(scene_folder,))
    # Same GLB bytes, other buffer content: the mesh follows the buffer.
    blob = bytearray((outside / "bone.bin").read_bytes())
    blob[:12] = np.array([1.0, 2.0, 3.0], np.float32).tobytes()
    (outside / "bone.bin").write_bytes(bytes(blob))
    meshes._load_cached.cache_clear()
    edited = meshes.load_mesh(glb, unit="mm", up_axis="z", roots=(scene_folder, outside))
    assert not np.array_equal(edited.positions, allowed.positions)


def test_a_self_contained_glb_is_cached_and_still_checked_against_the_roots(cache, mesh_file, tmp_path):
    from renderer.errors import MeshError
    from renderer.scene.mesh_input import names_other_files

    assert not names_other_files(mesh_file, (mesh_file.parent,))
    _load(mesh_file)
    assert len(_entries(cache)) == 1
    meshes._load_cached.cache_clear()
    with pytest.raises(MeshError, match="outside"):
        meshes.load_mesh(mesh_file, unit="mm", up_axis="z", roots=(tmp_path / "elsewhere",))


def test_a_fifo_swapped_in_after_the_checks_is_not_hashed(cache, tmp_path):
    """The cache hashes a file the scene's checks already passed; if it has become a FIFO meanwhile,
    hashing must refuse at once (the checked reader then words it) instead of blocking forever."""
    import os

    from renderer.scene import mesh_cache

    fifo = tmp_path / "swapped.glb"
    os.mkfifo(fifo)
    with pytest.raises(OSError, match="not a regular file"):
        mesh_cache.content_digest(fifo)
    from renderer.errors import MeshError

    with pytest.raises(MeshError, match="not a regular file"):
        meshes.load_mesh(fifo)
