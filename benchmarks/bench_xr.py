"""XR benchmark (issue 4): stereo frame time of a scene through `prosector xr` against Monado (null
compositor, Simulated HMD, its recommended eye size), beside the same two eyes rendered offscreen in
the same run (the baseline: what the XR target adds is swapchains, layers and the frame loop).

Run inside the XR test root (Monado lives there):

    sudo tools/xr/run-in-root.sh python benchmarks/bench_xr.py [--scene scenes/brain.yaml] [--frames 60]

On a GPU machine the same script measures larger eyes with `--eye 2064x2208` (a Quest 3 eye): the
offscreen baseline then renders at that size; the XR run always uses the runtime's recommended size.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests/xr"))


def xr_run(scene: Path, frames: int, binding: str, work: Path) -> dict:
    from monado import MonadoService

    service = MonadoService(work / "monado").start()
    try:
        timing = work / "timing.json"
        env = service.client_env()
        env["PYTHONPATH"] = str(REPO)
        command = [sys.executable, "-m", "renderer.cli", "xr", str(scene), "--binding", binding, "--frames",
                   str(frames), "--no-governor", "--timing-file", str(timing)]  # fmt: skip
        started = time.monotonic()
        done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise SystemExit(f"prosector xr failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        data = json.loads(timing.read_text())
        data["wall_s"] = time.monotonic() - started
        return data
    finally:
        service.stop()


def offscreen_run(scene: Path, width: int, height: int, frames: int) -> dict:
    """Both eyes rendered offscreen, `frames` times; ms per stereo frame (render + glFinish)."""
    code = f"""
import json, time, numpy as np
from pathlib import Path
from renderer.headless import HeadlessRenderer
from renderer.gl import commands
from renderer.scene.load import load_scene
loaded = load_scene(Path({str(scene)!r}))
with HeadlessRenderer() as h:
    h.load(loaded)
    camera = h.camera({width} / {height})
    h.render({width}, {height}, camera, stereo=True)
    times = []
    for _ in range({frames}):
        t = time.perf_counter(); h.render({width}, {height}, camera, stereo=True); commands.finish()
        times.append((time.perf_counter() - t) * 1000)
    print(json.dumps({{"ms": times, "gl": h.context.info.renderer}}))
"""
    env = {k: v for k, v in os.environ.items() if not k.startswith("XR_")}
    env["PYTHONPATH"] = str(REPO)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scene", type=Path, default=REPO / "scenes/brain.yaml")
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--binding", choices=("egl", "glx"), default="egl")
    parser.add_argument("--eye", default=None, help="WIDTHxHEIGHT for the offscreen baseline (default: the runtime's)")
    args = parser.parse_args()
    import numpy as np

    with tempfile.TemporaryDirectory() as folder:
        xr = xr_run(args.scene.resolve(), args.frames, args.binding, Path(folder))
    frames = xr["frames"][5:]  # the first frames compile shaders and allocate buffers
    cpu = np.array([f["cpu_ms"] for f in frames])
    gpu = np.array([sum(f["gpu_ms"]) for f in frames])
    if args.eye:
        width, height = (int(v) for v in args.eye.split("x"))
    else:
        width, height = 320, 240  # Monado's Simulated HMD with the null compositor recommends 320x240
    base = offscreen_run(args.scene.resolve(), width, height, max(10, args.frames // 3))
    offscreen = np.array(base["ms"])
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; GL: {base['gl']}")
    print(f"scene: {args.scene}, eyes {width}x{height}, binding {args.binding}, {len(frames)} frames timed")
    print(f"XR stereo frame (CPU, xrBeginFrame..xrEndFrame): median {np.median(cpu):.1f} ms, p95 "
          f"{np.percentile(cpu, 95):.1f} ms")  # fmt: skip
    print(f"XR GPU time, both eyes (timer queries): median {np.median(gpu):.1f} ms")
    print(f"offscreen stereo frame, same eyes: median {np.median(offscreen):.1f} ms")
    print(f"ratio XR / offscreen: {np.median(cpu) / np.median(offscreen):.2f}")
    print(f"missed frames: {xr['summary']['missed_frames']}, runtime period {xr['summary']['period_ms']:.1f} ms; "
          f"budget at 90 Hz: 11.1 ms")  # fmt: skip


if __name__ == "__main__":
    main()
