"""The whole body from the bundled library against the same body from the raw BodyParts3D files.

Run: python benchmarks/bench_library.py [--size 480x720] [--source DIR]
Each case is one `prosector render` in a fresh process (what a teacher runs): wall time and peak
memory (the child's maximum resident set). Baseline, measured in the same run: a scene naming the
515 source GLBs directly (mm, Z-up node rotation, 2.55 M triangles; the eight parts stored in
another frame left as they are), as a teacher would write without the library.
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

ROOT = Path(__file__).resolve().parent.parent
SOURCE = next((p / "shared" / "data" / "bodyparts3d" for p in (ROOT.parent, ROOT.parent.parent)
               if (p / "shared" / "data" / "bodyparts3d").is_dir()), None)  # fmt: skip


def raw_scene(source: Path, folder: Path) -> Path:
    lines = ["version: 1", "parts:"]
    for number, entry in enumerate(json.loads((source / "meta.json").read_text(encoding="utf-8"))):
        path = source / entry["filename"]
        if path.is_file():
            material = "bone" if entry["group"] == "bones" else "muscle"
            lines.append(f"  p{number}: {{mesh: {json.dumps(str(path))}, unit: mm, up_axis: z, material: {material}}}")
    scene = folder / "raw-body.yaml"
    scene.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return scene


def render(scene: Path, out: Path, size: str, extra: list[str]) -> tuple[float, float]:
    """(seconds, peak MiB) of one `prosector render` in a child process; a wrapper process of its own
    reads the render's peak (RUSAGE_CHILDREN keeps the maximum over every child so far)."""
    wrapper = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, capture_output=True); "
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "renderer", "render", str(scene),
                           "-o", str(out), "--size", size, *extra], check=True, capture_output=True, text=True,
                          cwd=ROOT)  # fmt: skip
    seconds = time.perf_counter() - started
    return seconds, int(done.stdout.split()[-1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="480x720")
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args()
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {args.size}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        cases = {"library (scenes/whole-body.yaml)": (ROOT / "scenes" / "whole-body.yaml", [])}
        if args.source is not None:
            cases["raw source files (baseline)"] = (raw_scene(args.source, folder), ["--asset-root", str(args.source)])
        figures = {}
        for name, (scene, extra) in cases.items():
            print(f"rendering {name} ...", flush=True)
            figures[name] = render(scene, folder / "out.png", args.size, extra)
            print(f"  {figures[name][0]:.1f} s, peak {figures[name][1]:.0f} MiB", flush=True)
    if len(figures) == 2:
        (lib_s, lib_mib), (raw_s, raw_mib) = figures.values()
        print(f"library / raw: time {lib_s / raw_s:.2f}x, peak memory {lib_mib / raw_mib:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
