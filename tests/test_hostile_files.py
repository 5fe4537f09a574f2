"""Hostile and broken files give clean scene errors, bounded, before the work: regressions from issue 14
and from the fuzz campaign (tools/fuzz)."""

from __future__ import annotations

import json
import logging
import os
import struct

import numpy as np
import pytest

from renderer.errors import MAX_PROBLEMS_SHOWN, Problem, SceneError
from renderer.scene.load import load_scene
from tests.conftest import ROOT
from tests.hostile_cases import gltf_naming

PDB = ROOT / "assets" / "molecules" / "1hpv.pdb"


def _problems(scene, text: str, load_assets: bool = True) -> str:
    scene.write_text(text)
    with pytest.raises(SceneError) as caught:
        load_scene(scene, load_assets=load_assets)
    return str(caught.value)


# --- YAML: limits hold while parsing; only SceneError comes out -------------------------------------


@pytest.mark.parametrize("text", ["parts: " + "[" * 500, "parts:\n" + "".join("  " * i + "- \n" for i in range(1, 500)),
                                  "parts: " + "{a: " * 500])  # fmt: skip
def test_deep_nesting_is_a_scene_error(tmp_path, text):
    assert "nesting deeper than 64 levels" in _problems(tmp_path / "s.yaml", "version: 1\n" + text)


@pytest.mark.parametrize("tag, expected", [("!!bool maybe", "true or false"), ("!!int ''", "a whole number"),
                                           ("!!float ''", "a number")])  # fmt: skip
def test_typed_tags_that_fail_are_scene_errors(tmp_path, tag, expected):
    message = _problems(tmp_path / "s.yaml", f"version: 1\ntitle: {tag}\n", load_assets=False)
    assert "s.yaml:2:8: cannot read" in message and expected in message


def test_flat_list_stops_at_the_value_limit_while_parsing(tmp_path):
    message = _problems(tmp_path / "s.yaml", "version: 1\nparts: [" + "1, " * 600_000 + "]\n", load_assets=False)
    assert "document too large: more than 200,000 values" in message


def test_one_huge_value_is_refused(tmp_path):
    message = _problems(tmp_path / "s.yaml", "version: 1\ntitle: " + "x" * 150_000 + "\n", load_assets=False)
    assert "a value of 150,000 characters; the limit is 100,000" in message


def test_alias_expansion_is_bounded_while_parsing(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 12)]
    message = _problems(tmp_path / "s.yaml", "version: 1\n" + "\n".join(lines) + "\n", load_assets=False)
    assert "aliases (*name) expand to more than 20,000 values" in message


def test_long_group_chain_is_checked_once_per_group(tmp_path):
    """3,000 chained groups (72 KB) took 50 s when each group's chain was walked from scratch."""
    groups = "".join(f"  g{i}: {{parent: g{i + 1}}}\n" for i in range(3000)) + "  g3000: {parts: [p]}\n"
    (tmp_path / "arm.glb").write_bytes((ROOT / "assets" / "anatomy-simple" / "arm.glb").read_bytes())
    scene = tmp_path / "s.yaml"
    scene.write_text(f"version: 1\nparts:\n  p: {{mesh: arm.glb}}\ngroups:\n{groups}")
    assert len(load_scene(scene, load_assets=False).scene.groups) == 3001


def test_group_cycle_reported_once_per_member_with_a_short_chain(tmp_path):
    groups = "".join(f"  g{i}: {{parent: g{(i + 1) % 500}}}\n" for i in range(500))
    scene = tmp_path / "s.yaml"
    scene.write_text(f"version: 1\ngroups:\n{groups}")
    with pytest.raises(SceneError) as caught:
        load_scene(scene, load_assets=False)
    cycles = [p for p in caught.value.problems if "groups form a cycle" in p.message]
    assert len(cycles) == 500 and "g0 -> g1 -> g2" in cycles[0].message and "(493 more) -> g0" in cycles[0].message


def test_error_output_is_bounded():
    error = SceneError([Problem("s.yaml", line, 1, "x" * 2000) for line in range(1, 10_002)])
    lines = str(error).splitlines()
    assert len(error.problems) == 10_001 and len(lines) == MAX_PROBLEMS_SHOWN + 1
    assert lines[-1] == f"... and {10_001 - MAX_PROBLEMS_SHOWN} more problems" and len(lines[0]) < 700


@pytest.mark.parametrize("vector", ["bones: [{name: b, head_m: [0, .nan, 0], tail_m: [0, 1, 0]}]",
                                    "bones: [{name: b, head_m: [0, 0, 0], tail_m: [0, 1, 0], "
                                    "rotation_deg: [.inf, 0, 0]}]"])  # fmt: skip
def test_non_finite_deformer_vectors_fail_validation(tmp_path, vector):
    (tmp_path / "arm.glb").write_bytes((ROOT / "assets" / "anatomy-simple" / "arm.glb").read_bytes())
    text = f"version: 1\nparts:\n  p:\n    mesh: arm.glb\n    deform:\n      - {{kind: skinning, {vector}}}\n"
    assert "finite" in _problems(tmp_path / "s.yaml", text, load_assets=False)


def test_non_finite_breathing_axis_fails_validation(tmp_path):
    (tmp_path / "arm.glb").write_bytes((ROOT / "assets" / "anatomy-simple" / "arm.glb").read_bytes())
    text = "version: 1\nparts:\n  p:\n    mesh: arm.glb\n    deform: [{kind: breathing, axis: [-.inf, 0, 1]}]\n"
    assert "deform[0].axis[0]: expected a finite number, got -inf" in _problems(tmp_path / "s.yaml", text, False)


# --- glTF / GLB: every URI and count checked before trimesh ----------------------------------------


def _mesh_scene(folder, mesh_name: str) -> str:
    return _problems(folder / "s.yaml", f"version: 1\nparts:\n  p: {{mesh: {mesh_name}}}\n")


@pytest.mark.parametrize("uri, expected", [
    ("../outside/secret.bin", "outside the scene's folder"), ("/etc/passwd", "absolute path"),
    ("/dev/zero", "absolute path"), ("file:///etc/passwd", "URL"), ("fifo.bin", "named pipe"),
    ("sparse.bin", "the limit is"), ("link_out.bin", "outside the scene's folder"), ("folder.bin", "a folder"),
])  # fmt: skip
def test_gltf_buffer_uris_are_checked(tmp_path, uri, expected):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.bin").write_bytes(b"SECRET" * 10)
    scene_dir = tmp_path / "scene"
    scene_dir.mkdir()
    os.mkfifo(scene_dir / "fifo.bin")
    with open(scene_dir / "sparse.bin", "wb") as handle:
        handle.truncate(6 * 2**30)
    (scene_dir / "link_out.bin").symlink_to("../outside/secret.bin")
    (scene_dir / "folder.bin").mkdir()
    (scene_dir / "m.gltf").write_bytes(gltf_naming(buffer_uri=uri))
    message = _mesh_scene(scene_dir, "m.gltf")
    assert expected in message and "SECRET" not in message


def test_gltf_image_uri_outside_is_refused(tmp_path):
    (tmp_path / "tri.bin").write_bytes(struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0))
    (tmp_path / "m.gltf").write_bytes(gltf_naming(image_uri="../../../../etc/passwd"))
    assert "outside the scene's folder" in _mesh_scene(tmp_path, "m.gltf")


def test_gltf_missing_texture_is_left_out(tmp_path):
    (tmp_path / "tri.bin").write_bytes(struct.pack("<9f", 0, 0, 0, 1, 0, 0, 0, 1, 0))
    (tmp_path / "m.gltf").write_bytes(gltf_naming(image_uri="not-here.png"))
    (tmp_path / "s.yaml").write_text("version: 1\nparts:\n  p: {mesh: m.gltf}\n")
    assert load_scene(tmp_path / "s.yaml").meshes["p"].triangle_count == 1


def _glb_with(tree_change) -> bytes:
    data = (ROOT / "assets" / "anatomy-simple" / "arm.glb").read_bytes()
    json_length = struct.unpack_from("<I", data, 12)[0]
    tree = json.loads(data[20 : 20 + json_length])
    tree_change(tree)
    text = json.dumps(tree).encode()
    text += b" " * (-len(text) % 4)
    rest = data[20 + json_length :]
    header = struct.pack("<4sII", b"glTF", 2, 12 + 8 + len(text) + len(rest))
    return header + struct.pack("<II", len(text), 0x4E4F534A) + text + rest


@pytest.mark.parametrize("change, expected", [
    (lambda t: t["accessors"][0].update(count=2**31), "elements need"),
    (lambda t: t["bufferViews"][0].update(byteLength=2**40), "reaches byte"),
    (lambda t: t["buffers"][0].update(byteLength=2**33), "its data holds"),
    (lambda t: t["accessors"][0].update(componentType={"x": 1}), "unknown componentType"),  # fuzz case 186
    (lambda t: t["nodes"].append({"children": [len(t["nodes"])]}), "invalid, itself"),
    (lambda t: t["accessors"][0].update(sparse={"count": 10**9}), "sparse accessor"),
])  # fmt: skip
def test_glb_counts_checked_before_allocating(tmp_path, change, expected):
    (tmp_path / "m.glb").write_bytes(_glb_with(change))
    assert expected in _mesh_scene(tmp_path, "m.glb")


def test_truncated_glb_names_its_lengths(tmp_path):
    data = (ROOT / "assets" / "anatomy-simple" / "arm.glb").read_bytes()
    (tmp_path / "m.glb").write_bytes(data[: len(data) // 2])
    assert "cannot be read as GLB: its header says" in _mesh_scene(tmp_path, "m.glb")


# --- other mesh formats ----------------------------------------------------------------------------


def test_obj_mtllib_outside_is_refused_and_missing_one_skipped(tmp_path):
    triangle = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"
    (tmp_path / "a.obj").write_text("mtllib ../../../etc/passwd\n" + triangle)
    assert "outside the scene's folder" in _mesh_scene(tmp_path, "a.obj")
    (tmp_path / "b.obj").write_text("mtllib gone.mtl\n" + triangle)
    (tmp_path / "s.yaml").write_text("version: 1\nparts:\n  p: {mesh: b.obj}\n")
    assert load_scene(tmp_path / "s.yaml").meshes["p"].triangle_count == 1


def test_mtl_texture_that_is_a_pipe_is_refused(tmp_path):
    os.mkfifo(tmp_path / "t.png")
    (tmp_path / "a.mtl").write_text("newmtl a\nmap_Kd -s 1 1 1 t.png\n")
    (tmp_path / "a.obj").write_text("mtllib a.mtl\nusemtl a\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    assert "named pipe" in _mesh_scene(tmp_path, "a.obj")


def test_binary_stl_with_a_lying_count(tmp_path):
    (tmp_path / "a.stl").write_bytes(b"\0" * 80 + struct.pack("<I", 2**31) + b"\0" * 100)
    assert "promises 2,147,483,648 triangles" in _mesh_scene(tmp_path, "a.stl")


def test_ply_with_a_lying_count(tmp_path):
    header = b"ply\nformat binary_little_endian 1.0\nelement vertex 1000000000\nproperty float x\nend_header\n"
    (tmp_path / "a.ply").write_bytes(header + b"\0" * 64)
    assert "1,000,000,000 vertex" in _mesh_scene(tmp_path, "a.ply")


def test_far_vertex_is_named(tmp_path):
    (tmp_path / "a.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1e9 0\nf 1 2 3\n")
    assert "vertex 2 is at (0, 1e+09, 0) m" in _mesh_scene(tmp_path, "a.obj")


# --- molecules -------------------------------------------------------------------------------------


def _pdb_with(tmp_path, change) -> str:
    lines = PDB.read_text().splitlines()
    change(lines)
    (tmp_path / "m.pdb").write_text("\n".join(lines) + "\n")
    return "version: 1\nmolecules:\n  m: {path: m.pdb, style: cartoon}\n"


def test_far_atom_is_named_before_any_surface_is_built(tmp_path):
    def move(lines):
        index = next(i for i, line in enumerate(lines) if line.startswith("ATOM"))
        lines[index] = lines[index][:30] + f"{'99999.9':>8}" + lines[index][38:]

    message = _problems(tmp_path / "s.yaml", _pdb_with(tmp_path, move))
    assert "atom 1 (A PRO 1 N) is at (99999.9" in message and "farther than 10,000 Å" in message


def test_dangling_conect_drops_only_its_bond(tmp_path, caplog):
    scene = tmp_path / "s.yaml"
    scene.write_text(_pdb_with(tmp_path, lambda lines: lines.insert(len(lines) - 1, "CONECT99999 1234")))
    with caplog.at_level(logging.WARNING):
        loaded = load_scene(scene)
    from renderer.molecules.io import read_structure

    assert loaded.structures["m"].atom_count == read_structure(PDB).atom_count
    assert any("CONECT names an atom that is not in the file" in r.getMessage() for r in caplog.records)


def test_molecule_file_that_is_a_pipe_is_refused(tmp_path):
    os.mkfifo(tmp_path / "m.pdb")
    message = _problems(tmp_path / "s.yaml", "version: 1\nmolecules:\n  m: {path: m.pdb}\n")
    assert "m.pdb" in message and ("not a molecule file" in message or "named pipe" in message)


def test_surface_grid_is_bounded():
    from renderer.molecules.surface import MAX_SURFACE_CELLS, grid_spacing

    spacing = grid_spacing(np.zeros(3), np.array([1e5, 40.0, 40.0]), 0.6)
    cells = np.prod(np.ceil(np.array([1e5, 40.0, 40.0]) / spacing) + 1)
    assert spacing > 0.6 and cells <= MAX_SURFACE_CELLS
    assert grid_spacing(np.zeros(3), np.full(3, 50.0), 0.6) == 0.6


def test_includes_are_bounded_in_all(tmp_path, monkeypatch):
    from renderer.scene import limits

    monkeypatch.setattr(limits, "MAX_INCLUDED_BYTES", 4000)
    for index in range(4):
        (tmp_path / f"i{index}.yaml").write_text("description: {en: " + "x" * 1500 + "}\n")
    text = "version: 1\ninclude: [i0.yaml, i1.yaml, i2.yaml, i3.yaml]\n"
    assert "the scene and its includes exceed" in _problems(tmp_path / "s.yaml", text, load_assets=False)


def test_obj_vertices_with_two_coordinates(tmp_path):
    """Fuzz campaign cases 1169 and 3281: a mutated OBJ whose vertices lost a coordinate (internal error)."""
    (tmp_path / "a.obj").write_text("v 0 0\nv 1 0\nv 0 1\nf 1 2 3\n")
    assert "each vertex needs x, y and z" in _mesh_scene(tmp_path, "a.obj")
