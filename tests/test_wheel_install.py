"""An installed wheel works away from the checkout (issue 12): it carries the shaders, the bundled
assets and the example scenes, and `bundled:` paths resolve inside it. The wheel is built here
(hatchling, no network) and unpacked into a folder that is put on PYTHONPATH in place of the
checkout; the run's working folder is outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import ROOT

pytest.importorskip("hatchling", reason="hatchling builds the wheel (test extra)")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A folder holding the unpacked wheel (its `renderer` package only)."""
    build = tmp_path_factory.mktemp("wheel")
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                          "-w", str(build), str(ROOT)], capture_output=True, text=True, timeout=600)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    (wheel,) = build.glob("prosector-*.whl")
    site = tmp_path_factory.mktemp("site")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
    return site


def _run_installed(site: Path, cwd: Path, *args) -> subprocess.CompletedProcess:
    # -I would drop PYTHONPATH; -P keeps cwd off sys.path so the checkout cannot leak in. The venv's
    # site-packages still provide the dependencies; its editable hook for the checkout is hidden by
    # putting the unpacked wheel first.
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = "import sys, renderer.cli; sys.exit(renderer.cli.main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-P", "-c", code, *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=600)  # fmt: skip


def test_wheel_carries_shaders_assets_and_examples(installed):
    package = installed / "renderer"
    assert (package / "shaders").is_dir() and any((package / "shaders").rglob("*.glsl"))
    assert (package / "assets" / "brain" / "pial_left.glb").is_file()
    examples = sorted(p.name for p in (package / "examples").glob("*.yaml"))
    assert examples == sorted(p.name for p in (ROOT / "scenes").glob("*.yaml"))


def test_installed_examples_render_outside_the_checkout(installed, tmp_path):
    where = _run_installed(installed, tmp_path, "examples", "lessons")
    assert where.returncode == 0, where.stderr
    check = subprocess.run([sys.executable, "-P", "-c", "import renderer; print(renderer.__file__)"],
                           capture_output=True, text=True, cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(installed)})  # fmt: skip
    assert check.stdout.strip().startswith(str(installed)), "the test must run the wheel, not the checkout"
    for scene in sorted((tmp_path / "lessons").glob("*.yaml")):
        valid = _run_installed(installed, tmp_path, "validate", scene)
        assert valid.returncode == 0, f"{scene.name}: {valid.stderr}"
    out = tmp_path / "brain.png"
    run = _run_installed(installed, tmp_path, "render", tmp_path / "lessons" / "brain.yaml", "-o", out,
                         "--size", "96x72")  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert np.asarray(Image.open(out)).std() > 10
