"""Scene files: safe YAML with positions, and validation messages at FILE:LINE:COLUMN."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from renderer.errors import SceneError
from renderer.scene.load import load_scene
from renderer.scene.yaml_source import load_yaml_text

GOOD_PART = "  a: {mesh: m.glb, material: bone}\n"


@pytest.fixture
def scene_dir(tmp_path: Path) -> Path:
    import trimesh

    trimesh.creation.icosphere(subdivisions=1, radius=0.05).export(tmp_path / "m.glb")
    return tmp_path


def problems_of(path: Path, text: str, load_assets: bool = True) -> list[str]:
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SceneError) as info:
        load_scene(path, load_assets=load_assets)
    return [str(p) for p in info.value.problems]


def test_valid_scene_loads(scene_dir):
    (scene_dir / "s.yaml").write_text("version: 1\nparts:\n" + GOOD_PART)
    loaded = load_scene(scene_dir / "s.yaml")
    assert loaded.meshes["a"].triangle_count == 80


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: 1\nparts:\n  a: {mesh: m.glb, material: musle}\n",
            ":3:30: parts.a.material: unknown material 'musle'; did you mean 'muscle'?",
        ),
        (
            "version: 1\nparts:\n  a:\n    mesh: m.glb\n    materal: bone\n",
            ":5:5: parts.a.materal: unknown key 'materal'; did you mean 'material'?",
        ),
        ("version: 1\nparts:\n  a:\n    material: bone\n",
         ":4:5: parts.a: a part needs `mesh:` (a file) or `library:`"),
        ("version: 2\nparts:\n" + GOOD_PART, ":1:10: version: 2 is not allowed; expected 1"),
        ("parts:\n" + GOOD_PART, ":1:1: (top level): missing required key 'version'"),
        (
            "version: 1\nparts:\n  a: {mesh: m.glb, opacity: 1.5}\n",
            ":3:29: parts.a.opacity: must be at most 1.0, got 1.5",
        ),
        (
            "version: 1\ncamera: {eye_m: [0, 1], target_m: [0, 0, 0]}\nparts:\n" + GOOD_PART,
            ":2:17: camera.eye_m: 2 value(s) given, more needed; write three numbers like [0.0, 0.1, 0.5]",
        ),
        (
            "version: 1\nparts:\n  a: {mesh: m.glb, transform: {scale: big}}\n",
            ":3:39: parts.a.transform.scale: expected a number, got 'big' or expected a list like [x, y, z], got 'big'",
        ),
        (
            "version: 1\nparts:\n  a: {mesh: ../../etc/passwd}\n",
            ":3:13: parts.a.mesh: '../../etc/passwd' is outside the scene's folder and the allowed asset folders",
        ),
        ("version: 1\nparts:\n  a: {mesh: missing.glb}\n", ":3:13: parts.a.mesh: mesh file 'missing.glb' not found"),
        (
            "version: 1\nlights: {key: {color: '#ff00zz'}}\nparts:\n" + GOOD_PART,
            ":2:23: lights.key.color: colour '#ff00zz' is not '#rrggbb'",
        ),
        (
            "version: 1\nparts:\n  a: {mesh: m.glb}\n  a: {mesh: m.glb}\n",
            ":4:3: parts.a: duplicate key 'a' (first at line 3)",
        ),
        ("version: 1\nparts: [\n", ":3:1: YAML syntax error"),
        (
            "version: 1\nrender: {msaa_samples: 3}\nparts:\n" + GOOD_PART,
            ":2:24: render.msaa_samples: 3 is not allowed; expected 1, 2 or 4",
        ),
    ],
)
def test_error_messages_name_file_line_and_column(scene_dir, text, expected):
    path = scene_dir / "s.yaml"
    problems = problems_of(path, text)
    assert any(p.startswith(str(path) + expected) for p in problems), problems


def test_every_problem_is_reported_at_once(scene_dir):
    text = "version: 1\nparts:\n  a: {mesh: m.glb, material: musle}\n  b: {mesh: m.glb, colour: red}\n  c: {}\n"
    problems = problems_of(scene_dir / "s.yaml", text)
    assert len(problems) == 2 or len(problems) == 3, problems  # pydantic errors first; material check after
    assert any("unknown key 'colour'" in p for p in problems)
    assert any("a part needs `mesh:`" in p for p in problems)


def test_unsafe_yaml_is_rejected_without_running_it(scene_dir):
    problems = problems_of(scene_dir / "s.yaml", "version: 1\nparts: !!python/object/apply:os.system ['true']\n")
    assert "is not allowed in scene files" in problems[0]


def test_alias_bomb_is_bounded():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    with pytest.raises(SceneError, match="document too large"):
        load_yaml_text("\n".join(lines), "bomb.yaml")


def test_symlink_out_of_the_scene_folder_is_refused(scene_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    import shutil

    shutil.copy(scene_dir / "m.glb", outside / "secret.glb")
    (scene_dir / "link.glb").symlink_to(outside / "secret.glb")
    problems = problems_of(scene_dir / "s.yaml", "version: 1\nparts:\n  a: {mesh: link.glb}\n")
    assert "outside the scene's folder" in problems[0]


def test_the_teachers_file_is_never_modified(scene_dir):
    path = scene_dir / "s.yaml"
    text = "version: 1\nparts:\n  a: {mesh: m.glb, material: musle}\n"
    problems_of(path, text)
    assert path.read_text() == text


def test_validate_command_lists_problems_and_exits_1(scene_dir):
    path = scene_dir / "s.yaml"
    path.write_text("version: 1\nparts:\n  a: {mesh: m.glb, material: musle}\n")
    run = subprocess.run([sys.executable, "-m", "renderer", "validate", str(path)], capture_output=True, text=True)
    assert run.returncode == 1
    assert f"{path}:3:30: parts.a.material: unknown material 'musle'" in run.stderr
    assert "Traceback" not in run.stderr
