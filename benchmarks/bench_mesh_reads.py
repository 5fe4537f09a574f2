"""Reading many meshes: one thread, threads, or processes; without the mesh cache (parsing) and with it.

Run: python benchmarks/bench_mesh_reads.py [--files 120] [--workers 2]

The files are BodyParts3D GLBs (the whole-body scene's parts). Each strategy runs in a fresh
process whose imports are done before the clock starts; worker processes are forked (Linux), so
they inherit those imports but pay for starting and for sending every mesh back through a pipe.
Prints seconds and the speed-up over one thread.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BODY = Path("/work/shared/data/bodyparts3d")

CHILD = r"""
import json, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from renderer.scene import meshes
from renderer.scene.parallel_reads import parallel_reads
import trimesh  # noqa: F401  (imported before the clock, as the scene loader would have)
files, strategy, workers = [Path(p) for p in json.loads(sys.argv[1])], sys.argv[2], int(sys.argv[3])
def read(path):
    return meshes.load_mesh(path, unit="mm", up_axis="z")
start = time.perf_counter()
if strategy == "processes":
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(read, files, chunksize=8))
else:
    os.environ["PROSECTOR_READ_THREADS"] = "1" if strategy == "one thread" else str(workers)
    results = [get() for _, get in parallel_reads(files, read)]
seconds = time.perf_counter() - start
print("RESULT " + json.dumps({"seconds": seconds, "triangles": sum(r.triangle_count for r in results)}))
"""


def run(files: list[Path], strategy: str, workers: int, env: dict) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps([str(f) for f in files]), strategy, str(workers)],
                         env=env, capture_output=True, text=True, cwd=ROOT)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    return json.loads(next(line for line in out.stdout.splitlines() if line.startswith("RESULT "))[7:])["seconds"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=120)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    files = sorted(BODY.glob("*/*.glb"))[: args.files]
    if not files:
        print("BodyParts3D data set not found")
        return 1
    print(f"{len(files)} BodyParts3D files, {args.workers} workers, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    with tempfile.TemporaryDirectory() as cache:
        parse = dict(os.environ, PROSECTOR_NO_CACHE="1")
        cached = dict(os.environ, PROSECTOR_CACHE_DIR=cache)
        cached.pop("PROSECTOR_NO_CACHE", None)
        run(files, "one thread", 1, cached)  # fills the cache
        for label, env, strategies in (("parsing (no cache)", parse, ("one thread", "threads", "processes")),
                                       ("mesh cache warm", cached, ("one thread", "threads"))):  # fmt: skip
            base = None
            for strategy in strategies:
                seconds = run(files, strategy, args.workers, env)
                base = base or seconds
                print(f"{label:<20} {strategy:<11} {seconds:7.2f} s  ({base / seconds:.2f}x one thread)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
