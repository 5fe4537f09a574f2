"""A big mmCIF to a PNG, whole processes timed, beside PyMOL in the same run (issue 16, item 8:
1M atoms from mmCIF to a PNG in <= 25 s, load and render counted).

Per size (a tiled 1hpv mmCIF, benchmarks/tiled_mmcif.py, written once into --cache):
  prosector: `prosector new SCENE --from FILE` then `prosector render SCENE --size WxH` (fresh
  processes: imports, reading, checks, cartoon and ligands as `new` suggests them, drawing on
  Mesa's llvmpipe on a CPU-only machine, PNG written);
  PyMOL: Debian's PyMOL 2.5 (its default cartoon and ligand sticks) loading FILE and writing
  `png OUT, ray=0` at WxH, drawn with OpenGL in a window on Xvfb (Mesa's llvmpipe, the same
  rasteriser as ours). `pymol -cq` has no OpenGL: there `png` ray-traces even with ray=0, which
  took minutes at 100k atoms, so the window is used (`pymol -qx` under `xvfb-run`, internal GUI
  off); Xvfb's start (about a second) is counted in PyMOL's time.
Each line gives wall time and CPU time (user + sys of the child, from getrusage(RUSAGE_CHILDREN))
and the ratios. The machine is often shared: compare ratios within one run, and CPU beside wall.

PyMOL and Xvfb are Debian packages (`apt-get install pymol xvfb`), for this benchmark only (not CI);
without them only our figures print. A PyMOL run longer than --pymol-timeout is stopped and shown
as such. Prosector's cache folder is a fresh one under --cache, warmed by one untimed
run on 1hpv (a teacher's first run after installing pays ~7 s once for the CCD subset).

    python benchmarks/bench_molecule_png.py [--sizes 100000,500000,1000000] [--size 800x600] [--cache DIR]
                                           [--keep] [--pymol-timeout 300]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_loading import PYMOL_PYTHON, tiled_file  # noqa: E402

HPV = ROOT / "assets" / "molecules" / "1hpv.pdb"


def timed(command: list[str], cwd: Path, env: dict) -> tuple[float, float, float]:
    """(wall s, CPU s = user + sys, peak RSS MiB) of one child process; raises if it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)  # this child's own peak (RUSAGE_CHILDREN keeps the largest yet)
    process.returncode = os.waitstatus_to_exitcode(status)
    process.stdout.close()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output.decode(errors='replace')[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, usage.ru_maxrss / 1024


def prosector(source: Path, folder: Path, size: str, env: dict) -> dict:
    scene, png = folder / "scene.yaml", folder / "scene.png"
    cli = [sys.executable, "-m", "renderer"]
    new = timed([*cli, "new", str(scene), "--from", str(source), "--force"], folder, env)
    render = timed([*cli, "render", str(scene), "-o", str(png), "--size", size], folder, env)
    return {"new": new, "render": render, "png": png}


def pymol(source: Path, folder: Path, size: str, env: dict, limit_s: float) -> tuple[float, float, float] | None:
    if not shutil.which("pymol") or not shutil.which("xvfb-run") or not Path(PYMOL_PYTHON).exists():
        return None
    width, height = size.split("x")
    png = folder / "pymol.png"
    command = ["timeout", str(int(limit_s)), "xvfb-run", "-a", "-s", f"-screen 0 {int(width) + 64}x{int(height) + 64}x24",
               PYMOL_PYTHON, "-m", "pymol", "-qx", str(source), "-d", "set internal_gui, 0",
               "-d", f"viewport {width}, {height}", "-d", "refresh", "-d", f"png {png}, ray=0", "-d", "quit"]  # fmt: skip
    try:
        result = timed(command, folder, env)
    except RuntimeError:
        return (float("inf"), float("inf"), 0.0)  # stopped at the limit (or failed): shown as such
    return result if png.is_file() else (float("inf"), float("inf"), 0.0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,500000,1000000", help="atoms per tiled file, comma-separated")
    parser.add_argument("--size", default="800x600", help="picture size WxH")
    parser.add_argument("--cache", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "prosector-bench")
    parser.add_argument("--keep", action="store_true", help="keep the PNGs (printed) to look at")
    parser.add_argument("--pymol-timeout", type=float, default=300.0, help="seconds before a PyMOL run is stopped")
    args = parser.parse_args()
    load = os.getloadavg()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}; picture {args.size}", flush=True)  # fmt: skip
    env = {**os.environ, "PROSECTOR_CACHE_DIR": str(args.cache / "prosector-cache")}
    shutil.rmtree(args.cache / "prosector-cache", ignore_errors=True)
    with tempfile.TemporaryDirectory() as warm:
        prosector(HPV, Path(warm), args.size, env)  # untimed: fills the CCD and shader caches
    for atoms_wanted in [int(s) for s in args.sizes.split(",")]:
        source = tiled_file(args.cache, atoms_wanted)
        folder = Path(tempfile.mkdtemp(prefix=f"png-{atoms_wanted}-", dir=args.cache))
        ours = prosector(source, folder, args.size, env)
        theirs = pymol(source, folder, args.size, env, args.pymol_timeout)
        (nw, nc, npk), (rw, rc, rpk) = ours["new"], ours["render"]
        line = (f"{atoms_wanted:>9,} atoms: prosector new {nw:5.1f} s (CPU {nc:5.1f}) + render {rw:5.1f} s "
                f"(CPU {rc:5.1f}) = {nw + rw:5.1f} s (CPU {nc + rc:5.1f}), peak {max(npk, rpk):,.0f} MiB")  # fmt: skip
        if theirs and theirs[0] == float("inf"):
            line += f" | pymol stopped after {args.pymol_timeout:.0f} s (or failed)"
        elif theirs:
            pw, pc, _ = theirs
            line += (f" | pymol load+png {pw:5.1f} s (CPU {pc:5.1f}) | new+render x{(nw + rw) / pw:.2f} wall, "
                     f"x{(nc + rc) / pc:.2f} CPU; render alone x{rw / pw:.2f} wall, x{rc / pc:.2f} CPU")  # fmt: skip
        print(line, flush=True)
        if args.keep:
            print(f"  pictures in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
