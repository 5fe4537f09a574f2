"""Time and peak memory of `prosector new`, `validate` and `render` for the whole BodyParts3D body.

    python benchmarks/scaffold_body.py [--data DIR] [--size 512x768] [--runs 1]

Each command runs in its own Python process (peak RSS is that process's `ru_maxrss`), on all 515 GLBs
(`--data`, default ../shared/data/bodyparts3d beside the checkout). As a yardstick for the machine's load, the same run
times `render` of the bundled brain scene; ratios against it are the figures to compare across runs.
Also printed against the figures issue 13 recorded before this work (render 15.8 s, 1.06 GB).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BEFORE = {"render": (15.8, 1.06 * 1024)}  # issue 13: seconds, MiB
_RUN = (
    "import resource, sys; from renderer.cli import main; rc = main(sys.argv[1:]); "
    "print('maxrss_kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(rc)"
)
DATA = Path(os.environ.get("PROSECTOR_BODYPARTS3D", "")
                   or Path(__file__).resolve().parents[2] / "shared/data/bodyparts3d")  # ../shared beside the checkout


def run(args: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of `prosector ARGS` in a fresh process."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _RUN, *args], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"prosector {' '.join(args[:2])} failed:\n{done.stderr[-2000:]}")
    line = next(x for x in done.stderr.splitlines() if x.startswith("maxrss_kib"))
    return seconds, int(line.split()[1]) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the BodyParts3D folder (with bones/, muscles/...)")
    parser.add_argument("--size", default="512x768")
    parser.add_argument("--runs", type=int, default=1, help="repeat each command; the fastest run is kept")
    args = parser.parse_args()
    files = sorted(str(p) for p in args.data.glob("*/*.glb"))
    if not files:
        raise SystemExit(f"no GLB files under {args.data}")
    with tempfile.TemporaryDirectory() as folder:
        scene = Path(folder) / "body.yaml"
        commands = {
            "new": ["new", str(scene), "--from", *files, "--force"],
            "validate": ["validate", str(scene), "--strict"],
            "render": ["render", str(scene), "-o", str(Path(folder) / "body.png"), "--size", args.size],
            "render brain (yardstick)": ["render", str(ROOT / "scenes" / "brain.yaml"), "-o",
                                         str(Path(folder) / "brain.png"), "--size", args.size],
        }  # fmt: skip
        results = {}
        for name, command in commands.items():
            print(f"running {name} ...", file=sys.stderr, flush=True)
            results[name] = min((run(command) for _ in range(args.runs)), key=lambda r: r[0])
    yardstick = results["render brain (yardstick)"][0]
    print(f"whole body: {len(files)} files; load average {os.getloadavg()[0]:.1f}")
    print("| command | wall time | peak RSS | time / brain render | before (issue 13) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (seconds, mib) in results.items():
        before = BEFORE.get(name)
        was = f"{before[0]:.1f} s, {before[1] / 1024:.2f} GB" if before else "-"
        print(f"| {name} | {seconds:.1f} s | {mib:.0f} MiB | {seconds / yardstick:.2f}x | {was} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
