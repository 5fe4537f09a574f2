"""Per-pass GPU times of the shading tiers (timer queries), for regression tracking and the XR governor.

    python benchmarks/shading_passes.py [--size 512x512] [--frames 8] [--triangles 1000000]
        [--scenes brain,skin-window,dense] [--tiers ssao,rt-1] [--compare translucent,masks,atoms]

For the default brain scene (its skin is translucent: traced with its transmittance), the alpha-mask
example (a window cut in the skin) and a dense mesh, renders real-time frames (camera orbiting
slowly, so the ray-traced history reprojects as in a headset) with: the screen-space tier, and the
ray-traced tier at 1 and 2 rays per pixel and at quarter rate (interleaved 2x2); the screen-space
tier also with subsurface scattering off and at the governor's lower tap count (and on/off in
alternate frames). Prints the mean time per pass, the frame total and each tier's ratio to the first
(screen-space, everything on) measured in the same run. Also times the BVH build and refit. On
llvmpipe the timer queries measure CPU-side rasterisation and compute.

`--compare` measures what a feature adds to the trace pass against a baseline of the same scene in
the same run (pairs interleaved twice, so a change in machine load hits both): translucent occluders
(the brain's skin traced vs drawn only), alpha masks (the window example vs the same skin whole),
molecule atoms (1hpv spacefill over a floor, atoms traced vs not).
"""

from __future__ import annotations

import argparse
import math
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer import cli_args  # noqa: E402
from renderer.headless import HeadlessRenderer  # noqa: E402
from renderer.passes.renderer import average_timings  # noqa: E402
from renderer.raytrace.bvh import build_bvh  # noqa: E402
from renderer.scene.load import load_scene  # noqa: E402
from renderer.scene.model import Camera  # noqa: E402

TIERS = {  # short name: (label, settings)
    "ssao": ("ssao", dict(ao_tier="ssao")),
    "ssao-no-sss": ("ssao, subsurface off", dict(ao_tier="ssao", subsurface_scattering=False)),  # its cost
    "ssao-sss-11": ("ssao, subsurface 11 taps", dict(ao_tier="ssao", subsurface_samples=11)),  # governor's rung
    "sorted": ("ssao, sorted transparency", dict(ao_tier="ssao", transparency="sorted")),  # vs weighted OIT
    "rt-1": ("rt 1+1 rays", dict(ao_tier="raytraced", ao_rays_per_pixel=1, shadow_rays_per_pixel=1)),
    "rt-2": ("rt 2+1 rays", dict(ao_tier="raytraced", ao_rays_per_pixel=2, shadow_rays_per_pixel=1)),
    "rt-quarter": ("rt 1+1 quarter rate", dict(ao_tier="raytraced", ao_rays_per_pixel=1, shadow_rays_per_pixel=1,
                                               rt_resolution_scale=0.5)),  # fmt: skip
}


def dense_scene(folder: Path, triangles: int) -> Path:
    import trimesh

    subdivisions = max(1, int(round(math.log(triangles / 20, 4))))
    sphere = trimesh.creation.icosphere(subdivisions=subdivisions, radius=0.08)
    rng = np.random.default_rng(0)
    bumps = 1.0 + 0.08 * np.sin(sphere.vertices @ rng.standard_normal((3, 6)) * 60).sum(axis=1) / 6
    sphere.vertices *= bumps[:, None]
    sphere.export(folder / "dense.glb")
    scene = folder / "dense.yaml"
    scene.write_text("version: 1\nparts:\n  blob: {mesh: dense.glb, material: muscle}\n")
    return scene


def orbit(camera: Camera, degrees: float) -> Camera:
    a = math.radians(degrees)
    eye = np.asarray(camera.eye_m) - np.asarray(camera.target_m)
    c, s = math.cos(a), math.sin(a)
    rotated = np.array([eye[0] * c + eye[2] * s, eye[1], -eye[0] * s + eye[2] * c])
    return camera.model_copy(update={"eye_m": tuple(rotated + np.asarray(camera.target_m))})


def untrace_translucent(headless: HeadlessRenderer) -> None:
    """Baseline of translucent occluders: translucent parts drawn but not traced (the tier before them)."""
    for part in headless.scene.parts.values():
        part.overlay = part.overlay or part.translucent


def drop_masks(headless: HeadlessRenderer) -> None:
    """Baseline of alpha masks: the same parts, whole."""
    for part in headless.scene.parts.values():
        part.mask = None


def add_atoms(headless: HeadlessRenderer, occludes: bool = True) -> None:
    """HIV-1 protease (1hpv, 1,631 atoms) as spacefill, 10 cm across, over the floor part."""
    from renderer import maths
    from renderer.gpu.molecule import GpuMolecule
    from renderer.molecules.io import read_structure
    from renderer.molecules.representations import Representation, build_drawables

    structure = read_structure(ROOT / "assets" / "molecules" / "1hpv.pdb")
    lo, hi = structure.bounds()
    scale = 0.1 / float(np.max(hi - lo))  # 10 cm across
    matrix = maths.translation((0.0, 0.06, 0.0)) @ maths.scaling(scale) @ maths.translation(-(lo + hi) / 2)
    drawables = build_drawables(structure, [Representation("spacefill")])
    headless.scene.set_molecule("atoms", GpuMolecule(headless.context.resources, drawables, matrix, occludes=occludes))


def atoms_scene(folder: Path) -> Path:
    import trimesh

    trimesh.creation.box(extents=(0.4, 0.01, 0.4)).export(folder / "atoms_floor.glb")
    scene = folder / "atoms.yaml"
    scene.write_text("version: 1\ncamera: {eye_m: [0.16, 0.16, 0.2], target_m: [0, 0.05, 0], vertical_fov_deg: 40}\n"
                     "parts:\n  floor: {mesh: atoms_floor.glb, material: plastic}\n")  # fmt: skip
    return scene


def measure(headless: HeadlessRenderer, scene: Path, title: str, width: int, height: int, frames: int, stereo: bool,
            tiers: list[str], variant=None, subsurface: bool = True) -> dict[str, dict[str, float]]:  # fmt: skip
    """Mean per-view pass times by tier; `variant(headless)` changes the loaded scene (a baseline);
    `subsurface`: also subsurface scattering on/off in alternate frames."""
    loaded = load_scene(scene)
    headless.load(loaded)
    if variant is not None:
        variant(headless)
    camera = headless.camera(width / height)
    triangles, atoms = loaded.triangle_count, sum(m.sphere_count for m in headless.scene.molecules.values())
    print(f"\n## {title}: {triangles:,} triangles, {atoms:,} atoms, {width}x{height}{' x2 (stereo)' if stereo else ''}")
    baseline, out = None, {}
    for name, settings in (TIERS[t] for t in tiers):
        options = headless.options(**settings)
        for warm in range(3):  # compile shaders, build the BVH, fill the history
            headless.render(width, height, orbit(camera, warm * 0.5), options, stereo=stereo)
        results, wall = [], []
        for frame in range(frames):
            started = time.perf_counter()
            headless.render(width, height, orbit(camera, 1.5 + frame * 0.5), options, stereo=stereo)
            wall.append((time.perf_counter() - started) * 1000)
            results += [r.timings_ms for r in headless.last_results]
        per_view = out[name] = average_timings(results)
        total = sum(v for v in per_view.values() if np.isfinite(v)) * (2 if stereo else 1)
        baseline = baseline or total
        passes = ", ".join(f"{k} {v:.1f}" for k, v in per_view.items())
        print(f"| {name} | {passes} | {total:.1f} ms | x{total / baseline:.2f} | wall {np.median(wall):.0f} ms |")
    if subsurface:
        measure_subsurface(headless, camera, width, height, frames, stereo)
    headless.scene.set_molecule("atoms", None)
    return out


def measure_subsurface(headless: HeadlessRenderer, camera: Camera, width: int, height: int, frames: int,
                       stereo: bool) -> None:  # fmt: skip
    """Screen-space tier with subsurface scattering on and off in alternate frames, so that a shared
    machine's changing load weighs on both alike: the pass's share of the frame."""
    settings = {"on": headless.options(ao_tier="ssao"), "off": headless.options(ao_tier="ssao",
                                                                                 subsurface_scattering=False)}
    totals: dict[str, list[float]] = {"on": [], "off": []}
    for frame in range(2 * frames + 2):
        name = "on" if frame % 2 == 0 else "off"
        headless.render(width, height, orbit(camera, 1.5 + frame * 0.25), settings[name], stereo=stereo)
        if frame >= 2:  # the first pair compiles and allocates
            totals[name].append(sum(v for r in headless.last_results for v in r.timings_ms.values() if np.isfinite(v)))
    on, off = float(np.mean(totals["on"])), float(np.mean(totals["off"]))
    print(f"| subsurface on / off, alternate frames | on {on:.1f} ms, off {off:.1f} ms | x{on / off:.3f} | "
          f"pass {on - off:+.1f} ms |")


# Feature costs: (feature, scene, baseline variant), each measured as interleaved pairs in one run.
COMPARISONS = {
    "translucent": ("brain", "brain-skin-untraced"),
    "masks": ("skin-window", "skin-window-unmasked"),
    "atoms": ("atoms", "atoms-untraced"),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=cli_args.size, default=(512, 512))
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--triangles", type=int, default=1_000_000)
    parser.add_argument("--stereo", action="store_true")
    parser.add_argument("--scenes", default="brain,skin-window,dense",
                        help="comma-separated: brain, brain-skin-untraced, skin-window, skin-window-unmasked, "
                             "atoms, atoms-untraced, dense")  # fmt: skip
    parser.add_argument("--tiers", default=",".join(TIERS), help=f"comma-separated, from {', '.join(TIERS)}")
    parser.add_argument("--compare", default="", help="comma-separated features whose trace cost to measure "
                        f"against a baseline in the same run, interleaved twice: {', '.join(COMPARISONS)}")
    parser.add_argument("--no-subsurface-pairs", action="store_true",
                        help="skip the subsurface on/off alternate-frame measurement per scene")
    args = parser.parse_args()
    width, height = args.size
    tiers = [t for t in args.tiers.split(",") if t]
    unknown = [t for t in tiers if t not in TIERS] + [c for c in args.compare.split(",") if c and c not in COMPARISONS]
    if unknown:
        parser.error(f"unknown tier(s) or comparison(s) {', '.join(unknown)}")
    with tempfile.TemporaryDirectory() as tmp, HeadlessRenderer(timing=True) as headless:
        print(f"# Shading pass times on {platform.node()}: {headless.context.info.renderer}")
        print("| tier | per-view pass ms (mean) | frame GPU total | vs first tier | wall (median) |")
        window = ROOT / "scenes" / "skin-window.yaml"
        brain = ROOT / "scenes" / "brain.yaml"
        scenes = {
            "brain": (brain, "brain.yaml", None),
            "brain-skin-untraced": (brain, "brain.yaml, translucent skin not traced", untrace_translucent),
            "skin-window": (window, "skin-window.yaml", None),
            "skin-window-unmasked": (window, "skin-window.yaml without its mask", drop_masks),
            "atoms": (lambda: atoms_scene(Path(tmp)), "1hpv spacefill over a floor", add_atoms),
            "atoms-untraced": (lambda: atoms_scene(Path(tmp)), "1hpv spacefill, atoms not traced",
                               lambda h: add_atoms(h, occludes=False)),
            "dense": (lambda: dense_scene(Path(tmp), args.triangles), "dense mesh", None),
        }

        def run(name: str, subsurface: bool = True) -> dict[str, dict[str, float]]:
            if name not in scenes:
                parser.error(f"unknown scene {name!r}; choose from {', '.join(scenes)}")
            path, title, variant = scenes[name]
            return measure(headless, path() if callable(path) else path, title, width, height, args.frames,
                           args.stereo, tiers, variant, subsurface)  # fmt: skip

        for name in [n for n in args.scenes.split(",") if n]:
            run(name, subsurface=not args.no_subsurface_pairs)
        summary = []
        for feature in [c for c in args.compare.split(",") if c]:
            with_it, without = COMPARISONS[feature]
            runs = {with_it: [], without: []}
            for _ in range(2):  # interleaved, so a change in machine load hits both alike
                for name in (without, with_it):
                    runs[name].append(run(name, subsurface=False))
            for tier in tiers:
                trace = {n: float(np.mean([r[TIERS[tier][0]].get("rt_trace", np.nan) for r in rs]))
                         for n, rs in runs.items()}  # fmt: skip
                if np.isfinite(trace[without]):
                    ratio = trace[with_it] / trace[without]
                    summary.append(f"| {feature} | {TIERS[tier][0]} | {trace[without]:.1f} ms | "
                                   f"{trace[with_it]:.1f} ms | x{ratio:.2f} |")  # fmt: skip
        if summary:
            print("\n## Trace pass cost of each feature (same run, interleaved twice)")
            print("| feature | tier | rt_trace without | rt_trace with | ratio |")
            print("| --- | --- | --- | --- | --- |")
            print("\n".join(summary))
        if "dense" not in args.scenes.split(","):
            return 0
        import trimesh

        dense = Path(tmp) / "dense.glb"
        triangles = trimesh.load(dense, force="mesh").triangles
        started = time.perf_counter()
        bvh = build_bvh(triangles)
        built = time.perf_counter() - started
        started = time.perf_counter()
        bvh.refit(triangles * 1.001)
        refit = time.perf_counter() - started
        print(f"\nBVH over {len(triangles):,} triangles: build {built * 1000:.0f} ms, refit {refit * 1000:.0f} ms, "
              f"{bvh.node_count:,} nodes, depth {bvh.depth}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
