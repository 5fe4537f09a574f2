"""Deformation benchmark (issue 7): vertices per second of each deformer with normals and the GL
hand-off, NumPy and CuPy (where a CUDA device is present), and the soft-tissue step beside NVIDIA Warp
(PyPI warp-lang, CPU) running the same algorithm on the same lattice.

    python benchmarks/bench_deform.py [--vertices 100000] [--frames 20] [--json OUT.json]

Same code as `prosector bench deform`; prints the table, and the JSON when asked.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from renderer.deform.benchmark import format_table, run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vertices", type=int, default=100_000)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--no-warp", action="store_true")
    args = parser.parse_args()
    report = run(args.vertices, args.frames, gl=True, warp=not args.no_warp)
    report["python"] = platform.python_version()
    report["numpy"] = np.__version__
    print(format_table(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
