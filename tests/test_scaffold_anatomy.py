"""`prosector new` on real anatomy (BodyParts3D, 515 GLBs nobody here made): one unit and up axis per
batch, tissue, names, groups, and re-exports of the same anatomy in other units and formats."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from renderer.cli import main
from renderer.scene.load import load_scene
from renderer.scene.part_materials import part_material
from renderer.scene.scaffold_frame import decide_frame
from renderer.scene.scaffold_names import clean_name, make_id
from renderer.scene.scaffold_tissue import guess_tissue

BODYPARTS3D = Path(os.environ.get("PROSECTOR_BODYPARTS3D", "")
                   or Path(__file__).resolve().parents[2] / "shared/data/bodyparts3d")  # ../shared beside the checkout
needs_data = pytest.mark.skipif(
    not (BODYPARTS3D / "meta.json").is_file(),
    reason=f"BodyParts3D meshes not found at {BODYPARTS3D} (set PROSECTOR_BODYPARTS3D)",
)
# Right answers: the dataset's group, except where the name itself says the tissue (BodyParts3D files
# intervertebral disks and costal cartilages under "bones", the flexor retinaculum under "muscles").
EXPLICIT_TISSUE = {"disk": "cartilage", "cartilage": "cartilage", "retinaculum": "ligament"}
GROUP_TISSUE = {"bones": "bone", "muscles": "muscle"}
HANDFUL = ["Frontal bone", "Right humerus", "Left fifth rib", "Left femur", "Left tibia", "Left calcaneus",
           "Left vastus lateralis"]  # fmt: skip


def _records() -> list[dict]:
    records = json.loads((BODYPARTS3D / "meta.json").read_text())
    return [r for r in records if (BODYPARTS3D / r["filename"]).is_file()]


def _truth(record: dict) -> str:
    words = record["label"].lower().split()
    return next((t for w, t in EXPLICIT_TISSUE.items() if w in words), GROUP_TISSUE[record["group"]])


@needs_data
@pytest.mark.parametrize("evidence", ["names only", "names, folders and meta.json"])
def test_tissue_is_right_for_at_least_93_percent_of_bones_and_muscles(evidence):
    records = [r for r in _records() if r["group"] in GROUP_TISSUE]
    assert len(records) >= 470
    wrong = []
    for record in records:
        name = Path(record["filename"]).stem if evidence == "names only" else record["label"]
        groups = [] if evidence == "names only" else [record["group"], Path(record["filename"]).parent.name]
        preset, _why = guess_tissue(clean_name(name)[0], groups)
        if preset != _truth(record):
            wrong.append((record["label"], preset))
    assert 1 - len(wrong) / len(records) >= 0.93, wrong


def test_tissue_words_match_whole_words_only():
    assert guess_tissue("Diaphragm")[0] == "muscle"  # not grey matter for its "gm"
    assert guess_tissue("Lateral head of left gastrocnemius")[0] == "muscle"  # a muscle's head is not skin
    assert guess_tissue("Left tibialis anterior")[0] == "muscle"  # not bone for its "tibia"
    assert guess_tissue("Right fibularis tertius")[0] == "muscle"
    assert guess_tissue("Humeral head of right flexor carpi ulnaris")[0] == "muscle"
    assert guess_tissue("Intervertebral disk of axis")[0] == "cartilage"
    assert guess_tissue("lh.pial")[0] == "brain_grey_matter" and guess_tissue("lh_wm")[0] == "brain_white_matter"
    assert guess_tissue("structure_17", ["bones"]) == ("bone", "group 'bones'")
    assert guess_tissue("structure_17") == ("organ", "default")


def test_names_drop_dataset_ids_and_ids_never_collide():
    assert clean_name("FJ40_BP62922_FMA24474_Right_femur") == ("Right femur", {"fj": "FJ40", "bp": "BP62922",
                                                                               "fma": "24474"})  # fmt: skip
    assert clean_name("left-patella")[0] == "Left patella"
    taken: set[str] = set()
    long = "Intervertebral disk between the {} twelfth thoracic vertebra and the first lumbar vertebra of the spine"
    left, right = make_id(long.format("left"), taken), make_id(long.format("right"), taken)
    assert left != right and "left" in left and "right" in right and len(left) <= 64
    assert make_id("Right femur", taken) == "right_femur" and make_id("Right femur", taken) == "right_femur_2"
    assert make_id("3D model", taken) == "part_3d_model"


def _box(size, low=(0.0, 0.0, 0.0)) -> np.ndarray:
    return np.array([low, np.add(low, size)], dtype=float)


def test_one_unit_for_the_whole_batch():
    # an 8 m plane and a 2 m sphere on it stay in metres (per-file guessing put the plane in cm)
    assert decide_frame([_box((8, 0.01, 8)), _box((2, 2, 2), (3, 0, 3))]).unit == "m"
    # a body in millimetres: every file mm, small bones too; Z-up from its shape
    body = [_box((300, 200, 1700))] + [_box((15, 10, 20), (0, 0, i * 40)) for i in range(40)]
    frame = decide_frame(body)
    assert (frame.unit, frame.up_axis, frame.overrides) == ("mm", "z", {})
    # a standing body 1.75 m tall in centimetres, Y up
    assert decide_frame([_box((50, 175, 30)), _box((10, 40, 10), (0, 80, 0)), _box((5, 20, 5))]).unit == "cm"
    # a millimetre file among metre ones gets its own unit, said why
    mixed = decide_frame([_box((0.2, 0.05, 0.05)), _box((0.1, 0.1, 0.1)), _box((80, 80, 80))])
    assert mixed.unit == "m" and mixed.overrides[2][0] == "mm" and "in mm it matches" in mixed.overrides[2][1]


def test_files_in_another_frame_are_found_apart_and_small():
    from renderer.scene.scaffold_frame import detached_files

    spine = [_box((0.05, 0.03, 0.05), (0, 0, 0.04 * i)) for i in range(12)]  # touching vertebrae, metres
    elsewhere = [_box((0.002, 0.002, 0.002), (0.5, 0, 0.01)), _box((0.002, 0.003, 0.002), (0.5, 0, 0.012))]
    found = detached_files(spine + elsewhere)
    assert sorted(found) == [12, 13] and "another scale or frame" in found[12]
    assert detached_files(spine + [_box((0.05, 0.03, 0.05), (0.5, 0, 0))]) == {}  # apart, but not off in size


def _scene_bounds(loaded, ids=None) -> np.ndarray:
    boxes = [loaded.meshes[i].bounds for i in (ids or loaded.meshes) if loaded.scene.parts[i].visible]
    return np.array([np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)])


def _handful() -> list[tuple[str, list]]:
    """(label, trimesh meshes in the body frame: millimetres, Z up) of a few parts spanning the body."""
    import trimesh

    records = {r["label"]: r for r in _records()}
    out = []
    for label in HANDFUL:
        scene = trimesh.load(str(BODYPARTS3D / records[label]["filename"]), force="scene")
        out.append((label, scene.to_geometry()))  # node transforms applied, as a glTF viewer shows it
    return out


@needs_data
def test_re_exports_in_cm_mm_and_metres_scaffold_to_the_same_upright_anatomy(tmp_path):
    import trimesh

    parts = _handful()
    sets = {"obj_cm_yup": [], "stl_mm_zup": [], "glb_m_yup": []}
    zup_to_yup = trimesh.transformations.rotation_matrix(-np.pi / 2, [1, 0, 0])  # (x, y, z) -> (x, z, -y)
    for name in sets:
        (tmp_path / name).mkdir()
    multi = trimesh.Scene()
    for label, mesh in parts:
        stem = label.replace(" ", "_")
        cm = mesh.copy().apply_transform(zup_to_yup).apply_scale(0.1)
        cm.export(tmp_path / "obj_cm_yup" / f"{stem}.obj")
        mesh.export(tmp_path / "stl_mm_zup" / f"{stem}.stl")
        multi.add_geometry(mesh.copy().apply_transform(zup_to_yup).apply_scale(0.001), node_name=stem,
                           geom_name=stem)  # fmt: skip
    multi.export(tmp_path / "glb_m_yup" / "handful.glb")
    bounds = {}
    for name in sets:
        files = sorted((tmp_path / name).iterdir())
        scene = tmp_path / f"{name}.yaml"
        assert main(["new", str(scene), "--from", *map(str, files)]) == 0
        loaded = load_scene(scene)
        assert len(loaded.scene.parts) == len(HANDFUL)
        bounds[name] = _scene_bounds(loaded)
        femur = next(i for i in loaded.scene.parts if "femur" in i)
        tibia = next(i for i in loaded.scene.parts if "tibia" in i)
        skull = next(i for i in loaded.scene.parts if "frontal" in i)
        assert loaded.meshes[femur].bounds.mean(axis=0)[1] > loaded.meshes[tibia].bounds.mean(axis=0)[1]  # upright
        assert loaded.meshes[skull].bounds[1][1] == pytest.approx(bounds[name][1][1])  # the head on top
        assert part_material(loaded.scene, femur) == "bone"
        assert part_material(loaded.scene, next(i for i in loaded.scene.parts if "vastus" in i)) == "muscle"
        assert 1.5 <= bounds[name][1][1] - bounds[name][0][1] <= 1.95
    reference = bounds["stl_mm_zup"]
    for name, box in bounds.items():
        np.testing.assert_allclose(box, reference, atol=0.002, err_msg=name)  # within 2 mm


@needs_data
def test_a_region_of_the_body_scaffolds_with_groups_and_metadata(tmp_path, capsys):
    records = [r for r in _records() if "left" in r["label"].lower().split() and any(
        w in r["label"].lower() for w in ("femur", "tibia", "fibula", "patella", "vastus", "gastrocnemius"))]
    files = [str(BODYPARTS3D / r["filename"]) for r in records]
    scene = tmp_path / "knee.yaml"
    capsys.readouterr()
    assert main(["new", str(scene), "--from", *files, str(BODYPARTS3D / "meta.json")]) == 0  # meta.json skipped
    out = capsys.readouterr()
    assert f"{len(files)} part(s), unit mm, up axis z for the whole set; " in out.out and "skipped" in out.err
    text = scene.read_text()
    assert "defaults:\n  unit: mm\n  up_axis: z\n" in text and "# Units and up axis decided for all" in text
    assert 'name: {en: "Left femur"}' in text and 'ids: {bp: "BP' in text and "FMA" not in text.split("groups:")[1]
    loaded = load_scene(scene)
    assert loaded.scene.parts["left_femur"].unit == "mm" and loaded.scene.parts["left_femur"].ids["fma"] == "24475"
    assert set(loaded.scene.groups) >= {"bones", "muscles"}
    assert loaded.scene.groups["bones"].material == "bone" and "left_femur" in loaded.scene.groups["bones"].parts
    assert "material" not in loaded.scene.parts["left_femur"].model_fields_set  # one group edit changes them all


@needs_data
@pytest.mark.slow
@pytest.mark.gl
def test_the_whole_body_scaffolds_validates_without_warnings_and_renders_upright(tmp_path, headless, output_dir):
    """All 515 files, no edits (about 40 s on 2 cores; benchmarks/scaffold_body.py times the commands)."""
    from renderer.scene.lints import scene_warnings
    from renderer.scene.step_state import scene_state
    from tests.helpers import foreground_mask, mask_bbox
    from tests.test_render import background_srgb

    records = _records()
    scene = tmp_path / "body.yaml"
    assert main(["new", str(scene), "--from", *(str(BODYPARTS3D / r["filename"]) for r in records)]) == 0
    loaded = load_scene(scene)
    assert len(loaded.scene.parts) == len(records) == 515
    assert scene_warnings(loaded) == []
    hidden = sorted(i for i, p in loaded.scene.parts.items() if not p.visible)  # the README's files in another frame
    assert hidden == ["atlas", "axis", "diaphragm", "ethmoid", "mandible", "manubrium", "sacrum", "vomer"]
    low, high = _scene_bounds(loaded)
    assert 1.5 <= high[1] - low[1] <= 1.95 and high[1] - low[1] > 2 * (high[0] - low[0])  # a standing body
    assert loaded.meshes["frontal_bone"].bounds[1][1] > loaded.meshes["left_femur"].bounds[1][1] > \
        loaded.meshes["left_calcaneus"].bounds[1][1]  # fmt: skip
    by_label = {loaded.scene.parts[i].name["en"]: i for i in loaded.scene.parts}
    checked = [(part_material(loaded.scene, by_label[r["label"]]), _truth(r))
               for r in records if r["group"] in GROUP_TISSUE]  # fmt: skip
    assert sum(a == b for a, b in checked) / len(checked) >= 0.93
    headless.load(loaded)
    headless.scene.apply(scene_state(loaded))
    image = headless.render(120, 200, options=headless.options(labels=False))
    from tests.conftest import save_png

    save_png(output_dir / "body.png", image)
    mask = foreground_mask(image, background_srgb(headless))
    x0, y0, x1, y1 = mask_bbox(mask)
    assert (y1 - y0) > 2 * (x1 - x0), (x0, y0, x1, y1)  # upright in the picture, not lying along the view
    red, green = image[..., 0].astype(float), image[..., 1].astype(float)
    bone = mask & (green > 0.75 * red)
    head, middle = slice(y0, y0 + (y1 - y0) // 10), slice(y0 + (y1 - y0) * 3 // 10, y0 + (y1 - y0) // 2)
    assert bone[head].mean() > 2 * bone[middle].mean()  # the skull is on top; the trunk below is muscle


@needs_data
def test_metadata_found_by_file_name_when_the_files_were_moved(tmp_path):
    import shutil

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    records = [r for r in _records() if r["label"] in ("Left femur", "Left soleus", "Left patella")]
    for record in records:
        shutil.copy(BODYPARTS3D / record["filename"], downloads)  # flat: meta.json's folders no longer apply
    shutil.copy(BODYPARTS3D / "meta.json", downloads)
    scene = tmp_path / "s.yaml"
    assert main(["new", str(scene), "--from", *map(str, sorted(downloads.glob("*.glb")))]) == 0
    loaded = load_scene(scene)
    assert loaded.scene.parts["left_soleus"].ids == {"fma": "22559", "fj": "FJ834", "bp": "BP63003"}
    assert {i: part_material(loaded.scene, i) for i in loaded.scene.parts} == {
        "left_femur": "bone", "left_patella": "bone", "left_soleus": "muscle"}  # fmt: skip
