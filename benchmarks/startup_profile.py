"""Where the time to the first pixel goes: `prosector render` split into its stages, cold and warm.

Run: python benchmarks/startup_profile.py [--scenes brain,sphere,body,hpv] [--size 512x512] [--view color]

Each column is one fresh process doing what `prosector render SCENE -o OUT.png` does, with a clock
around every stage: interpreter start, imports (scene side, then GL side), the scene file (YAML and
validation), mesh reads, GL context, renderer set-up, uploads (GpuScene.sync), shader programs
(compile or load from the binary cache), the passes (first frame, shader time taken out), read-back
and PNG encode. "cold": empty Prosector cache and an empty Mesa shader cache; "warm": the same
process again, both caches filled by the cold run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

STAGES = [
    ("interpreter", "interpreter start (python -c pass)"),
    ("imports_scene", "imports: CLI + scene loading"),
    ("scene_file", "scene file: YAML + validation"),
    ("mesh_reads", "mesh + molecule reads"),
    ("imports_gl", "imports: OpenGL, passes, GPU scene"),
    ("context", "GL context (EGL)"),
    ("renderer_init", "renderer set-up"),
    ("uploads", "uploads (GpuScene.sync)"),
    ("programs", "shader programs"),
    ("passes", "passes (first frame)"),
    ("readback", "read-back"),
    ("png", "PNG encode + write"),
]


def child(scene: str, size: tuple[int, int], view: str, roots: list[str], output: str) -> dict:
    """Runs in the measured process; returns seconds per stage plus counters."""
    times: dict[str, float] = {}
    clock = time.perf_counter
    start = clock()
    from renderer import cli  # noqa: F401  (what the command line imports first)
    from renderer.scene import load as scene_load

    times["imports_scene"] = clock() - start
    mesh_time = [0.0]

    def timed(function):
        def wrapper(*args):
            begin = clock()
            try:
                return function(*args)
            finally:
                mesh_time[0] += clock() - begin

        return wrapper

    scene_load._load_meshes = timed(scene_load._load_meshes)
    scene_load._load_molecules = timed(scene_load._load_molecules)
    begin = clock()
    loaded = scene_load.load_scene(Path(scene), asset_roots=[Path(r) for r in roots])
    times["mesh_reads"] = mesh_time[0]
    times["scene_file"] = clock() - begin - mesh_time[0]
    from renderer.commands.render import still_options
    from renderer.scene.step_state import scene_state

    state = scene_state(loaded, None, None)
    begin = clock()
    import renderer.headless as headless_module
    from renderer.gl import shaders
    from renderer.targets.offscreen import OffscreenTarget

    times["imports_gl"] = clock() - begin
    program_time = [0.0]
    original_program = shaders.Program.__init__

    def timed_program(self, *args, **kwargs):
        begin = clock()
        try:
            original_program(self, *args, **kwargs)
        finally:
            program_time[0] += clock() - begin

    shaders.Program.__init__ = timed_program
    readback_time = [0.0]
    original_read = OffscreenTarget.read_image

    def timed_read(self):
        begin = clock()
        try:
            return original_read(self)
        finally:
            readback_time[0] += clock() - begin

    OffscreenTarget.read_image = timed_read
    begin = clock()
    context = headless_module.create_headless_context()
    times["context"] = clock() - begin
    begin = clock()
    headless = headless_module.HeadlessRenderer(context)
    times["renderer_init"] = clock() - begin
    begin, programs_before = clock(), program_time[0]
    headless.load(loaded)
    headless.scene.apply(state)
    times["uploads"] = clock() - begin - (program_time[0] - programs_before)
    args = argparse.Namespace(ao_tier=None, ao_radius=None, ao_samples=None, view=view)
    options = still_options(headless.options(view_mode=view), args)
    begin, programs_before = clock(), program_time[0]
    image = headless.render(size[0], size[1], state.camera or headless.camera(size[0] / size[1]), options)
    frame = clock() - begin
    times["programs"] = program_time[0]
    times["readback"] = readback_time[0]
    times["passes"] = frame - readback_time[0] - (program_time[0] - programs_before)
    begin = clock()
    from renderer.screenshots import write_png

    write_png(Path(output), image)
    times["png"] = clock() - begin
    cache = headless.renderer.shaders.binary_cache
    counters = {"program_hits": cache.hits, "program_misses": cache.misses, "triangles": loaded.triangle_count,
                "parts": len(loaded.meshes), "driver_binary_formats": cache.enabled}  # fmt: skip
    headless.close()
    return {"times": times, "counters": counters}


def run_child(scene, size, view, roots, env) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        output = str(Path(folder) / "out.png")
        code = (f"import json, sys; sys.path[:0] = {[str(BENCH.parent), str(BENCH)]!r}; import startup_profile as p; "
                f"print('RESULT ' + json.dumps(p.child({str(scene)!r}, {tuple(size)!r}, {view!r}, "
                f"{[str(r) for r in roots]!r}, {output!r})))")  # fmt: skip
        begin = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        whole = time.perf_counter() - begin
    if run.returncode != 0:
        raise SystemExit(f"profile of {scene} failed:\n{run.stderr[-3000:]}")
    result = json.loads(next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))[7:])
    result["whole_process"] = whole
    return result


def interpreter_start(env) -> float:
    best = float("inf")
    for _ in range(3):
        begin = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
        best = min(best, time.perf_counter() - begin)
    return best


def pick_scenes(names: list[str], folder: Path):
    import startup_scenes as scenes

    table = {"brain": scenes.brain, "sphere": lambda: scenes.sphere(folder / "sphere"),
             "body": lambda: scenes.whole_body(folder / "body"), "hpv": scenes.hpv_molecule}  # fmt: skip
    return [s for s in (table[name]() for name in names) if s is not None]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", default="brain,sphere,hpv", help="comma-separated: brain, sphere, body, hpv")
    parser.add_argument("--size", default="512x512")
    parser.add_argument("--view", default="color")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "prosector-bench",
                        help="folder for generated scenes (kept between runs)")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.lower().split("x"))
    chosen = pick_scenes(args.scenes.split(","), args.work)
    columns, results = [], {}
    start = interpreter_start(dict(os.environ))
    for scene in chosen:
        with tempfile.TemporaryDirectory() as caches:  # each scene's cold run starts from empty caches
            env = dict(os.environ, PROSECTOR_CACHE_DIR=str(Path(caches) / "prosector"),
                       MESA_SHADER_CACHE_DIR=str(Path(caches) / "mesa"))  # fmt: skip
            env.pop("PROSECTOR_NO_CACHE", None)
            roots = list(scene.asset_roots)
            for mode in ("cold", "warm"):
                print(f"profiling {scene.name}, {mode} ...", file=sys.stderr, flush=True)
                result = run_child(scene.scene, size, args.view, roots, env)
                result["times"]["interpreter"] = start
                columns.append(f"{scene.name.split(' (')[0][:18]} {mode}")
                results[columns[-1]] = result
    print(f"\nstart-up profile, seconds, {size[0]}x{size[1]} --view {args.view}; machine: {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    width = max(len(c) for c in columns) + 1
    print(f"{'stage':<38}" + "".join(f"{c:>{width}}" for c in columns))
    for key, label in STAGES:
        print(f"{label:<38}" + "".join(f"{results[c]['times'].get(key, 0.0):>{width}.3f}" for c in columns))
    print(f"{'sum of stages':<38}" + "".join(f"{sum(results[c]['times'].values()):>{width}.3f}" for c in columns))
    print(f"{'whole process (measured outside)':<38}" + "".join(f"{results[c]['whole_process']:>{width}.3f}"
                                                              for c in columns))  # fmt: skip
    print(f"{'programs loaded from cache / compiled':<38}" + "".join(
        f"{results[c]['counters']['program_hits']:>{width - 4}} / {results[c]['counters']['program_misses']:<2}"
        for c in columns))  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
