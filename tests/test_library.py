"""The bundled anatomy library (assets/library, built from BodyParts3D by tools/build_library.py):
its catalogue and files, finding parts, and scenes that name them. No GL."""

from __future__ import annotations

import json

import numpy as np
import pytest
from conftest import ROOT

from renderer.errors import SceneError
from renderer.library.catalogue import load_catalogue
from renderer.scene.load import load_scene
from renderer.scene.meshes import load_mesh

LIBRARY = ROOT / "assets" / "library"


def _scene(tmp_path, text: str):
    path = tmp_path / "scene.yaml"
    path.write_text("version: 1\n" + text, encoding="utf-8")
    return path


def test_library_holds_the_whole_skeleton_and_limb_muscles_within_its_size_budget():
    catalogue = load_catalogue()
    size = sum(p.stat().st_size for p in LIBRARY.rglob("*") if p.is_file())
    assert size < 20 * 2**20, f"{size / 2**20:.1f} MiB"
    bones = catalogue.select(tissue="bone")
    assert len(bones) >= 195  # 200 of the source's bones (ethmoid and vomer excluded, see its README)
    for region in ("right_upper_limb", "right_lower_limb", "left_upper_limb", "left_lower_limb"):
        assert len(catalogue.select(region=region, system="muscular")) >= 40, region
    for needed in ("right_femur", "left_humerus", "sacrum", "mandible", "atlas", "axis", "manubrium", "diaphragm",
                   "right_long_head_of_biceps_brachii", "left_tenth_rib", "frontal_bone"):  # fmt: skip
        assert needed in catalogue.parts, needed
    assert set(catalogue.excluded) == {"Ethmoid", "Vomer"}


def test_every_catalogued_file_is_a_loadable_mesh_matching_its_entry():
    catalogue = load_catalogue()
    data = json.loads((LIBRARY / "catalogue.json").read_text(encoding="utf-8"))
    assert len(data["parts"]) == len(catalogue.parts) == len(list((LIBRARY / "parts").glob("*.glb")))
    for part in list(catalogue.parts.values())[::25]:  # a spread sample; loading all takes a while
        mesh = load_mesh(catalogue.path_of(part))
        assert mesh.triangle_count == part.triangles
        np.testing.assert_allclose(mesh.bounds, part.bounds_m, atol=2e-5)


def test_the_body_is_upright_in_metres_with_the_left_on_plus_x_and_the_face_toward_plus_z():
    parts = load_catalogue().parts
    lo = np.min([p.bounds_m[0] for p in parts.values()], axis=0)
    hi = np.max([p.bounds_m[1] for p in parts.values()], axis=0)
    assert 1.5 < hi[1] - lo[1] < 1.95 and hi[1] - lo[1] > max(hi[0] - lo[0], hi[2] - lo[2])
    centre = lambda i: np.mean(parts[i].bounds_m, axis=0)
    assert centre("left_femur")[0] > 0 > centre("right_femur")[0]
    assert centre("body_of_sternum")[2] > centre("seventh_thoracic_vertebra")[2]  # the front is +Z
    assert centre("frontal_bone")[1] > centre("right_femur")[1] > centre("right_calcaneus")[1]


def test_parts_stored_in_another_frame_are_back_in_the_body():
    parts = load_catalogue().parts
    centre = lambda i: np.mean(parts[i].bounds_m, axis=0)
    size = lambda i: np.subtract(*parts[i].bounds_m[::-1])
    assert 0.08 < size("mandible")[0] < 0.13  # a mandible's width, not 1/29 of it
    assert abs(centre("sacrum")[1] - centre("fifth_lumbar_vertebra")[1]) < 0.15
    assert parts["sacrum"].bounds_m[1][1] <= parts["fifth_lumbar_vertebra"].bounds_m[1][1]
    assert abs(centre("atlas")[1] - centre("third_cervical_vertebra")[1]) < 0.08
    dome, ribs = parts["diaphragm"].bounds_m, parts["right_tenth_rib"].bounds_m
    assert ribs[0][1] - 0.1 < dome[1][1] < 1.35 and abs(centre("diaphragm")[0]) < 0.02
    assert all(parts[i].frame_fix for i in ("mandible", "sacrum", "diaphragm", "atlas", "axis", "manubrium"))


def test_search_finds_parts_by_everyday_words_and_ranks_names_first():
    catalogue = load_catalogue()
    knee = [p.id for p in catalogue.search("knee")]
    assert {"right_femur", "right_patella", "right_tibia", "left_popliteus"} <= set(knee)
    assert "right_humerus" not in knee
    assert [p.id for p in catalogue.search("right femur")] == ["right_femur"]
    assert {p.id for p in catalogue.search("rotator cuff")} >= {"left_supraspinatus", "right_subscapularis"}
    assert catalogue.search("biceps brachii")[0].name.endswith("biceps brachii")
    assert catalogue.suggest("right_femr") == ["right_femur"]


def test_library_cli_search_list_show(capsys):
    from renderer.cli import main

    assert main(["library", "search", "knee"]) == 0
    assert "right_patella" in capsys.readouterr().out
    assert main(["library", "list", "--region", "right_lower_limb", "--system", "skeletal", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 32 and all(p["tissue"] == "bone" for p in listed)
    assert main(["library", "show", "right_femur"]) == 0
    assert "femur: {library: right_femur}" in capsys.readouterr().out
    assert main(["library", "show", "right_femr"]) == 1
    assert "did you mean right_femur?" in capsys.readouterr().err
    assert main(["library", "list", "--region", "leg"]) == 1


def test_scene_parts_and_selections_from_the_library(tmp_path):
    path = _scene(tmp_path, """parts:
  femur: {library: right_femur, opacity: 0.5}
  right_patella: {library: right_patella, material: {preset: bone, base_color: [0.9, 0.2, 0.2]}}
  leg_bones:
    name: {en: Leg bones}
    library: {region: right_lower_limb, system: skeletal, exclude: [right_talus]}
groups:
  tinted: {parts: [right_tibia], material: cartilage}
""")
    loaded = load_scene(path)
    scene = loaded.scene
    assert scene.parts["femur"].opacity == 0.5 and scene.parts["femur"].material == "bone"
    assert "right_talus" not in scene.parts and "right_calcaneus" in scene.parts
    assert scene.groups["leg_bones"].name == {"en": "Leg bones"} and len(scene.groups["leg_bones"].parts) == 31
    assert scene.parts["right_patella"].material.base_color[0] > 0.5  # the scene's own entry wins
    assert "material" not in scene.parts["right_tibia"].model_fields_set  # the group's material applies
    assert scene.parts["right_fibula"].name == {"en": "Right fibula"}
    assert loaded.meshes["femur"].bounds[1][1] > 0.8  # metres, in the body frame


@pytest.mark.parametrize(("entry", "line", "expected"), [
    ("  femur: {library: right_femr}", 4, "no library part 'right_femr'; did you mean 'right_femur'?"),
    ("  leg:\n    library: {region: right_leg}", 5, "no region 'right_leg'; did you mean 'right_lower_limb'?"),
    ("  leg:\n    library: {regoin: thorax}", 5, "unknown key 'regoin'; did you mean 'region'?"),
    ("  leg:\n    library: {side: left, ids: [right_femur]}", 5, "no library part matches all of this"),
    ("  femur: {library: right_femur, mesh: femur.stl}", 4, "a library part brings its own mesh; remove `mesh:`"),
    ("  leg: {library: {}}", 4, "say which parts"),
])  # fmt: skip
def test_library_mistakes_are_reported_where_written_with_a_fix(tmp_path, entry, line, expected):
    path = _scene(tmp_path, "# a comment\nparts:\n" + entry + "\n")
    with pytest.raises(SceneError) as error:
        load_scene(path, load_assets=False)
    text = str(error.value)
    assert expected in text, text
    assert f"scene.yaml:{line}:" in text, text
    assert "shows nothing" not in text, text


def test_a_step_can_name_library_ids_and_selection_groups(tmp_path):
    path = _scene(tmp_path, """parts:
  arm: {library: {ids: [right_humerus, right_radius]}}
lesson:
  steps:
    - {title: {en: One}, only: [arm], label: [right_humerus]}
    - {title: {en: Two}, show: [right_radiuss]}
""")
    with pytest.raises(SceneError) as error:
        load_scene(path, load_assets=False)
    assert "unknown part, group or molecule 'right_radiuss'; did you mean 'right_radius'?" in str(error.value)


def test_a_block_where_a_library_id_belongs_is_a_scene_error(tmp_path):
    """Found by the fuzz campaign (case 1126 of seed 2): `ids: [{...}]` was an internal error."""
    from renderer.errors import SceneError
    from renderer.scene.load import load_scene

    scene = tmp_path / "s.yaml"
    scene.write_text("version: 1\nparts:\n  leg:\n    library: {ids: [{a: 1}], exclude: [[x]]}\n")
    with pytest.raises(SceneError, match="write a library id here"):
        load_scene(scene)
