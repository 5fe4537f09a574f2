"""Frame time of two checkouts of Prosector in one run, alternating, so the shared machine's load
weighs on both alike (a change's before and after).

    python benchmarks/bench_ab.py --baseline /work/main [--candidate .] [--rounds 3] [--frames 6]
        [--size 320x240] [--scenes brain,skin-window]

Each round runs every scene once per checkout, each in its own Python process whose `renderer` comes
from that checkout (PYTHONPATH; same interpreter and libraries). A process loads the scene, renders
three warm-up frames, then times `frames` frames of `HeadlessRenderer.render` (image read back, as
`prosector render` does) and reports the medians of the wall clock and of the process's CPU time
(all its threads, llvmpipe's rasteriser threads included). On a loaded machine the wall clock of
the same code varies by tens of per cent between runs; CPU time counts the work done whoever got
the cores, so it is the figure to compare there. Printed: per scene the median over rounds of each
checkout and the candidate / baseline ratios, with the load average.
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

_MEASURE = r"""
import json, statistics, sys, time
from renderer.gl.platform import choose_platform
choose_platform("egl")
from renderer.headless import HeadlessRenderer
from renderer.scene.load import load_scene
scene, width, height, frames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
with HeadlessRenderer() as headless:
    headless.load(load_scene(scene))
    for _ in range(3):
        headless.render(width, height)
    wall, cpu = [], []
    for _ in range(frames):
        start, start_cpu = time.perf_counter(), time.process_time()
        headless.render(width, height)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
print(json.dumps({"ms": statistics.median(wall), "cpu_ms": statistics.median(cpu)}))
"""


def measure(checkout: Path, scene: Path, size: tuple[int, int], frames: int) -> tuple[float, float]:
    """(median wall ms, median CPU ms) per frame of `scene` rendered by `checkout`."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    run = subprocess.run([sys.executable, "-c", _MEASURE, str(scene), str(size[0]), str(size[1]), str(frames)],
                         cwd=checkout, env=env, capture_output=True, text=True, check=False)  # fmt: skip
    if run.returncode != 0:
        raise SystemExit(f"{checkout}: {scene.name} failed:\n{run.stderr[-2000:]}")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    return float(result["ms"]), float(result["cpu_ms"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--candidate", type=Path, default=ROOT)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--frames", type=int, default=6)
    parser.add_argument("--size", default="320x240")
    parser.add_argument("--scenes", default="brain,skin-window")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))
    checkouts = {"baseline": args.baseline.resolve(), "candidate": args.candidate.resolve()}
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    print(f"load average before: {os.getloadavg()}")
    for round_index in range(args.rounds):
        order = list(checkouts.items()) if round_index % 2 == 0 else list(reversed(checkouts.items()))
        for scene in args.scenes.split(","):
            for label, checkout in order:
                ms, cpu_ms = measure(checkout, ROOT / "scenes" / f"{scene}.yaml", size, args.frames)
                times.setdefault((scene, label), []).append((ms, cpu_ms))
                print(f"round {round_index + 1} {scene} {label}: wall {ms:.1f} ms, CPU {cpu_ms:.1f} ms", flush=True)
    print(f"load average after: {os.getloadavg()}")
    print(f"\n| scene ({args.size}) | CPU baseline | CPU candidate | CPU ratio | wall baseline | wall candidate "
          "| wall ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for scene in args.scenes.split(","):
        base = [statistics.median(t[i] for t in times[(scene, "baseline")]) for i in (0, 1)]
        cand = [statistics.median(t[i] for t in times[(scene, "candidate")]) for i in (0, 1)]
        print(f"| {scene} | {base[1]:.1f} ms | {cand[1]:.1f} ms | x{cand[1] / base[1]:.3f} | {base[0]:.1f} ms | "
              f"{cand[0]:.1f} ms | x{cand[0] / base[0]:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
