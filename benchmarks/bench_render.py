"""Frame time of Prosector's headless renderer against pyrender, same mesh, size and platform.

Run: python benchmarks/bench_render.py [--frames N] [--json OUT]
Needs pyrender for the peer (installed without its PyOpenGL==3.1.0 pin, which breaks EGL on 3.11:
`pip install --no-deps pyrender==0.1.45 && pip install networkx pyglet freetype-py`).
Both renderers read the image back every frame (as `prosector render` does). Prosector is timed
with ambient occlusion off ("plain", the like-for-like figure) and on ("full"); the AO pass's own
cost comes from GL timer queries. Figures are medians after warm-up frames.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("EGL_PLATFORM", "surfaceless")  # pyrender's EGL path asks for the default display

from renderer.gl.platform import choose_platform  # noqa: E402

choose_platform("egl")

import trimesh  # noqa: E402

from renderer.headless import HeadlessRenderer  # noqa: E402
from renderer.scene.load import load_scene  # noqa: E402


def million_triangle_scene(folder: Path) -> Path:
    sphere = trimesh.creation.icosphere(subdivisions=8, radius=0.1)  # 1,310,720 triangles, closed
    sphere.export(folder / "million.glb")
    scene = folder / "million.yaml"
    scene.write_text(
        "version: 1\ncamera: {eye_m: [0, 0.1, 0.45], target_m: [0, 0, 0], vertical_fov_deg: 35}\n"
        "parts:\n  ball: {mesh: million.glb, material: bone}\n"
    )
    return scene


def time_frames(render, frames: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        render()
    samples = []
    for _ in range(frames):
        start = time.perf_counter()
        render()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def prosector_figures(headless: HeadlessRenderer, scene_path: Path, size: tuple[int, int], frames: int) -> dict:
    headless.load(load_scene(scene_path))
    width, height = size
    plain = headless.options(ambient_occlusion=False)
    full = headless.options()
    plain_ms = time_frames(lambda: headless.render(width, height, options=plain), frames)
    full_ms = time_frames(lambda: headless.render(width, height, options=full), frames)
    headless.renderer.timer = headless.renderer.timer or _timer(headless)
    passes = []
    for _ in range(max(3, frames // 2)):
        headless.render(width, height, options=full)
        passes.append(headless.last_results[0].timings_ms)
    ao_ms = statistics.median(p["ao"] for p in passes)
    headless.renderer.timer.release()
    headless.renderer.timer = None
    return {"plain_ms": plain_ms, "full_ms": full_ms, "ao_pass_ms": ao_ms, "triangles": headless.loaded.triangle_count}


def _timer(headless):
    from renderer.passes.timing import PassTimer

    return PassTimer(headless.context.resources)


PYRENDER_SCRIPT = r"""
import json, os, statistics, sys, time
os.environ["PYOPENGL_PLATFORM"] = "egl"
os.environ.setdefault("EGL_PLATFORM", "surfaceless")
import numpy as np, pyrender, trimesh
path, width, height, frames, eye, target, fov = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), \
    json.loads(sys.argv[5]), json.loads(sys.argv[6]), float(sys.argv[7])
loaded = trimesh.load(path, force="scene", process=False)
scene = pyrender.Scene(ambient_light=[0.3, 0.3, 0.3], bg_color=[0.1, 0.1, 0.1, 1.0])
for name, geometry in loaded.geometry.items():
    transform = loaded.graph.get(name)[0] if name in loaded.graph.nodes else np.eye(4)
    scene.add(pyrender.Mesh.from_trimesh(geometry, smooth=True), pose=np.eye(4))
forward = np.array(target) - np.array(eye); forward /= np.linalg.norm(forward)
right = np.cross(forward, [0, 1, 0]); right /= np.linalg.norm(right); up = np.cross(right, forward)
pose = np.eye(4); pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, up, -forward, eye
scene.add(pyrender.PerspectiveCamera(yfov=np.radians(fov), aspectRatio=width / height), pose=pose)
scene.add(pyrender.DirectionalLight(intensity=3.0), pose=pose)
renderer = pyrender.OffscreenRenderer(width, height)
for _ in range(2): renderer.render(scene)
samples = []
for _ in range(frames):
    start = time.perf_counter(); renderer.render(scene); samples.append((time.perf_counter() - start) * 1000)
renderer.delete()
print(json.dumps({"ms": statistics.median(samples)}))
"""


def pyrender_figures(mesh_files: list[Path], size, frames: int, camera) -> dict | None:
    """Runs in its own process: pyrender makes its own EGL context and global GL state."""
    merged = trimesh.util.concatenate([trimesh.load(p, force="mesh", process=False) for p in mesh_files])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "merged.glb"
        merged.export(path)
        run = subprocess.run(
            [
                sys.executable,
                "-c",
                PYRENDER_SCRIPT,
                str(path),
                str(size[0]),
                str(size[1]),
                str(frames),
                json.dumps(list(camera.eye_m)),
                json.dumps(list(camera.target_m)),
                str(camera.vertical_fov_deg),
            ],
            capture_output=True,
            text=True,
        )
    if run.returncode != 0:
        print(f"pyrender unavailable: {run.stderr.strip().splitlines()[-1] if run.stderr else run.returncode}")
        return None
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder, HeadlessRenderer(timing=False) as headless:
        print(
            f"GL: {headless.context.info.renderer} ({headless.context.info.platform}); "
            f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
        )
        cases = [
            ("default scene", ROOT / "scenes" / "brain.yaml", (512, 512)),
            ("default scene", ROOT / "scenes" / "brain.yaml", (1920, 1080)),
            ("1.3M-triangle sphere", million_triangle_scene(Path(folder)), (512, 512)),
        ]
        for name, scene_path, size in cases:
            ours = prosector_figures(headless, scene_path, size, args.frames)
            loaded = headless.loaded
            visible = [loaded.asset_paths[i] for i, p in loaded.scene.parts.items() if p.visible]
            peer = pyrender_figures(visible, size, args.frames, headless.camera(size[0] / size[1]))
            row = {"case": name, "size": f"{size[0]}x{size[1]}", **ours, "pyrender_ms": peer["ms"] if peer else None}
            results.append(row)
            ratio = f"{row['pyrender_ms'] / row['plain_ms']:.2f}x" if peer else "n/a"
            print(
                f"{name:<20} {row['size']:>9} {row['triangles']:>10,} tris | "
                f"prosector plain {row['plain_ms']:7.1f} ms, "
                f"full (SSAO) {row['full_ms']:7.1f} ms, AO pass {row['ao_pass_ms']:6.1f} ms | "
                f"pyrender {row['pyrender_ms'] or float('nan'):7.1f} ms | "
                f"pyrender/prosector plain = {ratio}"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
