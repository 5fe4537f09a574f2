"""The XR quality governor (renderer/xr/governor.py) driven by measured stereo frames, offscreen.

No OpenXR runtime: each frame both eyes are rendered at the governor's current quality (its render options,
and its render scale applied to the eye size, as the XR target does), the frame's GPU time (sum of the timer
queries of both eyes, what `prosector xr` feeds it) goes into `observe`, and the loop stops once the quality
has held for `settle` windows or after `max_frames`. The case records the quality it chose and each change.
"""

from __future__ import annotations

import statistics

BUDGET_MS = 1000.0 / 90.0  # 11.1 ms: one frame at 90 Hz


def governor_case(headless, workload, eye: tuple[int, int], window: int, max_frames: int, settle: int = 2,
                  budget_ms: float = BUDGET_MS, progress=print) -> dict:  # fmt: skip
    from frames import orbit  # noqa: I001 (benchmarks/campaign is on sys.path)
    from renderer.scene.load import load_scene
    from renderer.xr.governor import Quality, QualityGovernor

    headless.load(load_scene(workload.scene))
    if workload.decorate:
        workload.decorate(headless)
    best = Quality(headless.options(ao_tier="raytraced"))  # the scene at its best: the ray-traced tier
    governor = QualityGovernor(best=best, budget_ms=budget_ms, window=window)
    camera = headless.camera(eye[0] / eye[1])
    held, frame_ms, last_passes, frames = 0, [], {}, 0
    for frames in range(1, max_frames + 1):
        quality = governor.quality
        width = max(16, round(eye[0] * quality.render_scale))
        height = max(16, round(eye[1] * quality.render_scale))
        headless.render(width, height, orbit(camera, frames * 0.5), quality.options, stereo=True)
        last_passes = {}
        for result in headless.last_results:
            for name, ms in result.timings_ms.items():
                last_passes[name] = last_passes.get(name, 0.0) + ms
        if frames <= 2:  # compilation, allocation and (on llvmpipe) the bogus first query
            continue
        ms = sum(last_passes.values())
        frame_ms.append(ms)
        held = 0 if governor.observe(ms) else held + 1
        if held >= settle * window:
            break
    tail = frame_ms[-window:] or [float("nan")]
    case = {
        "name": f"governor/{workload.name}", "kind": "governor", "budget_ms": round(budget_ms, 3),
        "frame_ms": round(statistics.median(tail), 3), "passes_ms": {k: round(v, 3) for k, v in last_passes.items()},
        "chosen": governor.quality.describe(), "ao_tier": governor.quality.options.ao_tier,
        "level": governor.level, "rungs": len(governor.ladder), "changes": list(governor.changes),
        "frames": frames, "settled": held >= settle * window, "eye": list(eye), "window": window,
        "meets_budget": bool(statistics.median(tail) <= budget_ms),
    }  # fmt: skip
    progress(f"  {case['name']}: chose {case['chosen']} (tier {case['ao_tier']}, rung {case['level']}/"
             f"{case['rungs'] - 1}) at {case['frame_ms']:.2f} ms after {frames} frames")  # fmt: skip
    return case
