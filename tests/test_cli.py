"""The `prosector` command end to end, in subprocesses, as a teacher would run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import trimesh
from PIL import Image

from tests.conftest import SCENES


def prosector(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "renderer", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_render_default_scene_writes_png(tmp_path):
    out = tmp_path / "brain.png"
    run = prosector("render", SCENES / "brain.yaml", "-o", out, "--size", "160x120")
    assert run.returncode == 0, run.stderr
    image = np.asarray(Image.open(out))
    assert image.shape == (120, 160, 3) and image.std() > 10


def test_render_stereo_is_side_by_side(tmp_path):
    out = tmp_path / "stereo.png"
    run = prosector("render", SCENES / "brain.yaml", "-o", out, "--size", "96x64", "--stereo", "--ipd", "0.065")
    assert run.returncode == 0, run.stderr
    image = np.asarray(Image.open(out))
    assert image.shape == (64, 192, 3)
    assert not np.array_equal(image[:, :96], image[:, 96:])


def test_render_with_explicit_camera_and_view(tmp_path):
    out = tmp_path / "depth.png"
    run = prosector(
        "render",
        SCENES / "brain.yaml",
        "-o",
        out,
        "--size",
        "64x64",
        "--view",
        "depth",
        "--camera-eye",
        "0,0,0.6",
        "--camera-target",
        "0,0,0",
        "--fov",
        "30",
    )
    assert run.returncode == 0, run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--size", "12x9"], "each side must be between 16 and 8192"),
        (["--size", "big"], "is not WIDTHxHEIGHT"),
        (["--camera-eye", "1,2"], "is not X,Y,Z in metres"),
        (["--fov", "200"], "between 1 and 170 degrees"),
        (["--view", "xray"], "invalid choice: 'xray'"),
    ],
)
def test_bad_arguments_say_what_to_write(tmp_path, args, message):
    run = prosector("render", SCENES / "brain.yaml", "-o", tmp_path / "x.png", *args)
    assert run.returncode == 2 and message in run.stderr and "Traceback" not in run.stderr


def test_render_never_overwrites_the_scene(tmp_path):
    scene = tmp_path / "s.png"  # a scene named like an image must not be clobbered either
    scene.write_text("version: 1\n")
    run = prosector("render", scene, "-o", scene)
    assert run.returncode == 1 and "refusing to overwrite" in run.stderr
    assert scene.read_text() == "version: 1\n"


def test_missing_scene_is_a_clear_error(tmp_path):
    run = prosector("render", tmp_path / "nope.yaml", "-o", tmp_path / "x.png")
    assert run.returncode == 1 and "nope.yaml:1:1: scene file not found" in run.stderr


def test_new_scaffolds_a_scene_that_renders(tmp_path):
    meshes = tmp_path / "downloads"
    meshes.mkdir()
    trimesh.creation.icosphere(radius=40).export(meshes / "Left_Femur.stl")  # millimetres, as many exports are
    trimesh.creation.capsule(height=0.2, radius=0.03).export(meshes / "biceps muscle.obj")
    knee = trimesh.Scene()
    knee.add_geometry(trimesh.creation.box(extents=(0.05, 0.02, 0.05)), node_name="patella")
    knee.add_geometry(trimesh.creation.cylinder(radius=0.01, height=0.1), node_name="quadriceps_tendon")
    knee.export(meshes / "knee.glb")
    lesson = tmp_path / "lesson"
    lesson.mkdir()
    scene = lesson / "leg.yaml"
    run = prosector(
        "new", scene, "--from", meshes / "Left_Femur.stl", meshes / "biceps muscle.obj", meshes / "knee.glb"
    )
    assert run.returncode == 0, run.stderr
    text = scene.read_text()
    for expected in (
        "left_femur:",
        "material: bone",
        "unit: mm",
        "biceps_muscle:",
        "material: muscle",
        'node: "patella"',
        'node: "quadriceps_tendon"',
        "material: tendon",
    ):
        assert expected in text, text
    assert (lesson / "assets" / "knee.glb").exists()  # copied: the lesson folder is self-contained
    assert prosector("validate", scene).returncode == 0
    out = tmp_path / "leg.png"
    run = prosector("render", scene, "-o", out, "--size", "128x96")
    assert run.returncode == 0, run.stderr
    assert np.asarray(Image.open(out)).std() > 5
    again = prosector("new", scene, "--from", meshes / "knee.glb")
    assert again.returncode == 1 and "already exists" in again.stderr and scene.read_text() == text


def test_new_rejects_a_corrupt_mesh_by_name(tmp_path):
    bad = tmp_path / "broken.ply"
    bad.write_bytes(b"ply\nformat binary_little_endian 1.0\nelement vertex 99\nend_header\n\x00")
    run = prosector("new", tmp_path / "s.yaml", "--from", bad)
    assert run.returncode == 1 and "broken.ply" in run.stderr and not (tmp_path / "s.yaml").exists()


def test_info_reports_parts_triangles_bounds_memory_and_backend():
    run = prosector("info", SCENES / "brain.yaml")
    assert run.returncode == 0, run.stderr
    for expected in (
        "cortex_left",
        "20,480 triangles",
        "triangles: ",
        "bounds (m)",
        "GPU memory estimate",
        "array backend: numpy",
    ):
        assert expected in run.stdout, run.stdout


def test_python_dash_m_and_console_script_agree():
    run = prosector("--version")
    assert run.returncode == 0 and run.stdout.startswith("prosector ")


def test_osmesa_renders_the_same_image_as_egl(tmp_path):
    import os

    images = []
    for platform in ("egl", "osmesa"):
        out = tmp_path / f"{platform}.png"
        env = {**os.environ, "PROSECTOR_GL_PLATFORM": platform}
        run = subprocess.run(
            [sys.executable, "-m", "renderer", "render", str(SCENES / "brain.yaml"), "-o", str(out), "--size", "96x72"],
            capture_output=True,
            text=True,
            env=env,
        )
        assert run.returncode == 0, run.stderr
        images.append(np.asarray(Image.open(out)).astype(int))
    assert np.abs(images[0] - images[1]).max() <= 1


def test_examples_all_validate():
    for scene in sorted(Path(SCENES).glob("*.yaml")):
        run = prosector("validate", scene)
        assert run.returncode == 0, run.stderr
