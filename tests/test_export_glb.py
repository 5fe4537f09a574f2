"""`prosector export --glb`: structure, materials, molecules, lesson extras, budgets, Khronos validator.

Exports the real example scenes (MNI152 head, fsaverage cortex, PDB 1HPV). The validator tests need
Node.js and web/node_modules (npm ci --prefix web); they are skipped with the reason otherwise.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from renderer.cli import main
from renderer.export.budgets import BUDGETS
from renderer.export.compress import compress, compression_available
from renderer.export.glb import build_glb
from renderer.export.gltf_builder import read_glb_json, triangle_count
from renderer.export.tessellate import icosphere, tessellate_atoms, tessellate_cylinders, tessellate_spheres
from renderer.export.validator import validate_glb, validator_missing
from renderer.molecules.representations import Cylinders, Spheres
from renderer.scene.load import load_scene

SCENES = Path(__file__).resolve().parents[1] / "scenes"
needs_gltfpack = pytest.mark.skipif(compression_available() is not None, reason=str(compression_available()))
needs_validator = pytest.mark.skipif(validator_missing() is not None, reason=str(validator_missing()))


@pytest.fixture(scope="module")
def brain():
    loaded = load_scene(SCENES / "brain-lesson.yaml")
    return loaded, build_glb(loaded, BUDGETS["quest"])


@pytest.fixture(scope="module")
def protease():
    loaded = load_scene(SCENES / "hiv-protease-lesson.yaml")
    return loaded, build_glb(loaded, BUDGETS["phone"])


def test_parts_are_named_nodes_with_their_materials(brain):
    loaded, result = brain
    doc = read_glb_json(result.data)
    names = {n["name"]: n for n in doc["nodes"]}
    assert set(loaded.meshes) <= set(names)
    for part_id in loaded.meshes:
        assert names[part_id]["extras"]["prosector"] == {"kind": "part", "id": part_id}
    materials = {m["name"]: m for m in doc["materials"]}
    grey = materials["cortex_left"]
    assert grey["pbrMetallicRoughness"]["roughnessFactor"] == pytest.approx(0.5)
    # brain_grey_matter: sRGB #c6a29a -> linear red 0.565
    assert grey["pbrMetallicRoughness"]["baseColorFactor"][0] == pytest.approx(0.5647, abs=1e-3)
    assert {"KHR_materials_clearcoat", "KHR_materials_sheen"} <= set(grey["extensions"])
    assert set(doc["extensionsUsed"]) >= {"KHR_materials_clearcoat", "KHR_materials_sheen"}
    assert result.triangles == loaded.triangle_count == triangle_count(doc)


def test_lesson_steps_and_labels_in_extras(brain):
    loaded, result = brain
    lesson = read_glb_json(result.data)["scenes"][0]["extras"]["prosector"]
    assert lesson["languages"][:2] == ["en", "zh"]
    steps = lesson["steps"]
    assert len(steps) == len(loaded.scene.lesson.steps) == 6
    assert steps[1]["title"] == {"en": "Opening the head", "zh": "打开头部", "es": "Abrir la cabeza",
                                 "fr": "Ouvrir la tête"}  # fmt: skip
    assert steps[1]["parts"]["head_skin"]["clip_planes"] == [[-1.0, 0.0, 0.0, 0.0]]  # keeps x <= 0
    assert steps[1]["parts"]["cortex_left"]["highlight"] and not steps[1]["parts"]["head_skin"]["highlight"]
    assert not steps[2]["parts"]["head_skin"]["visible"]
    labels = {label["target"]: label for label in steps[1]["labels"]}
    assert labels["cortex_left"]["text"]["zh"] == loaded.scene.parts["cortex_left"].name["zh"]
    # The anchor lies on the part's surface as moved in that step.
    cortex = loaded.meshes["cortex_left"].positions
    assert np.min(np.linalg.norm(cortex - labels["cortex_left"]["anchor_m"], axis=1)) < 1e-4
    # Step 4 pulls the hemispheres apart: its motion matrices are not the identity.
    motion = np.array(steps[3]["parts"]["cortex_left"]["motion"]).reshape(4, 4).T
    assert np.linalg.norm(motion[:3, 3]) > 0.01
    assert steps[5]["question"]["accept"] == ["white_matter"]


def test_molecules_become_meshes_within_the_budget(protease):
    loaded, result = protease
    doc = read_glb_json(result.data)
    molecules = [n for n in doc["nodes"] if n.get("extras", {}).get("prosector", {}).get("kind") == "molecule"]
    assert molecules and all(n["name"].startswith("protease") for n in molecules)
    assert all(n.get("children") for n in molecules)
    assert any(a.get("type") == "VEC3" for a in doc["accessors"])
    meshes = [doc["meshes"][doc["nodes"][c]["mesh"]] for n in molecules for c in n["children"]]
    assert all("COLOR_0" in m["primitives"][0]["attributes"] for m in meshes)
    assert result.triangles <= BUDGETS["phone"].max_triangles * 1.1


def test_sphere_and_bond_tessellation():
    vertices, faces = icosphere(2)
    assert len(faces) == 320 and np.allclose(np.linalg.norm(vertices, axis=1), 1.0)
    centres = np.array([[0, 0, 0], [3, 0, 0]], np.float32)
    spheres = Spheres(centres, np.array([1.0, 0.5], np.float32), np.ones((2, 3), np.float32))
    mesh = tessellate_spheres(spheres, 1)
    distance = np.linalg.norm(mesh.positions.reshape(2, -1, 3) - centres[:, None], axis=2)
    assert np.allclose(distance[0], 1.0, atol=1e-5) and np.allclose(distance[1], 0.5, atol=1e-5)
    # Counter-clockwise from outside: each face normal points away from its sphere's centre.
    tri = mesh.positions[mesh.indices]
    normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    outward = tri.mean(axis=1) - np.repeat(centres, 80, axis=0)
    assert (np.einsum("ij,ij->i", normal, outward) > 0).all()
    bonds = Cylinders(centres[:1], centres[1:], np.array([0.2], np.float32), np.zeros((1, 3), np.float32),
                      np.ones((1, 3), np.float32))  # fmt: skip
    tube = tessellate_cylinders(bonds, 8)
    assert tube.triangle_count == 32
    radial = np.linalg.norm(tube.positions[:, 1:], axis=1)
    assert np.allclose(radial, 0.2, atol=1e-5)
    assert set(map(tuple, tube.colors[tube.positions[:, 0] < 1.4])) == {(0.0, 0.0, 0.0)}  # half-bond colours
    fine, _ = tessellate_atoms(spheres, bonds, 10_000)
    coarse, _ = tessellate_atoms(spheres, bonds, 100)
    assert fine.triangle_count <= 10_000 and coarse.triangle_count < fine.triangle_count


@needs_validator
def test_uncompressed_file_passes_the_khronos_validator(brain, protease):
    for _, result in (brain, protease):
        report = validate_glb(result.data)
        assert report["issues"]["numErrors"] == 0, report["issues"]["messages"]
        assert report["issues"]["numWarnings"] == 0, report["issues"]["messages"]


@needs_gltfpack
@needs_validator
@pytest.mark.parametrize("device", sorted(BUDGETS))
def test_compressed_file_is_valid_and_within_budget(brain, protease, device):
    budget = BUDGETS[device]
    for loaded, result in (brain, protease):
        packed = compress(result.data, budget, result.triangles)
        report = validate_glb(packed)
        assert report["issues"]["numErrors"] == 0, report["issues"]["messages"]
        doc = read_glb_json(packed)
        assert {"EXT_meshopt_compression", "KHR_mesh_quantization"} <= set(doc["extensionsRequired"])
        assert len(packed) <= budget.max_bytes and len(packed) < len(result.data) / 3
        assert triangle_count(doc) <= budget.max_triangles
        names = {n.get("name") for n in doc["nodes"]}
        assert set(loaded.meshes) <= names  # gltfpack kept the named nodes
        assert doc["scenes"][0]["extras"]["prosector"]["steps"]  # and the lesson


@needs_gltfpack
def test_over_budget_scenes_are_simplified(brain):
    loaded, result = brain
    small = BUDGETS["phone"].__class__("tiny", 60_000, 8_000_000, 12)
    doc = read_glb_json(compress(result.data, small, result.triangles))
    assert 0.5 * small.max_triangles < triangle_count(doc) <= small.max_triangles


def test_cli_writes_a_glb_and_refuses_bad_outputs(tmp_path, capsys):
    out = tmp_path / "brain.glb"
    assert main(["export", str(SCENES / "brain.yaml"), "--glb", str(out), "--no-compress"]) == 0
    assert read_glb_json(out.read_bytes())["asset"]["version"] == "2.0"
    assert "triangles" in capsys.readouterr().out
    assert main(["export", str(SCENES / "brain.yaml"), "--glb", str(tmp_path / "brain.png")]) == 1
    assert "must end in .glb" in capsys.readouterr().err
    assert main(["export", str(SCENES / "brain.yaml")]) == 1
    assert "--glb" in capsys.readouterr().err


def test_web_export_refuses_a_folder_holding_other_files(tmp_path, capsys):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "essay.docx").write_text("a student's work")
    assert main(["export", str(SCENES / "brain.yaml"), "--web", str(folder)]) == 1
    assert "not empty" in capsys.readouterr().err
    assert (folder / "essay.docx").read_text() == "a student's work"


def test_web_export_writes_a_self_contained_folder(tmp_path):
    site = tmp_path / "site"
    assert main(["export", str(SCENES / "brain-lesson.yaml"), "--web", str(site), "--no-compress"]) == 0
    names = {p.name for p in site.iterdir()}
    assert {"index.html", "viewer.js", "scene.js", "fonts.css", "viewer.css", "THIRD-PARTY-LICENSES.txt"} <= names
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "<title>Inside the head</title>" in page
    assert 'type="module"' not in page and "http://" not in page and "https://" not in page
    assert "font/woff2;base64," in (site / "fonts.css").read_text() or "CSS font stack" in page
    # Exporting again into the same folder replaces the earlier export.
    assert main(["export", str(SCENES / "brain-lesson.yaml"), "--web", str(site), "--no-compress"]) == 0
