"""Million-atom benchmark: a real entry (1hpv, waters removed) replicated in a lattice to >= 1M
atoms, drawn as spacefill and as ball-and-stick impostors with SSAO.

Reports load time (read + replicate + build arrays + upload), frame time at the given size, and
memory per atom (GPU buffers; process RSS growth), with the single 1hpv copy measured in the same
run as the baseline. Usage:

    python benchmarks/bench_molecules.py [--atoms 1000000] [--size 512x512] [--frames 3] [--stereo]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from renderer.headless import HeadlessRenderer  # noqa: E402
from renderer.molecules.io import read_structure  # noqa: E402
from renderer.molecules.render import placement, show  # noqa: E402
from renderer.molecules.representations import Representation, build_drawables  # noqa: E402
from renderer.passes.options import RenderOptions  # noqa: E402
from renderer.scene.model import Camera  # noqa: E402

HPV = Path(__file__).resolve().parent.parent / "assets" / "molecules" / "1hpv.pdb"


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def lattice_for(atoms_per_copy: int, wanted: int) -> tuple[int, int, int]:
    side = math.ceil((wanted / atoms_per_copy) ** (1 / 3))
    counts = [side, side, side]
    for axis in range(3):  # trim the lattice while it still holds enough atoms
        others = int(np.prod([c for i, c in enumerate(counts) if i != axis]))
        while (counts[axis] - 1) * others * atoms_per_copy >= wanted:
            counts[axis] -= 1
    return tuple(counts)


def measure(headless, structure, style: str, size, frames: int, stereo: bool) -> dict:
    t0 = time.perf_counter()
    drawables = build_drawables(structure, [Representation(style, "all", "chain")])
    t1 = time.perf_counter()
    matrix = placement(structure.bounds(), 0.01)
    molecule = show(headless, "bench", drawables, matrix)
    headless.context.make_current()
    from renderer.gl import commands

    commands.finish()
    t2 = time.perf_counter()
    lo, hi = molecule.world_bounds()
    centre, radius = (lo + hi) / 2, float(np.linalg.norm(hi - lo) / 2)
    direction = np.array([0.35, 0.25, 1.0]) / np.linalg.norm([0.35, 0.25, 1.0])
    eye = centre + direction * radius / math.sin(math.radians(17.5))
    camera = Camera(eye_m=tuple(eye), target_m=tuple(centre), vertical_fov_deg=35.0)
    options = RenderOptions(ao_radius_m=0.04)
    headless.render(*size, camera=camera, options=options, stereo=stereo)  # warm-up: shader compile
    times, passes = [], []
    for _ in range(frames):
        start = time.perf_counter()
        headless.render(*size, camera=camera, options=options, stereo=stereo)
        times.append((time.perf_counter() - start) * 1000)
        passes.append({k: v for r in headless.last_results for k, v in r.timings_ms.items()})
    result = {
        "atoms": structure.atom_count, "bonds": structure.bond_count, "style": style,
        "build_s": t1 - t0, "upload_s": t2 - t1, "frame_ms": float(np.median(times)),
        "gpu_bytes": molecule.gpu_bytes, "spheres": molecule.sphere_count, "cylinders": molecule.cylinder_count,
        "passes": {k: float(np.median([p.get(k, np.nan) for p in passes])) for k in passes[0]} if passes else {},
    }  # fmt: skip
    headless.scene.set_molecule("bench", None)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--atoms", type=int, default=1_000_000)
    parser.add_argument("--size", default="512x512")
    parser.add_argument("--frames", type=int, default=3)
    parser.add_argument("--stereo", action="store_true")
    args = parser.parse_args()
    size = tuple(int(v) for v in args.size.split("x"))

    t0 = time.perf_counter()
    single = read_structure(HPV)
    single = single.subset(~single.is_water)
    read_s = time.perf_counter() - t0
    counts = lattice_for(single.atom_count, args.atoms)
    rss_before = rss_mib()
    t0 = time.perf_counter()
    big = single.replicate_lattice(counts)
    replicate_s = time.perf_counter() - t0
    print(f"machine: {platform.processor() or platform.machine()}, {len(os.sched_getaffinity(0))} cores available")
    print(f"1hpv without water: {single.atom_count} atoms; lattice {counts} -> {big.atom_count:,} atoms, "
          f"{big.bond_count:,} bonds; read {read_s:.2f} s, replicate {replicate_s:.2f} s")  # fmt: skip

    with HeadlessRenderer(timing=True) as headless:
        for style in ("spacefill", "ball_and_stick"):
            base = measure(headless, single, style, size, args.frames, args.stereo)
            rss0 = rss_mib()
            large = measure(headless, big, style, size, args.frames, args.stereo)
            print(f"\n{style}: {size[0]}x{size[1]}{' stereo' if args.stereo else ''}")
            for r in (base, large):
                print(f"  {r['atoms']:>9,} atoms: frame {r['frame_ms']:8.1f} ms  build {r['build_s']:.2f} s  "
                      f"upload {r['upload_s']:.2f} s  GPU {r['gpu_bytes'] / r['atoms']:.1f} B/atom "
                      f"({r['spheres']:,} spheres, {r['cylinders']:,} cylinders)  passes {r['passes']}")  # fmt: skip
            print(f"  ratio 1M/1hpv frame time: {large['frame_ms'] / base['frame_ms']:.1f}x "
                  f"for {large['atoms'] / base['atoms']:.0f}x the atoms; process peak RSS {rss_mib():.0f} MiB "
                  f"(+{rss_mib() - rss_before:.0f} MiB since before replication; {rss0:.0f} before this style)")
            total_load = read_s + replicate_s + large["build_s"] + large["upload_s"]
            print(f"  load time for {large['atoms']:,} atoms (read + replicate + build + upload): {total_load:.2f} s")


if __name__ == "__main__":
    main()
