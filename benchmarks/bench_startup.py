"""Time to the first pixel, whole process: Prosector against PyVista (VTK, offscreen) and pyrender.

Run: python benchmarks/bench_startup.py [--cases sphere,library,hpv,body] [--repeats 3] [--size 512x512]
Quick re-run of the goals: python benchmarks/bench_startup.py --cases sphere,library --repeats 3
(with --repeats 2 it took 170 s at load 5 and 6-7 minutes at load 10 on 2 cores; `body`, the raw
BodyParts3D files, adds the most).

Every figure is one whole process started from the shell, scene files in, PNG out, best of
`--repeats` by wall clock, with the CPU time (user + system, all threads, from getrusage) of that
run beside it: on a loaded machine the CPU time moves less than the wall. The tools take turns
within each repeat, so a change of load hits them alike. The same mesh files go to every tool, with
the same camera and image size: the 1.3M-triangle sphere, the bundled whole-body library scene
(scenes/whole-body.yaml, 513 parts), 1HPV's molecular surface as a mesh and, with `body`, 507 raw
BodyParts3D files scaffolded with `prosector new`. Prosector runs `prosector render` as a teacher
would, with its caches warm (its first, cold run is printed too); the peers draw one directional
light, no AO. Every process may keep Python bytecode (in --work/pycache): an installed Prosector
and the peers' pip-installed packages have theirs, while an environment with
PYTHONDONTWRITEBYTECODE=1 would make Prosector alone compile its modules in every run.
Then the goals that have no peer: `prosector validate` of the default scene, and a preview reload
of it through the preview's own loader (renderer/preview/reload.py, what a saved edit triggers).

Peers (benchmark only, not project dependencies): `pip install pyvista` (VTK wheels fall back to
EGL without a display) and `pip install --no-deps pyrender==0.1.45 six pyglet freetype-py` (its
PyOpenGL==3.1.0 pin breaks EGL on Python 3.11), run with PYOPENGL_PLATFORM=egl.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import startup_floor  # noqa: E402
import startup_scenes as scenes  # noqa: E402

CAMERAS = {  # eye, target (metres, scene space), vertical fov (degrees): what each scene file says
    "sphere": ((0.0, 0.1, 0.45), (0.0, 0.0, 0.0), 35.0),
    "body": ((0.0, 0.95, 2.6), (0.0, 0.95, 0.0), 40.0),
    "library": ((0.0, 0.85, 2.7), (0.0, 0.85, 0.1), 40.0),  # the scene has none: given on the command line
    "hpv": ((0.0, 0.0, 0.9), (0.0, 0.0, 0.0), 35.0),
}
GOAL_LIBRARY_S = 8.0

PEER_COMMON = r"""
import json, sys, time
import numpy as np
job = json.loads(sys.argv[1])
def to_metres(vertices):
    v = np.asarray(vertices, dtype=np.float64) * job["scale"]
    return v[:, [0, 2, 1]] * np.array([1.0, 1.0, -1.0]) if job["z_up"] else v
"""

PYVISTA_SCRIPT = PEER_COMMON + r"""
import pyvista as pv
plotter = pv.Plotter(off_screen=True, window_size=job["size"])
for path in job["meshes"]:
    data = pv.read(path)
    blocks = data.recursive_iterator() if isinstance(data, pv.MultiBlock) else [data]
    for block in blocks:
        if block is None or block.n_points == 0:
            continue
        mesh = block.extract_surface() if not isinstance(block, pv.PolyData) else block
        mesh.points = to_metres(mesh.points)
        plotter.add_mesh(mesh, color="tan", smooth_shading=True)
eye, target, fov = job["camera"]
plotter.camera.position, plotter.camera.focal_point, plotter.camera.up = eye, target, (0, 1, 0)
plotter.camera.view_angle = fov
plotter.screenshot(job["output"])
"""

PYRENDER_SCRIPT = PEER_COMMON + r"""
import os
os.environ["PYOPENGL_PLATFORM"] = "egl"
os.environ.setdefault("EGL_PLATFORM", "surfaceless")
import pyrender, trimesh
from PIL import Image
scene = pyrender.Scene(ambient_light=[0.3, 0.3, 0.3], bg_color=[0.1, 0.1, 0.1, 1.0])
for path in job["meshes"]:
    loaded = trimesh.load(path, force="mesh", process=False)
    loaded.vertices = to_metres(loaded.vertices)
    scene.add(pyrender.Mesh.from_trimesh(loaded, smooth=True))
eye, target, fov = job["camera"]
forward = np.array(target) - np.array(eye); forward /= np.linalg.norm(forward)
right = np.cross(forward, [0, 1, 0]); right /= np.linalg.norm(right); up = np.cross(right, forward)
pose = np.eye(4); pose[:3, 0], pose[:3, 1], pose[:3, 2], pose[:3, 3] = right, up, -forward, eye
width, height = job["size"]
scene.add(pyrender.PerspectiveCamera(yfov=np.radians(fov), aspectRatio=width / height), pose=pose)
scene.add(pyrender.DirectionalLight(intensity=3.0), pose=pose)
renderer = pyrender.OffscreenRenderer(width, height)
color, _ = renderer.render(scene)
Image.fromarray(color).save(job["output"])
renderer.delete()
"""

RELOAD_SCRIPT = r"""
import json, sys, time
from pathlib import Path
from renderer.preview.reload import SceneLoader
scene, rounds = Path(sys.argv[1]), int(sys.argv[2])
loader = SceneLoader(scene)
def load():
    loader.start()
    while (outcome := loader.poll()) is None:
        time.sleep(0.001)
    assert outcome.loaded is not None, outcome.problems
    return outcome.seconds
first = load()
text = scene.read_text()
reloads = []
for index in range(rounds):
    scene.write_text(text + f"\n# edit {index}\n")  # what saving the file in an editor does
    reloads.append(load())
print("RESULT " + json.dumps({"first": first, "reload": min(reloads)}))
"""


def timed_run(command: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the process and its threads)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    begin = time.perf_counter()
    run = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - begin
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} ... failed:\n{(run.stderr or run.stdout)[-2000:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def best_of(repeats: int, run) -> tuple[float, float]:
    return min(run() for _ in range(repeats))


def prosector(case: scenes.BenchScene, size, output: Path, camera=None) -> list[str]:
    roots = [arg for root in case.asset_roots for arg in ("--asset-root", str(root))]
    view = [] if camera is None else ["--camera-eye", ",".join(map(str, camera[0])), "--camera-target",
                                      ",".join(map(str, camera[1])), "--fov", str(camera[2])]  # fmt: skip
    return [sys.executable, "-m", "renderer", "render", str(case.scene), "-o", str(output),
            "--size", f"{size[0]}x{size[1]}", *roots, *view]  # fmt: skip


def peer(script: str, case: scenes.BenchScene, camera, size, output: Path) -> list[str]:
    job = {"meshes": [str(p) for p in case.meshes], "scale": case.scale, "z_up": case.z_up, "camera": camera,
           "size": list(size), "output": str(output)}  # fmt: skip
    return [sys.executable, "-c", script, json.dumps(job)]


def floor(case: scenes.BenchScene, camera, size, output: Path, work: Path, name: str) -> list[str]:
    """The floor's command (benchmarks/startup_floor.py) on the case's meshes, parsed once here into
    an .npz the way a warm mesh cache would hold them (not timed)."""
    arrays = work / f"{name}-floor.npz"
    if not arrays.exists():
        import numpy as np
        import trimesh

        meshes = []
        for path in case.meshes:
            mesh = trimesh.load(path, force="mesh", process=False)
            v = np.asarray(mesh.vertices, dtype=np.float64) * case.scale
            mesh.vertices = v[:, [0, 2, 1]] * np.array([1.0, 1.0, -1.0]) if case.z_up else v
            meshes.append(mesh)
        work.mkdir(parents=True, exist_ok=True)
        startup_floor.write_arrays(meshes, arrays)
    eye, target, fov = camera
    return [sys.executable, str(BENCH / "startup_floor.py"), str(arrays), ",".join(map(str, eye)),
            ",".join(map(str, target)), str(fov), f"{size[0]}x{size[1]}", str(output)]  # fmt: skip


def peer_available(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True).returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="sphere,library,hpv,body")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--size", default="512x512")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "prosector-bench")
    parser.add_argument("--images", type=Path, help="keep each tool's PNG in this folder")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    images = args.images or Path(tempfile.mkdtemp(prefix="prosector-bench-images-"))
    images.mkdir(parents=True, exist_ok=True)
    common = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PROSECTOR_NO_CACHE")}
    common["PYTHONPYCACHEPREFIX"] = str(args.work / "pycache")
    env = dict(common, PROSECTOR_CACHE_DIR=str(args.work / "cache"))
    peer_env = dict(common, PYOPENGL_PLATFORM="egl", EGL_PLATFORM="surfaceless")
    peer_env.pop("DISPLAY", None)
    tools = {"pyvista": peer_available("pyvista"), "pyrender": peer_available("pyrender")}
    started = time.perf_counter()
    print(f"machine: {platform.machine()} {platform.processor() or ''}, {os.cpu_count()} cores; "
          f"load average {os.getloadavg()[0]:.1f}; peers: {', '.join(k for k, v in tools.items() if v) or 'none'}")
    builders = {"sphere": lambda: scenes.sphere(args.work / "sphere"), "library": scenes.library_body,
                "body": lambda: scenes.whole_body(args.work / "body"),
                "hpv": lambda: scenes.hpv_surface(args.work / "hpv")}  # fmt: skip
    rows = []
    for name in args.cases.split(","):
        case = builders[name]()
        if case is None:
            print(f"{name}: data set missing, skipped")
            continue
        out = images / f"{name}-prosector.png"
        command = prosector(case, size, out, CAMERAS[name] if name == "library" else None)
        row = {"case": case.name, "first_run_s": timed_run(command, env, ROOT)[0]}
        runs = {"prosector": (command, env, ROOT)}
        for tool, script in (("pyvista", PYVISTA_SCRIPT), ("pyrender", PYRENDER_SCRIPT)):
            if tools[tool]:
                runs[tool] = (peer(script, case, CAMERAS[name], size, images / f"{name}-{tool}.png"), peer_env, None)
        runs["floor"] = (floor(case, CAMERAS[name], size, images / f"{name}-floor.png", args.work, name), peer_env, None)
        timings = {tool: [] for tool in runs}
        for _ in range(args.repeats):  # in turns: a change of load hits every tool alike
            for tool, (command, tool_env, cwd) in runs.items():
                timings[tool].append(timed_run(command, tool_env, cwd))
        for tool, results in timings.items():
            row[f"{tool}_s"], row[f"{tool}_cpu_s"] = min(results)
        rows.append(row)
        ratios = "  ".join(f"{tool} {row[f'{tool}_s']:.2f} s ({row[f'{tool}_cpu_s']:.2f} CPU) -> Prosector/{tool} = "
                           f"{row['prosector_s'] / row[f'{tool}_s']:.2f}x (CPU "
                           f"{row['prosector_cpu_s'] / row[f'{tool}_cpu_s']:.2f}x)"
                           for tool in [*tools, "floor"] if f"{tool}_s" in row)  # fmt: skip
        goal = f" (goal {GOAL_LIBRARY_S:.0f} s)" if name == "library" else ""
        print(f"{case.name:<26} Prosector {row['prosector_s']:6.2f} s{goal}, {row['prosector_cpu_s']:.2f} s CPU "
              f"(first, cold {row['first_run_s']:6.2f} s)  {ratios}", flush=True)  # fmt: skip
    brain = ROOT / "scenes" / "brain.yaml"
    validate = [sys.executable, "-m", "renderer", "validate", str(brain)]
    timed_run(validate, env, ROOT)  # fills the mesh cache
    validate_s, validate_cpu_s = best_of(args.repeats, lambda: timed_run(validate, env, ROOT))
    copy = brain.with_name(f".bench-reload-{os.getpid()}.yaml")  # a copy beside it: the reload edits the file
    try:
        copy.write_text(brain.read_text())
        run = subprocess.run([sys.executable, "-c", RELOAD_SCRIPT, str(copy), str(args.repeats)], env=env,
                             capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    finally:
        copy.unlink(missing_ok=True)
    reload = json.loads(next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))[7:]) \
        if run.returncode == 0 else {"first": float("nan"), "reload": float("nan")}  # fmt: skip
    if run.returncode != 0:
        print(run.stderr[-2000:])
    print(f"prosector validate scenes/brain.yaml: {validate_s:.2f} s, {validate_cpu_s:.2f} s CPU (goal 0.5 s); "
          f"preview reload of it: {reload['reload']:.3f} s (goal 0.3 s; first load in the preview "
          f"{reload['first']:.2f} s)")  # fmt: skip
    print(f"images: {images}; took {time.perf_counter() - started:.0f} s; load average now {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "validate_s": validate_s, "validate_cpu_s": validate_cpu_s,
                                         "reload": reload, "load_average": os.getloadavg()}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
