# ruff: noqa: E501  (golden messages are kept on one line each, exactly as printed)
"""Golden tests of the messages teachers see: exact file, line, column and text for typical mistakes.

Each case edits one line of tests/data/errors/base.yaml (a valid lesson) the way a teacher might get
it wrong, and checks every problem reported. When wording improves on purpose, update the text here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import trimesh

from renderer.errors import SceneError
from renderer.scene.load import load_scene

BASE = Path(__file__).parent / "data" / "errors" / "base.yaml"
PRESETS = ("bone, cartilage, muscle, tendon, ligament, fat, skin, artery, vein, nerve, brain_grey_matter, "
           "brain_white_matter, organ, membrane, glass, plastic")

CASES = {
    'preset_typo': (
        '  femur: {mesh: box.glb, material: bone, name: {en: Femur, zh: 股骨}}',
        '  femur: {mesh: box.glb, material: {preset: musle}}',
        [
            f"lesson.yaml:3:45: parts.femur.material.preset: unknown material preset 'musle'; did you mean 'muscle'? (presets: {PRESETS})",
        ],
    ),
    'unknown_material': (
        '  tibia: {mesh: box.glb, material: bone}',
        '  tibia: {mesh: box.glb, material: bnoe}',
        [
            f"lesson.yaml:4:36: parts.tibia.material: unknown material 'bnoe'; did you mean 'bone'? (presets: {PRESETS})",
        ],
    ),
    'unknown_key': (
        '  tibia: {mesh: box.glb, material: bone}',
        '  tibia: {mesh: box.glb, material: bone, colour: red}',
        [
            "lesson.yaml:4:42: parts.tibia.colour: unknown key 'colour'; allowed here: deform, description, ids, label_anchor_m, material, mesh, name, node, opacity, pickable, transform, unit, up_axis, visible",
        ],
    ),
    'step_unknown_part': (
        '      show: [leg]',
        '      show: [leg, fibula]',
        [
            "lesson.yaml:14:19: lesson.steps[0].show[1]: unknown part, group or molecule 'fibula' (known: femur, leg, tibia)",
        ],
    ),
    'step_part_typo': (
        '      show: [leg]',
        '      show: [femru]',
        [
            "lesson.yaml:14:14: lesson.steps[0].show[0]: unknown part, group or molecule 'femru'; did you mean 'femur'?",
        ],
    ),
    'bookmark_typo': (
        '      camera: front',
        '      camera: frnt',
        [
            "lesson.yaml:15:15: lesson.steps[0].camera: unknown bookmark 'frnt'; did you mean 'front'?",
        ],
    ),
    'clip_unknown': (
        '      camera: front',
        '      camera: front\n      clip: [sagital]',
        [
            "lesson.yaml:16:14: lesson.steps[0].clip[0]: unknown clip plane or cut box 'sagital'; did you mean 'sagittal'?",
        ],
    ),
    'missing_mesh_file': (
        '  tibia: {mesh: box.glb, material: bone}',
        '  tibia: {mesh: tibia.glb, material: bone}',
        [
            "lesson.yaml:4:17: parts.tibia.mesh: mesh file 'tibia.glb' not found (looked at " + "{folder}/" + 'tibia.glb)',
        ],
    ),
    'outside_folder': (
        '  tibia: {mesh: box.glb, material: bone}',
        '  tibia: {mesh: ../../etc/passwd.glb, material: bone}',
        [
            "lesson.yaml:4:17: parts.tibia.mesh: '../../etc/passwd.glb' is outside the scene's folder and the allowed asset folders (symlinks are followed); move the file next to the scene, or allow its folder with --asset-root",
        ],
    ),
    'opacity_range': (
        '      camera: front',
        '      camera: front\n      opacity: {femur: 1.5}',
        [
            'lesson.yaml:16:24: lesson.steps[0].opacity.femur: must be at most 1.0, got 1.5',
        ],
    ),
    'vector_short': (
        '  front: {eye_m: [0, 0, 1], target_m: [0, 0, 0]}',
        '  front: {eye_m: [0, 1], target_m: [0, 0, 0]}',
        [
            'lesson.yaml:8:18: bookmarks.front.eye_m: 2 value(s) given, more needed; write three numbers like [0.0, 0.1, 0.5]',
        ],
    ),
    'not_a_number': (
        '  sagittal: {point_m: [0, 0, 0], normal: [1, 0, 0]}',
        '  sagittal: {point_m: [0, zero, 0], normal: [1, 0, 0]}',
        [
            "lesson.yaml:10:27: clip_planes.sagittal.point_m[1]: expected a number, got 'zero'",
        ],
    ),
    'zero_normal': (
        '  sagittal: {point_m: [0, 0, 0], normal: [1, 0, 0]}',
        '  sagittal: {point_m: [0, 0, 0], normal: [0, 0, 0]}',
        [
            'lesson.yaml:10:42: clip_planes.sagittal.normal: normal must not be [0, 0, 0]; it gives a direction',
        ],
    ),
    'bad_language': (
        'name: {en: Femur, zh: 股骨}',
        'name: {en: Femur, Chinese: 股骨}',
        [
            "lesson.yaml:3:48: parts.femur.name: 'Chinese' is not a language code such as en, zh, es, fr, pt-BR",
        ],
    ),
    'wrong_version': (
        'version: 1',
        'version: 2',
        [
            'lesson.yaml:1:10: version: 2 is not allowed; expected 1',
        ],
    ),
    'missing_title': (
        '    - title: {en: The leg}\n',
        '    - text: {en: The leg}\n',
        [
            "lesson.yaml:13:7: lesson.steps[0]: missing required key 'title'",
        ],
    ),
    'group_cycle': (
        '  leg: {parts: [femur, tibia]}',
        '  leg: {parts: [femur, tibia], parent: limb}\n  limb: {parts: [], parent: leg}',
        [
            'lesson.yaml:6:40: groups.leg.parent: groups form a cycle: leg -> limb -> leg; a group cannot contain itself',
            'lesson.yaml:7:29: groups.limb.parent: groups form a cycle: limb -> leg -> limb; a group cannot contain itself',
        ],
    ),
    'question_answer': (
        '      camera: front',
        '      camera: front\n      question: {prompt: {en: Point at the femur}, answer: femor}',
        [
            "lesson.yaml:16:60: lesson.steps[0].question.answer: unknown part or group 'femor'; did you mean 'femur'?",
        ],
    ),
    'duplicate_key': (
        '  tibia: {mesh: box.glb, material: bone}',
        '  tibia: {mesh: box.glb, material: bone}\n  tibia: {mesh: box.glb}',
        [
            "lesson.yaml:5:3: parts.tibia: duplicate key 'tibia' (first at line 4)",
        ],
    ),
    'tab_indent': (
        '      camera: front',
        '\tcamera: front',
        [
            "lesson.yaml:15:1: YAML syntax error: found character '\\t' that cannot start any token; indent with spaces, not tabs",
        ],
    ),
    'comma_in_text': (
        'name: {en: Femur, zh: 股骨}',
        'name: {en: Femur, the thigh bone, zh: 股骨}',
        [
            'lesson.yaml:3:74: parts.femur.name.the thigh bone: no text given; if the text contains a comma or a colon, put it all in quotes',
        ],
    ),
}


@pytest.fixture
def lesson_folder(tmp_path, monkeypatch) -> Path:
    trimesh.creation.box(extents=(0.1, 0.1, 0.1)).export(tmp_path / "box.glb")
    monkeypatch.chdir(tmp_path)  # messages then name the file as the teacher typed it: lesson.yaml
    return tmp_path


def test_base_lesson_is_valid(lesson_folder):
    (lesson_folder / "lesson.yaml").write_text(BASE.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load_scene("lesson.yaml")
    assert list(loaded.scene.parts) == ["femur", "tibia"]


@pytest.mark.parametrize("name", list(CASES))
def test_error_message(lesson_folder, name):
    original, mistake, expected = CASES[name]
    text = BASE.read_text(encoding="utf-8")
    assert original in text, "the case no longer matches base.yaml"
    (lesson_folder / "lesson.yaml").write_text(text.replace(original, mistake), encoding="utf-8")
    with pytest.raises(SceneError) as caught:
        load_scene("lesson.yaml")
    folder = str(lesson_folder.resolve())
    assert [str(p) for p in caught.value.problems] == [line.replace("{folder}", folder) for line in expected]
