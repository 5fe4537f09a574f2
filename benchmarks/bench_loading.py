"""Loading molecules at scale beside PyMOL, in the same run: wall time and peak memory to read a
tiled mmCIF (benchmarks/tiled_mmcif.py: 1hpv copies) of 100k, 500k and 1M atoms.

Each load runs in a fresh process, so start-up (imports, biotite's CCD) is counted for both, as a
teacher would see it. PyMOL is Debian's `pymol` 2.5 (`python3 -m pymol -cq`), skipped when absent.
`--end-to-end` also times `prosector new` + `prosector render` (800x600) for the largest size.

    python benchmarks/bench_loading.py [--sizes 100000,500000,1000000] [--cache DIR] [--end-to-end]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PYMOL_PYTHON = "/usr/bin/python3"  # Debian's pymol lives in the system interpreter


PEAK = "; import resource; print('peak_kib', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one fresh process; Python children print their own
    peak (`PEAK`), others are measured by GNU time."""
    if not any(PEAK in part for part in command):
        command = ["/usr/bin/time", "-f", "peak_kib %M", *command]
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    text = done.stdout + done.stderr
    peak = [int(line.split()[1]) for line in text.splitlines() if line.startswith("peak_kib")][-1]
    return wall, peak / 1024, done.stdout


def ours(path: Path) -> tuple[float, float, str]:
    code = ("import sys; from renderer.molecules.io import read_structure; s = read_structure(sys.argv[1]); "
            "print(s.atom_count, s.bond_count)" + PEAK)  # fmt: skip
    return timed([sys.executable, "-c", code, str(path)])


def pymol(path: Path) -> tuple[float, float, str] | None:
    if not shutil.which("pymol") or not Path(PYMOL_PYTHON).exists():
        return None
    code = ("import sys; from pymol import cmd; cmd.load(sys.argv[1], 'm'); "
            "print(cmd.count_atoms('m'), cmd.count_atoms('m and name CA'))" + PEAK)  # fmt: skip
    return timed([PYMOL_PYTHON, "-c", "import pymol; pymol.finish_launching(['pymol', '-cq']); " + code, str(path)])


def tiled_file(cache: Path, size: int) -> Path:
    """`cache`/tiled_SIZE.cif, written once (benchmarks/tiled_mmcif.py) and kept for later runs."""
    path = cache / f"tiled_{size}.cif"
    if not path.exists():
        print(f"writing {path} ...", flush=True)
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        # In a child: a forked process starts with its parent's peak RSS, which would inflate
        # every later measurement by the memory that writing the file took.
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "tiled_mmcif.py"), str(size), str(partial)],
                       check=True)  # fmt: skip
        partial.rename(path)
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,500000,1000000")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "prosector-bench")
    parser.add_argument("--end-to-end", action="store_true")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    rows = []
    for size in [int(s) for s in args.sizes.split(",")]:
        path = tiled_file(args.cache, size)
        mine = ours(path)
        theirs = pymol(path)
        atoms = int(mine[2].split()[0])
        line = f"{atoms:>9,} atoms: prosector {mine[0]:6.1f} s {mine[1]:7.0f} MiB"
        if theirs:
            line += f" | pymol {theirs[0]:6.1f} s {theirs[1]:7.0f} MiB | time x{mine[0] / theirs[0]:.2f}, " \
                    f"memory x{mine[1] / theirs[1]:.2f}"  # fmt: skip
        print(line, flush=True)
        rows.append((atoms, mine, theirs, path))
    if args.end_to_end and rows:
        atoms, _, _, path = rows[-1]
        scene = path.with_suffix(".yaml")
        prosector = [sys.executable, "-m", "renderer"]
        new = timed([*prosector, "new", str(scene), "--from", str(path), "--force"])
        render = timed([*prosector, "render", str(scene), "-o", str(path.with_suffix(".png")), "--size", "800x600"])
        print(f"{atoms:>9,} atoms end to end: new {new[0]:.1f} s + render {render[0]:.1f} s = "
              f"{new[0] + render[0]:.1f} s (peak {max(new[1], render[1]):.0f} MiB)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
