"""Shared fixtures. GL tests run on the real Mesa driver (EGL surfaceless); nothing is mocked."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from renderer.gl.platform import choose_platform

choose_platform()  # before anything imports OpenGL
# Mesa's on-disk shader cache is shared by every process of the user; keep the test run's own, so a
# concurrent run (or a stale entry) cannot feed this one a different binary.
os.environ.setdefault("MESA_SHADER_CACHE_DIR", str(Path(__file__).resolve().parent.parent / ".pytest_cache" / "mesa"))
# Prosector's own caches (parsed meshes, GL program binaries) likewise stay out of the user's folder.
_CACHE = Path(__file__).resolve().parent.parent / ".pytest_cache"
os.environ.setdefault("PROSECTOR_CACHE_DIR", str(_CACHE / "prosector"))

ROOT = Path(__file__).resolve().parent.parent
SCENES = ROOT / "scenes"
ASSETS = ROOT / "assets"
OUTPUT = Path(os.environ.get("PROSECTOR_TEST_OUTPUT", ROOT / "test-output"))


@pytest.fixture(scope="session")
def _headless_session():
    from renderer.headless import HeadlessRenderer

    with HeadlessRenderer() as renderer:
        yield renderer


@pytest.fixture
def headless(_headless_session):
    """One headless renderer (EGL context) for the whole session; tests load their own scenes.
    Made current for each test: a test that ran the CLI in-process may have left none current."""
    _headless_session.context.make_current()
    return _headless_session


@pytest.fixture
def output_dir(request) -> Path:
    """Where a test writes images for humans to look at (diffs on failure)."""
    path = OUTPUT / request.node.name.replace("/", "_").replace("[", "_").replace("]", "")
    path.mkdir(parents=True, exist_ok=True)
    return path


def save_png(path: Path, image: np.ndarray) -> Path:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path)
    return path


@pytest.fixture
def sphere_on_plane(tmp_path) -> Path:
    """A 10 cm sphere resting on a 60 cm slab: the classic AO / shadow scene."""
    import trimesh

    trimesh.creation.icosphere(subdivisions=4, radius=0.1).export(tmp_path / "sphere.glb")
    slab = trimesh.creation.box(extents=(0.6, 0.02, 0.6))
    slab.apply_translation((0, -0.11, 0))
    slab.export(tmp_path / "slab.glb")
    scene = tmp_path / "scene.yaml"
    scene.write_text(
        "version: 1\n"
        "camera: {eye_m: [0.0, 0.35, 0.55], target_m: [0, -0.02, 0], vertical_fov_deg: 35}\n"
        "parts:\n"
        "  ball: {mesh: sphere.glb, material: bone}\n"
        "  floor: {mesh: slab.glb, material: plastic}\n"
    )
    return scene


@pytest.fixture(scope="session")
def xvfb_display():
    """A real X server (Xvfb) for window tests; sets DISPLAY for this process and children."""
    import shutil
    import subprocess

    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    previous = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = f":{number}"
    yield os.environ["DISPLAY"]
    server.terminate()
    server.wait(timeout=10)
    if previous is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = previous
