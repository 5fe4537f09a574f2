"""`include:`: override semantics, paths relative to each file, positions in the right file, safety."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import trimesh

from renderer.errors import SceneError
from renderer.scene.load import load_scene


@pytest.fixture
def folder(tmp_path) -> Path:
    (tmp_path / "shared").mkdir()
    trimesh.creation.box(extents=(0.1, 0.1, 0.1)).export(tmp_path / "shared" / "bone.glb")
    trimesh.creation.icosphere(radius=0.05).export(tmp_path / "ball.glb")
    (tmp_path / "shared" / "skeleton.yaml").write_text(
        "version: 1\n"
        "title: {en: Skeleton}\n"
        "lights: {environment: {intensity: 0.5}, key: {intensity: 3.0}}\n"
        "parts:\n"
        "  femur: {mesh: bone.glb, material: bone, name: {en: Femur}}\n"  # relative to shared/
        "  tibia: {mesh: bone.glb, material: bone}\n"
        "  patella: {mesh: bone.glb, material: cartilage}\n"
        "groups:\n"
        "  leg: {parts: [femur, tibia, patella]}\n"
    )
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_including_file_overrides_key_by_key(folder):
    scene = write(folder / "lesson.yaml", (
        "version: 1\n"
        "include: [shared/skeleton.yaml]\n"
        "lights: {key: {intensity: 1.0}}\n"
        "parts:\n"
        "  femur: {material: muscle}\n"  # only the material changes; mesh and name come from the include
        "  patella: null\n"  # removed
        "  ball: {mesh: ball.glb}\n"  # relative to this file
        "groups:\n"
        "  leg: {parts: [femur, tibia]}\n"  # lists are replaced whole
    ))
    loaded = load_scene(scene)
    parts = loaded.scene.parts
    assert list(parts) == ["femur", "tibia", "ball"]
    assert parts["femur"].material == "muscle" and parts["femur"].name == {"en": "Femur"}
    assert loaded.asset_paths["femur"] == (folder / "shared" / "bone.glb").resolve()
    assert loaded.asset_paths["ball"] == (folder / "ball.glb").resolve()
    assert loaded.scene.lights.key.intensity == 1.0
    assert loaded.scene.lights.environment.intensity == 0.5  # untouched sibling key survives
    assert loaded.scene.title == {"en": "Skeleton"}
    assert loaded.scene.groups["leg"].parts == ["femur", "tibia"]


def test_later_includes_override_earlier_ones(folder):
    write(folder / "shared" / "colours.yaml", "parts:\n  tibia: {material: skin}\n")
    scene = write(folder / "lesson.yaml", "version: 1\ninclude: [shared/skeleton.yaml, shared/colours.yaml]\n")
    assert load_scene(scene).scene.parts["tibia"].material == "skin"


def test_problems_point_into_the_included_file(folder):
    write(folder / "shared" / "broken.yaml", "parts:\n  femur: {mesh: bone.glb, material: bnoe}\n")
    scene = write(folder / "lesson.yaml", "version: 1\ninclude: [shared/broken.yaml]\n"
                                          "lesson: {steps: [{title: One, show: [femr]}]}\n")  # fmt: skip
    with pytest.raises(SceneError) as caught:
        load_scene(scene)
    messages = [str(p) for p in caught.value.problems]
    included = str(folder / "shared" / "broken.yaml")
    assert any(m.startswith(f"{included}:2:37: parts.femur.material: unknown material 'bnoe'") for m in messages)
    assert any(m.startswith(f"{scene}:3:38: lesson.steps[0].show[0]: unknown part, group or molecule 'femr'; "
                            "did you mean 'femur'?") for m in messages)  # fmt: skip


def test_include_cycle_is_reported(folder):
    write(folder / "a.yaml", "version: 1\ninclude: [b.yaml]\nparts: {x: {mesh: ball.glb}}\n")
    write(folder / "b.yaml", "include: [a.yaml]\n")
    with pytest.raises(SceneError) as caught:
        load_scene(folder / "a.yaml")
    assert [p.message for p in caught.value.problems] == [
        "include[0]: include cycle: a.yaml -> b.yaml -> a.yaml; remove one of these includes"
    ]
    assert caught.value.problems[0].file == str(folder / "b.yaml")
    assert (caught.value.problems[0].line, caught.value.problems[0].column) == (1, 11)


def test_include_outside_the_folder_is_refused(folder, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    write(elsewhere / "secret.yaml", "parts: {}\n")
    scene = write(folder / "lesson.yaml", f"version: 1\ninclude: ['{elsewhere / 'secret.yaml'}']\n"
                                          "parts: {x: {mesh: ball.glb}}\n")  # fmt: skip
    with pytest.raises(SceneError) as caught:
        load_scene(scene)
    assert "is outside the scene's folder" in str(caught.value)


def test_symlink_pointing_outside_is_refused(folder, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    trimesh.creation.box().export(elsewhere / "private.glb")
    write(elsewhere / "private.yaml", "parts: {}\n")
    os.symlink(elsewhere / "private.glb", folder / "linked.glb")
    os.symlink(elsewhere / "private.yaml", folder / "linked.yaml")
    scene = write(folder / "lesson.yaml", "version: 1\ninclude: [linked.yaml]\nparts: {x: {mesh: linked.glb}}\n")
    with pytest.raises(SceneError) as caught:
        load_scene(scene)
    messages = [p.message for p in caught.value.problems]
    assert len(messages) == 1 and messages[0].startswith("include[0]: 'linked.yaml' is outside")
    scene = write(folder / "lesson.yaml", "version: 1\nparts: {x: {mesh: linked.glb}}\n")
    with pytest.raises(SceneError) as caught:
        load_scene(scene)
    assert caught.value.problems[0].message.startswith("parts.x.mesh: 'linked.glb' is outside")


def test_include_must_be_a_scene_file(folder):
    scene = write(folder / "lesson.yaml", "version: 1\ninclude: [ball.glb]\nparts: {x: {mesh: ball.glb}}\n")
    with pytest.raises(SceneError) as caught:
        load_scene(scene)
    assert str(caught.value) == f"{scene}:2:11: include[0]: 'ball.glb' is not a scene file (.yaml, .yml or .json)"


def test_loading_never_writes_the_files(folder):
    scene = write(folder / "lesson.yaml", "version: 1\ninclude: [shared/skeleton.yaml]\n")
    files = [scene, folder / "shared" / "skeleton.yaml"]
    before = [(f.read_bytes(), f.stat().st_mtime_ns) for f in files]
    load_scene(scene)
    assert [(f.read_bytes(), f.stat().st_mtime_ns) for f in files] == before


def test_json_scene_files_are_read(folder):
    scene = write(folder / "lesson.json", '{"version": 1, "include": ["shared/skeleton.yaml"],\n'
                                          ' "parts": {"tibia": {"material": "skn"}}}\n')  # fmt: skip
    with pytest.raises(SceneError) as caught:
        load_scene(scene)
    assert str(caught.value) == (f"{scene}:2:34: parts.tibia.material: unknown material 'skn'; did you mean 'skin'? "
                                 "(presets: bone, cartilage, muscle, tendon, ligament, fat, skin, artery, vein, nerve, "
                                 "brain_grey_matter, brain_white_matter, organ, membrane, glass, plastic)")  # fmt: skip
