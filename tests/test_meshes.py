"""Mesh files: what loads, and clear errors naming the file for what does not."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from renderer.errors import MeshError, SceneError
from renderer.scene.load import load_scene
from renderer.scene.meshes import load_mesh, vertex_normals


@pytest.mark.parametrize("suffix", [".obj", ".stl", ".ply", ".glb"])
def test_formats_load_with_outward_normals(tmp_path, suffix):
    path = tmp_path / f"ball{suffix}"
    trimesh.creation.icosphere(subdivisions=2, radius=0.1).export(path)
    mesh = load_mesh(path)
    assert mesh.triangle_count == 320
    assert len(mesh.positions) == 162  # STL corners are welded back into shared vertices
    outward = np.einsum(
        "ij,ij->i", mesh.normals, mesh.positions / np.linalg.norm(mesh.positions, axis=1, keepdims=True)
    )
    assert outward.min() > 0.95


def test_units_and_up_axis_convert_to_metres_y_up(tmp_path):
    box = trimesh.creation.box(extents=(10, 20, 300))  # millimetres, Z up: 30 cm tall
    box.export(tmp_path / "box.stl")
    mesh = load_mesh(tmp_path / "box.stl", unit="mm", up_axis="z")
    size = mesh.bounds[1] - mesh.bounds[0]
    np.testing.assert_allclose(size, [0.01, 0.3, 0.02], atol=1e-6)


def test_glb_nodes_stay_addressable(tmp_path):
    scene = trimesh.Scene()
    scene.add_geometry(trimesh.creation.icosphere(radius=0.1), node_name="femur", geom_name="femur_mesh")
    scene.add_geometry(
        trimesh.creation.box(extents=(0.1, 0.1, 0.1)),
        node_name="patella",
        geom_name="patella_mesh",
        transform=trimesh.transformations.translation_matrix((1, 0, 0)),
    )
    scene.export(tmp_path / "knee.glb")
    patella = load_mesh(tmp_path / "knee.glb", node="patella")
    assert patella.triangle_count == 12
    np.testing.assert_allclose(patella.bounds.mean(axis=0), [1, 0, 0], atol=1e-6)  # node transform applied
    with pytest.raises(MeshError, match="no node named 'tibia'; nodes: femur, patella"):
        load_mesh(tmp_path / "knee.glb", node="tibia")


def _scene_with(tmp_path, mesh_name: str):
    (tmp_path / "s.yaml").write_text(f"version: 1\nparts:\n  a: {{mesh: {mesh_name}}}\n")
    with pytest.raises(SceneError) as info:
        load_scene(tmp_path / "s.yaml")
    return str(info.value)


def test_missing_mesh(tmp_path):
    assert "file 'nothere.obj' not found" in _scene_with(tmp_path, "nothere.obj")


def test_empty_mesh_file(tmp_path):
    (tmp_path / "empty.stl").write_bytes(b"")
    message = _scene_with(tmp_path, "empty.stl")
    assert "empty.stl: the file is empty" in message and ":3:" in message


def test_corrupt_mesh_file(tmp_path):
    (tmp_path / "broken.glb").write_bytes(b"glTF\x02\x00\x00\x00garbage" + bytes(range(200)))
    message = _scene_with(tmp_path, "broken.glb")
    assert "broken.glb: cannot be read as GLB" in message


def test_mesh_without_triangles(tmp_path):
    (tmp_path / "points.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\n")
    assert "points.obj: contains no triangles" in _scene_with(tmp_path, "points.obj")


def test_nan_filled_mesh(tmp_path):
    (tmp_path / "nan.obj").write_text("v 0 0 0\nv nan 0 0\nv 0 1 0\nf 1 2 3\n")
    message = _scene_with(tmp_path, "nan.obj")
    assert "nan.obj: has 1 vertices with non-finite coordinates (NaN or infinity)" in message


def test_unsupported_format(tmp_path):
    (tmp_path / "model.fbx").write_bytes(b"Kaydara FBX Binary")
    assert "unsupported mesh format '.fbx'" in _scene_with(tmp_path, "model.fbx")


def test_vertex_normals_are_area_weighted():
    positions = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1.0]])
    faces = np.array([[0, 2, 1], [0, 1, 3]])  # -Z facing (area 0.5) and -Y facing (area 0.5)
    normals = vertex_normals(positions, faces)
    np.testing.assert_allclose(normals[0], [0, -np.sqrt(0.5), -np.sqrt(0.5)], atol=1e-12)
