"""Stereo frames of one workload per shading tier: GPU time per pass (timer queries), wall time, draw calls.

A frame is both eyes rendered offscreen at the eye size (the headset's 2064x2208 on the GPU). The camera
orbits slowly, so the ray-traced tier's history reprojects as in a headset. The first frames of each tier
are warm-ups: they compile shaders, build the BVH, fill the history, and on llvmpipe the first timer query
of a context spans bogus time.
"""

from __future__ import annotations

import statistics
import time
from contextlib import contextmanager

import numpy as np

TIERS = {  # tier name: render option overrides
    "ssao": dict(ambient_occlusion=True, ao_tier="ssao"),
    "raytraced": dict(ambient_occlusion=True, ao_tier="raytraced"),
    "off": dict(ambient_occlusion=False, ao_tier="ssao"),
}
_DRAW_FUNCTIONS = ("glDrawElements", "glDrawArrays", "glDrawArraysInstancedBaseInstance", "glDrawElementsInstanced",
                   "glDrawArraysInstanced", "glMultiDrawElementsIndirect", "glMultiDrawArraysIndirect",
                   "glDrawElementsBaseVertex")  # fmt: skip


@contextmanager
def counting_draw_calls():
    """Counts GL calls made through PyOpenGL while the block runs: all of them, draws, compute dispatches.

    Wraps the entry points on the `OpenGL.GL` module, which is where every renderer module looks them up
    (`GL.glDrawElements(...)`); yields a dict {"draws", "dispatches", "gl_calls"} filled in as calls happen."""
    from OpenGL import GL

    counts = {"draws": 0, "dispatches": 0, "gl_calls": 0}
    originals = {}

    def wrap(name: str, key: str | None):
        original = getattr(GL, name, None)
        if not callable(original) or isinstance(original, type):
            return
        originals[name] = original

        def counted(*args, **kwargs):
            counts["gl_calls"] += 1
            if key:
                counts[key] += 1
            return original(*args, **kwargs)

        setattr(GL, name, counted)

    for name in [n for n in dir(GL) if n.startswith("gl") and n[2:3].isupper()]:
        wrap(name, "draws" if name in _DRAW_FUNCTIONS else "dispatches" if name == "glDispatchCompute" else None)
    try:
        yield counts
    finally:
        for name, original in originals.items():
            setattr(GL, name, original)


def gl_call_overhead_us(calls: int = 20000) -> float:
    """Median microseconds of one cheap GL call through PyOpenGL (a state change the driver merely records):
    with `gl_calls` per frame, the CPU floor of submitting a frame from Python on any GPU."""
    from OpenGL import GL

    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        for k in range(calls):
            GL.glDepthMask(k & 1)
        samples.append((time.perf_counter() - t0) / calls * 1e6)
    GL.glDepthMask(True)
    return round(statistics.median(samples), 3)


def orbit(camera, degrees: float):
    from shading_passes import orbit as orbit_camera  # benchmarks/ is on sys.path

    return orbit_camera(camera, degrees)


def measure_tiers(headless, workload, eye: tuple[int, int], frames: int, warmups: int, tiers: list[str],
                  progress=print, images=None) -> list[dict]:  # fmt: skip
    """One case per tier: {name, frame_ms (GPU, both eyes, median), wall_ms, passes_ms (both eyes, median),
    draw_calls, dispatches, ...}. The scene is loaded once for all tiers. With `images` (a folder), the
    counted frame of each tier goes into one PNG per scene, tiers top to bottom, at most 1024 px wide."""
    from renderer.scene.load import load_scene
    from renderer.view import auto_camera

    started = time.perf_counter()
    loaded = load_scene(workload.scene)
    headless.load(loaded)
    note = workload.decorate(headless) if workload.decorate else {}
    load_s = time.perf_counter() - started
    width, height = eye
    if workload.frame_everything:
        camera = auto_camera(headless.scene.bounds(), aspect=width / height)
    else:
        camera = headless.camera(width / height)
    base = {"scene": workload.title, "eye": [width, height], "stereo": True, "triangles": int(loaded.triangle_count),
            "parts": len(loaded.meshes), "load_s": round(load_s + workload.build_s, 2), **note}  # fmt: skip
    cases, pictures = [], []
    for tier in tiers:
        options = headless.options(**TIERS[tier])
        step = 0.5
        for k in range(max(0, warmups - 1)):
            headless.render(width, height, orbit(camera, k * step), options, stereo=True)
        with counting_draw_calls() as counts:  # the last warm-up is counted (the wrappers stay out of the timings)
            picture = headless.render(width, height, orbit(camera, (warmups - 1) * step), options, stereo=True)
        pictures.append(picture)
        gpu, wall, passes = [], [], []
        for k in range(frames):
            t0 = time.perf_counter()
            headless.render(width, height, orbit(camera, (warmups + k) * step), options, stereo=True)
            wall.append((time.perf_counter() - t0) * 1e3)
            per_frame: dict[str, float] = {}
            for result in headless.last_results:  # one per eye
                for name, ms in result.timings_ms.items():
                    per_frame[name] = per_frame.get(name, 0.0) + ms
            passes.append(per_frame)
            gpu.append(sum(per_frame.values()))
        names = sorted({n for p in passes for n in p})
        case = {
            "name": f"frame/{workload.name}/{tier}", "kind": "stereo_frame", "tier": tier, **base,
            "frame_ms": round(statistics.median(gpu), 3),
            "wall_ms": round(statistics.median(wall), 3),  # includes reading the image back
            "passes_ms": {n: round(float(np.median([p.get(n, 0.0) for p in passes])), 3) for n in names},
            "frames": frames, "draw_calls": counts["draws"], "dispatches": counts["dispatches"],
            "gl_calls": counts["gl_calls"],
        }  # fmt: skip
        cases.append(case)
        progress(f"  {case['name']}: GPU {case['frame_ms']:.2f} ms, wall {case['wall_ms']:.1f} ms, "
                 f"{case['draw_calls']} "
                 f"draws, {case['dispatches']} dispatches, {case['gl_calls']} GL calls")  # fmt: skip
    if images is not None and pictures:
        save_preview(images / f"frames-{workload.name}.png", pictures)
    return cases


def save_preview(path, pictures: list[np.ndarray]) -> None:
    """Stack (H, W, 3) uint8 images vertically, shrunk to at most 1024 px wide, as one PNG."""
    from PIL import Image

    stacked = Image.fromarray(np.concatenate(pictures, axis=0))
    scale = min(1.0, 1024 / stacked.width)
    if scale < 1.0:
        stacked = stacked.resize((round(stacked.width * scale), round(stacked.height * scale)), Image.LANCZOS)
    path.parent.mkdir(parents=True, exist_ok=True)
    stacked.save(path)
