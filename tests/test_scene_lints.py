"""`validate`'s warnings (sizes, languages, hidden targets, placement), `--strict`, `--lang`, `defaults:`,
and YAML indentation and quoting mistakes reported where the teacher went wrong."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from renderer.cli import main
from renderer.errors import SceneError
from renderer.scene.languages import language_warning
from renderer.scene.lints import scene_warnings
from renderer.scene.load import load_scene
from renderer.scene.part_materials import part_material
from tests.test_scaffold_anatomy import BODYPARTS3D, needs_data


def _leg(folder, scale=1.0):
    """Three touching boxes and a capsule, millimetres, Y up: a thigh, a shin, a foot and a muscle."""
    shapes = {
        "femur": trimesh.creation.box(extents=(40, 420, 40)).apply_translation((0, 640, 0)),
        "tibia": trimesh.creation.box(extents=(40, 380, 40)).apply_translation((0, 230, 0)),
        "calcaneus": trimesh.creation.box(extents=(40, 40, 120)).apply_translation((0, 20, 20)),
        "vastus_muscle": trimesh.creation.capsule(height=300, radius=30).apply_transform(
            trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0))).apply_translation((30, 640, 0)),
    }  # fmt: skip
    for name, mesh in shapes.items():
        mesh.apply_scale(scale).export(folder / f"{name}.stl")
    return sorted(folder.glob("*.stl"))


def _write(path, text):
    path.write_text(text)
    return path


def test_scaffold_writes_defaults_that_validate_without_warnings(tmp_path, capsys):
    files = _leg(tmp_path)
    scene = tmp_path / "leg.yaml"
    assert main(["new", str(scene), "--from", *map(str, files)]) == 0
    text = scene.read_text()
    assert "defaults:\n  unit: mm\n  up_axis: y\n" in text and "unit: mm  #" not in text  # one unit, said once
    capsys.readouterr()
    assert main(["validate", str(scene), "--strict"]) == 0
    assert "warning" not in capsys.readouterr().err
    loaded = load_scene(scene)
    assert loaded.scene.parts["femur"].unit == "mm" and part_material(loaded.scene, "femur") == "bone"
    assert part_material(loaded.scene, "vastus_muscle") == "muscle"


def test_size_and_placement_warnings_say_which_unit_fits(tmp_path, capsys):
    files = _leg(tmp_path)
    parts = "\n".join(f"  {f.stem}:\n    mesh: {f.name}" for f in files)
    scene = _write(tmp_path / "s.yaml", f"version: 1\ndefaults: {{unit: mm}}\nparts:\n{parts}\n")
    assert scene_warnings(load_scene(scene)) == []
    wrong = _write(tmp_path / "wrong.yaml", scene.read_text().replace("{unit: mm}", "{unit: cm}"))
    warnings = [str(w) for w in scene_warnings(load_scene(wrong))]
    assert any(":2:18: warning: defaults.unit: the scene is 8.5 m tall, taller than any person; did you mean "
               "unit: mm?" in w for w in warnings), warnings  # fmt: skip
    one = _write(tmp_path / "one.yaml", scene.read_text().replace("  femur:\n", "  femur:\n    unit: m\n"))
    warnings = [str(w) for w in scene_warnings(load_scene(one))]
    assert any("parts.femur.unit: " in w and "times larger than the parts around it" in w and
               "did you mean unit: mm?" in w for w in warnings), warnings  # fmt: skip
    assert any("parts.femur.unit: `prosector new` would read this file in mm, not m" in w for w in warnings)
    capsys.readouterr()
    assert main(["validate", str(one)]) == 0 and ": warning: " in capsys.readouterr().err
    assert main(["validate", str(one), "--strict"]) == 1
    assert ": error: parts.femur.unit" in capsys.readouterr().err


def test_labels_and_questions_on_hidden_parts_are_warned_about(tmp_path):
    files = _leg(tmp_path)
    parts = "\n".join(f"  {f.stem}: {{mesh: {f.name}}}" for f in files)
    groups = "groups:\n  bones: {parts: [femur, tibia, calcaneus]}\n"
    lesson = ("lesson:\n  steps:\n    - {title: Muscle, hide: [bones], label: [vastus_muscle, femur]}\n"
              "    - {title: Find it, only: [vastus_muscle], question: {prompt: Point at the tibia, answer: tibia}}\n"
              "    - {title: Fine, hide: [femur], label: [bones]}\n")  # fmt: skip
    scene = _write(tmp_path / "s.yaml", f"version: 1\ndefaults: {{unit: mm}}\nparts:\n{parts}\n{groups}{lesson}")
    warnings = [str(w) for w in scene_warnings(load_scene(scene))]
    assert len(warnings) == 2, warnings
    assert "s.yaml:12:61: warning: lesson.steps[0].label[1]: step 1 labels 'femur', but it is hidden" in warnings[0]
    assert "lesson.steps[1].question.answer: step 2 asks about 'tibia', but it is hidden" in warnings[1]


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ch", "'ch' is Chamorro (CH is Switzerland); did you mean 'zh'?"),
        ("cn", "'cn' is China's country code; did you mean 'zh'?"),
        ("jp", "did you mean 'ja'?"),
        ("zh-cn", "'zh-cn': write it 'zh-CN'"),
        ("zho", "did you mean 'zh'?"),
        ("xx", "'xx' is not a language code I know"),
        ("zh-CN", None),
        ("zh-Hans", None),
        ("pt-BR", None),
        ("es-419", None),
        ("yue", None),
        ("en", None),
    ],
)
def test_language_codes_are_checked_against_bcp_47(code, message):
    warning = language_warning(code)
    assert (warning is None) if message is None else (message in warning), warning


def test_language_warnings_in_files_and_the_lang_option(tmp_path, capsys):
    mesh = _leg(tmp_path)[0]
    part = f"  calcaneus: {{mesh: {mesh.name}, unit: mm, name: {{en: Heel, zh-CN: 跟骨}}}}\n"
    scene = _write(tmp_path / "s.yaml", f"version: 1\nlanguage: en\ntitle: {{en: Leg, ch: 腿}}\nparts:\n{part}")
    warnings = [str(w) for w in scene_warnings(load_scene(scene))]
    assert any("s.yaml:3:18: warning: title.ch: 'ch' is Chamorro" in w for w in warnings), warnings
    assert len(warnings) == 1  # zh-CN is valid BCP 47
    capsys.readouterr()
    assert main(["render", str(scene), "-o", str(tmp_path / "x.png"), "--lang", "fr", "--size", "32x32"]) == 1
    err = capsys.readouterr().err
    assert "--lang fr: the scene has no texts in 'fr'; its languages: en, ch, zh-CN" in err
    assert main(["render", str(scene), "-o", str(tmp_path / "x.png"), "--lang", "cn", "--size", "32x32"]) == 1
    assert "did you mean 'zh'?" in capsys.readouterr().err
    assert main(["preview", str(scene), "--lang", "es", "--frames", "1"]) == 1  # refused before any window opens
    assert "--lang es: the scene has no texts in 'es'" in capsys.readouterr().err


def test_zh_finds_texts_written_zh_cn():
    from renderer.scene.fields import text_in

    assert text_in({"en": "Heel", "zh-CN": "跟骨"}, "zh") == "跟骨"
    assert text_in({"en": "Heel", "zh": "跟骨"}, "zh-TW") == "跟骨"


def test_defaults_apply_unless_a_part_or_group_sets_its_own(tmp_path):
    files = _leg(tmp_path)
    scene = _write(tmp_path / "s.yaml", f"""version: 1
defaults: {{unit: mm, up_axis: y, material: muscle}}
parts:
  femur: {{mesh: {files[1].name}}}
  tibia: {{mesh: {files[3].name}, material: bone}}
  calcaneus: {{mesh: {files[0].name}, unit: cm}}
groups:
  foot: {{parts: [calcaneus], material: cartilage}}
""")
    loaded = load_scene(scene, load_assets=False)
    parts = loaded.scene.parts
    assert (parts["femur"].unit, parts["calcaneus"].unit) == ("mm", "cm")
    assert [part_material(loaded.scene, i) for i in ("femur", "tibia", "calcaneus")] == ["muscle", "bone", "cartilage"]
    bad = _write(tmp_path / "bad.yaml", scene.read_text().replace("material: muscle}", "material: musle}"))
    with pytest.raises(SceneError, match=r"bad.yaml:2:44: defaults.material: unknown material 'musle'; did you mean"):
        load_scene(bad, load_assets=False)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("parts:\n  tibia:\n    mesh: a.obj\n   femur:\n    mesh: b.obj\n",
         ":5:1: YAML indentation error: unindent `femur:` by 1 space(s), to line up with `tibia:` on line 3"),
        ("parts:\n  tibia:\n    mesh: a.obj\n femur:\n    mesh: b.obj\n",
         ":5:1: YAML indentation error: indent `femur:` by 1 space(s), to line up with `tibia:` on line 3"),
        ("parts:\n  tibia:\n    mesh: a.obj\n      name: Tibia\n",
         ":5:1: YAML indentation error: `name:` is indented more than `mesh:` on line 4, which already has a value; "
         "unindent it by 2 space(s)"),
        ("parts:\n    tibia:\n      mesh: a.obj\nfemur:\n  mesh: b.obj\n",
         ":5:1: femur: unknown key 'femur'; it looks like one of the parts: indent `femur:` by 4 space(s) like the "
         "other parts (line 3)"),
        ("parts:\n  tibia:\n    mesh: a.obj\n    femur:\n      mesh: b.obj\n",
         ":5:5: parts.tibia.femur: unknown key 'femur'; it looks like one of the parts: unindent `femur:` by 2"),
        ("parts: {tibia: {mesh: a.obj}}\nlesson:\n  steps:\n    - title: One\n      show: [tibia]\n     text: Two\n",
         ":7:1: YAML indentation error: indent `text:` by 1 space(s), to line up with `show:` on line 6"),
        ("parts: {tibia: {mesh: a.obj}}\ntitle: *Important*\n",
         ":3:18: YAML syntax error: expected alphabetic or numeric character, but found '*'; a value starting with "
         "*, &, !, %, @ or ` must be put in quotes"),
        ("parts: {tibia: {mesh: a.obj}}\ntitle: !Note this\n", "YAML tag !Note is not allowed in scene files; a value "
         "starting with *, &, !, %, @ or ` must be put in quotes (! starts a tag), e.g. \"!Note this\""),
        ("parts: {tibia: {mesh: a.obj}}\ntitle: %50 of it\n", ":3:8: YAML syntax error: found character '%' that "
         "cannot start any token; a value starting with *, &, !, %, @ or ` must be put in quotes"),
    ],
)  # fmt: skip
def test_yaml_mistakes_are_reported_where_the_teacher_went_wrong(tmp_path, text, expected):
    (tmp_path / "a.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    (tmp_path / "b.obj").write_text("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    scene = _write(tmp_path / "s.yaml", "version: 1\n" + text)
    with pytest.raises(SceneError) as error:
        load_scene(scene, load_assets=False)
    assert expected in str(error.value), str(error.value)


@needs_data
def test_a_bodyparts3d_part_in_the_wrong_unit_is_found(tmp_path):
    files = [next(BODYPARTS3D.glob(f"bones/*_Left_{name}.glb")) for name in ("femur", "tibia", "fibula", "patella")]
    assert len(files) == 4
    scene = tmp_path / "leg.yaml"
    assert main(["new", str(scene), "--from", *map(str, files)]) == 0
    assert scene_warnings(load_scene(scene)) == []
    text = scene.read_text().replace('  left_femur:\n', '  left_femur:\n    unit: cm\n')
    warnings = [str(w) for w in scene_warnings(load_scene(_write(scene, text)))]
    assert any("parts.left_femur.unit: 13 times larger than the parts around it" in w and "unit: mm?" in w
               for w in warnings), warnings  # fmt: skip
