"""Start-up: commands import only what their path needs (issue 21). Checked in fresh processes, with
the mesh cache warm, as a teacher's second run would be."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT, SCENES

HEAVY = ("OpenGL", "numba", "scipy", "trimesh", "networkx", "biotite", "skimage", "glfw", "cupy", "warp")


def _imported_after(argv: list[str], env_cache) -> list[str]:
    code = (f"import json, sys\nfrom renderer import cli\ncode = cli.main({argv!r})\n"
            f"print(json.dumps([code, sorted(m for m in {HEAVY!r} if m in sys.modules)]))")  # fmt: skip
    env = dict(os.environ, PROSECTOR_CACHE_DIR=str(env_cache))
    env.pop("PROSECTOR_NO_CACHE", None)
    for _ in range(2):  # the first run fills the mesh cache
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env)
        assert run.returncode == 0, run.stderr
    code, modules = json.loads(run.stdout.strip().splitlines()[-1])
    assert code == 0
    return modules


def test_validate_imports_no_gl_numba_scipy_or_trimesh(tmp_path):
    assert _imported_after(["validate", str(SCENES / "brain.yaml")], tmp_path) == []


def test_validate_without_assets_reads_no_meshes(tmp_path):
    assert _imported_after(["validate", "--no-assets", str(SCENES / "brain.yaml")], tmp_path) == []


def test_render_imports_only_opengl_of_the_heavy_modules(tmp_path):
    argv = ["render", str(SCENES / "brain.yaml"), "-o", str(tmp_path / "brain.png"), "--size", "64x48"]
    assert _imported_after(argv, tmp_path) == ["OpenGL"]
