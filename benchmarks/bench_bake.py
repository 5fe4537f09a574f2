"""Baking a library on 1, 2 and 4 Ray workers: wall time and speed-up against 1 worker, measured in
one run on the same library; and what a second language costs (geometry once, labels per language)
against rendering each language in full.

The library is made here: N copies of the brain lesson, each with its own title so every job is
new, in a temporary folder. Small pictures, no videos, so it fits a CPU machine.

    .venv/bin/python benchmarks/bench_bake.py [--lessons 10] [--size 160x120] [--workers 1,2,4]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

from renderer.bake.driver import bake
from renderer.cli_args import size as parse_size

ROOT = Path(__file__).resolve().parent.parent


def make_library(folder: Path, count: int) -> list[Path]:
    for name in ("brain.yaml", "schema.json"):
        shutil.copy(ROOT / "scenes" / name, folder / name)
    text = (ROOT / "scenes" / "brain-lesson.yaml").read_text(encoding="utf-8")
    lessons = []
    for index in range(count):
        path = folder / f"lesson-{index:02d}.yaml"
        path.write_text(text.replace("Inside the head", f"Inside the head ({index + 1})", 1), encoding="utf-8")
        lessons.append(path)
    return lessons


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=10)
    parser.add_argument("--size", type=parse_size, default=(160, 120))
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "load_average": os.getloadavg()[0],
               "lessons": args.lessons, "size": list(args.size), "runs": {}}  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        lessons = make_library(Path(folder), args.lessons)
        for workers in [int(w) for w in args.workers.split(",")]:
            out = Path(folder) / f"out-{workers}"
            started = time.perf_counter()
            report = bake(lessons, out, ["en"], args.size, workers=workers, video=False)
            wall = time.perf_counter() - started
            results["runs"][workers] = {"wall_s": wall, "jobs": report.rendered, "failed": len(report.failed)}
            print(f"{workers} worker(s): {report.rendered} step jobs in {wall:.1f} s", flush=True)
        # languages: one lesson, 1 language against 4 (geometry once, labels per language)
        single = bake(lessons[:1], Path(folder) / "lang-1", ["en"], args.size, workers=0, video=False)
        multi = bake(lessons[:1], Path(folder) / "lang-4", ["en", "zh", "es", "fr"], args.size, workers=0,
                     video=False)  # fmt: skip
        results["languages"] = {"one_s": sum(single.job_seconds), "four_s": sum(multi.job_seconds)}
    base = results["runs"][min(results["runs"])]["wall_s"]
    print(f"library of {args.lessons} lessons x 6 steps at {args.size[0]}x{args.size[1]} "
          f"({results['machine']}, load average {results['load_average']:.1f}):")
    for workers, run in results["runs"].items():
        print(f"  {workers} worker(s): {run['wall_s']:.1f} s, speed-up x{base / run['wall_s']:.2f}")
    lang = results["languages"]
    print(f"  4 languages cost x{lang['four_s'] / lang['one_s']:.2f} of 1 language (step jobs' own time)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
