"""Frame time through the Stage's view loop against a baseline checkout (issue 15: the frame time
must not grow). Each round renders the same scenes in a fresh process of this tree and of the
baseline tree, alternately, so both see the same machine load; the figure to read is the ratio.

Run: python benchmarks/bench_stage.py --baseline /work/main [--rounds 3] [--frames 7] [--json OUT]
Both trees run with this interpreter (same libraries). Frames read the image back, as
`prosector render` does; medians after 2 warm-up frames.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CASES = [("brain", "scenes/brain.yaml", (512, 512)), ("brain", "scenes/brain.yaml", (1280, 720)),
         ("deformation demo at t=1 s", "scenes/deformation-demo.yaml", (512, 512))]  # fmt: skip

CHILD = r"""
import json, statistics, sys, time
sys.path.insert(0, sys.argv[1])
from renderer.gl.platform import choose_platform
choose_platform("egl")
from renderer.headless import HeadlessRenderer
from renderer.scene.load import load_scene
cases, frames = json.loads(sys.argv[2]), int(sys.argv[3])
out = []
with HeadlessRenderer() as headless:
    for name, scene, (width, height) in cases:
        headless.load(load_scene(sys.argv[1] + "/" + scene))
        deforms = any(p.deform for p in headless.loaded.scene.parts.values())
        def frame():
            if deforms:
                headless.deform(1.0)
            headless.render(width, height)
        for _ in range(2):
            frame()
        samples = []
        for _ in range(frames):
            start = time.perf_counter(); frame(); samples.append((time.perf_counter() - start) * 1000)
        out.append(statistics.median(samples))
print(json.dumps(out))
"""


def run_tree(tree: Path, frames: int, cases: list) -> list[float]:
    env = dict(os.environ, EGL_PLATFORM="surfaceless")
    run = subprocess.run([sys.executable, "-c", CHILD, str(tree), json.dumps(cases), str(frames)], cwd=tree,
                         capture_output=True, text=True, env=env)  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"{tree}: {run.stderr.strip()[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


PICK_CHILD = r"""
import json, statistics, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from renderer.gl.platform import choose_platform
choose_platform("egl")
from renderer.headless import HeadlessRenderer
from renderer.interaction.ray import RayTarget, cast_ray
from renderer.scene.load import load_scene
frames = int(sys.argv[2])
with HeadlessRenderer() as headless:
    loaded = load_scene(sys.argv[1] + "/scenes/brain.yaml")
    headless.load(loaded)
    headless.render(256, 256)
    centre = headless.scene.bounds().mean(axis=0)
    origin, direction = centre + np.array([0.05, 0.1, 0.6]), None
    direction = centre - origin
    def gpu():
        return headless.pick_ray(origin, direction, min_opacity=0.5)
    def cpu():  # the headset's old path: a CPU cast on the loaded (rest) meshes
        targets = []
        for p in headless.scene.visible_parts():
            if p.opacity >= 0.5:
                mesh = loaded.meshes[p.part_id]
                planes = p.clip_planes.reshape(-1, 4)
                targets.append(RayTarget(p.part_id, p.model_matrix, mesh.positions, mesh.indices, mesh.bounds, planes))
        return cast_ray(origin, direction, targets)
    out = {}
    for name, cast in (("gpu", gpu), ("cpu", cpu)):
        cast(); samples = []
        for _ in range(frames):
            start = time.perf_counter(); hit = cast(); samples.append((time.perf_counter() - start) * 1000)
        out[name] = [statistics.median(samples), hit.part_id if hit else None]
print(json.dumps(out))
"""


def pick_figures(frames: int) -> dict:
    """One controller-ray pick on the brain: the stage's GPU id pass against a CPU cast on rest meshes."""
    run = subprocess.run([sys.executable, "-c", PICK_CHILD, str(ROOT), str(frames * 3)], cwd=ROOT,
                         capture_output=True, text=True, env=dict(os.environ, EGL_PLATFORM="surfaceless"))  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(run.stderr.strip()[-2000:])
    return json.loads(run.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="the checkout to compare with (e.g. main's)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frames", type=int, default=7)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--only", type=int, action="append", help="run only case N (0-based; repeatable)")
    args = parser.parse_args()
    cases = [CASES[i] for i in args.only] if args.only else CASES
    ours: list[list[float]] = []
    theirs: list[list[float]] = []
    loads = [load_average()]
    for _ in range(args.rounds):
        theirs.append(run_tree(args.baseline.resolve(), args.frames, cases))
        ours.append(run_tree(ROOT, args.frames, cases))
        loads.append(load_average())
    rows = []
    for index, (name, _scene, size) in enumerate(cases):
        base = statistics.median(r[index] for r in theirs)
        mine = statistics.median(r[index] for r in ours)
        rows.append({"case": name, "size": f"{size[0]}x{size[1]}", "baseline_ms": base, "stage_ms": mine,
                     "ratio": mine / base, "baseline_rounds": [r[index] for r in theirs],
                     "stage_rounds": [r[index] for r in ours]})  # fmt: skip
        print(f"{name:<26} {size[0]}x{size[1]:<5} baseline {base:8.1f} ms | this tree {mine:8.1f} ms | "
              f"this / baseline = {mine / base:.3f}")  # fmt: skip
    picks = pick_figures(args.frames)
    loads.append(load_average())
    print(f"controller-ray pick on the brain: GPU id pass {picks['gpu'][0]:.2f} ms ({picks['gpu'][1]}), "
          f"CPU cast on rest meshes {picks['cpu'][0]:.2f} ms ({picks['cpu'][1]})")  # fmt: skip
    print(f"load average (1, 5, 15 min) before and after each round: {' | '.join(loads)}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "pick": picks, "load": loads}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
