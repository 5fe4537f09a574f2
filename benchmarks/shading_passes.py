"""Per-pass GPU times of the shading tiers (timer queries), for regression tracking and the XR governor.

    python benchmarks/shading_passes.py [--size 512x512] [--frames 8] [--triangles 1000000]

For the default brain scene and a dense mesh, renders real-time frames (camera orbiting slowly, so
the ray-traced history reprojects as in a headset) with: the screen-space tier, and the ray-traced
tier at 1 and 2 rays per pixel and at quarter rate (interleaved 2x2); the screen-space tier also with
subsurface scattering off and at the governor's lower tap count. Prints the mean time per pass, the
frame total and each tier's ratio to the first (screen-space, everything on) measured in the same
run. Also times the BVH build and refit. On llvmpipe the timer queries measure CPU-side rasterisation and compute.
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

TIERS = {
    "ssao": dict(ao_tier="ssao"),
    "ssao, subsurface off": dict(ao_tier="ssao", subsurface_scattering=False),  # the pass's cost, same run
    "ssao, subsurface 11 taps": dict(ao_tier="ssao", subsurface_samples=11),  # the governor's lower rung
    "ssao, sorted transparency": dict(ao_tier="ssao", transparency="sorted"),  # vs the default weighted OIT
    "rt 1+1 rays": dict(ao_tier="raytraced", ao_rays_per_pixel=1, shadow_rays_per_pixel=1),
    "rt 2+1 rays": dict(ao_tier="raytraced", ao_rays_per_pixel=2, shadow_rays_per_pixel=1),
    "rt 1+1 quarter rate": dict(ao_tier="raytraced", ao_rays_per_pixel=1, shadow_rays_per_pixel=1,
                                rt_resolution_scale=0.5),  # fmt: skip
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


def measure(headless: HeadlessRenderer, scene: Path, width: int, height: int, frames: int, stereo: bool) -> None:
    loaded = load_scene(scene)
    headless.load(loaded)
    camera = headless.camera(width / height)
    print(f"\n## {scene.name}: {loaded.triangle_count:,} triangles, {width}x{height}{' x2 (stereo)' if stereo else ''}")
    baseline = None
    for name, settings in TIERS.items():
        options = headless.options(**settings)
        for warm in range(3):  # compile shaders, build the BVH, fill the history
            headless.render(width, height, orbit(camera, warm * 0.5), options, stereo=stereo)
        results, wall = [], []
        for frame in range(frames):
            started = time.perf_counter()
            headless.render(width, height, orbit(camera, 1.5 + frame * 0.5), options, stereo=stereo)
            wall.append((time.perf_counter() - started) * 1000)
            results += [r.timings_ms for r in headless.last_results]
        per_view = average_timings(results)
        total = sum(v for v in per_view.values() if np.isfinite(v)) * (2 if stereo else 1)
        baseline = baseline or total
        passes = ", ".join(f"{k} {v:.1f}" for k, v in per_view.items())
        print(f"| {name} | {passes} | {total:.1f} ms | x{total / baseline:.2f} | wall {np.median(wall):.0f} ms |")
    measure_subsurface(headless, camera, width, height, frames, stereo)


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=cli_args.size, default=(512, 512))
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--triangles", type=int, default=1_000_000)
    parser.add_argument("--stereo", action="store_true")
    args = parser.parse_args()
    width, height = args.size
    with tempfile.TemporaryDirectory() as tmp, HeadlessRenderer(timing=True) as headless:
        print(f"# Shading pass times on {platform.node()}: {headless.context.info.renderer}")
        print("| tier | per-view pass ms (mean) | frame GPU total | vs ssao | wall (median) |")
        dense = dense_scene(Path(tmp), args.triangles)
        for scene in (ROOT / "scenes" / "brain.yaml", dense):
            measure(headless, scene, width, height, args.frames, args.stereo)
        import trimesh

        triangles = trimesh.load(dense.parent / "dense.glb", force="mesh").triangles
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
