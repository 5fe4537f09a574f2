"""The GPU campaign: every GPU claim of Prosector measured in one process, one JSON file.

    python3 benchmarks/gpu_campaign.py --json OUT.json            # on the lent GPU machine (see GPU_CAMPAIGN.md)
    python3 benchmarks/gpu_campaign.py --smoke --json OUT.json    # tiny sizes on llvmpipe, a minute or two (CI)

Checks the device (GL vendor/renderer/version and EGL platform, CuPy's CUDA device, nvidia-smi), then measures:
stereo frames (both eyes, offscreen) at the headset's eye size for the default scene, the whole-body scene, a
5M-triangle scene and 1M atoms, per shading tier (ssao, raytraced, off), with GPU time per pass from timer
queries and draw calls per frame; every deformer on 1M vertices with NumPy and CuPy, handed to GL by upload and
by CUDA-GL interop; the XPBD soft body at 10 substeps; the XR quality governor's choice under 11.1 ms. Cases
that cannot run say why (`skipped`). The JSON is rewritten after every case, so a run stopped at its time
limit still leaves what it measured; `--budget-s` skips what would not fit. Off --smoke it first runs
benchmarks/gpu_setup.sh (carried GL loader .debs and wheels, no network) unless --no-setup.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
GOAL_FRAME_MS = 1000.0 / 90.0


@dataclass(frozen=True)
class Profile:
    eye: tuple[int, int]
    frames: int
    warmups: int
    dense_triangles: int
    atoms: int
    deform_vertices: int
    deform_frames: int
    soft_cells: int
    soft_frames: int
    governor_window: int
    governor_max_frames: int
    budget_s: float


PROFILES = {
    "full": Profile(
        eye=(2064, 2208),
        frames=12,
        warmups=3,
        dense_triangles=5_000_000,
        atoms=1_000_000,
        deform_vertices=1_000_000,
        deform_frames=10,
        soft_cells=24,
        soft_frames=20,
        governor_window=30,
        governor_max_frames=400,
        budget_s=330.0,
    ),  # fmt: skip
    # Smoke: the same code at sizes where fixed costs dominate; its budget is only a safety net (CI checks that
    # every phase ran).
    "smoke": Profile(
        eye=(32, 32),
        frames=1,
        warmups=1,
        dense_triangles=8_000,
        atoms=3_000,
        deform_vertices=2_000,
        deform_frames=2,
        soft_cells=4,
        soft_frames=2,
        governor_window=2,
        governor_max_frames=10,
        budget_s=600.0,
    ),  # fmt: skip
}
PHASES = ("frames", "deform", "soft_body", "governor")
SCENES = ("brain", "atoms", "dense", "whole-body")


def run_setup() -> dict:
    """Run benchmarks/gpu_setup.sh and take over the environment it prints (before anything imports OpenGL)."""
    started = time.perf_counter()
    env = {**os.environ, "PYTHON": sys.executable}
    done = subprocess.run(["bash", str(BENCHMARKS / "gpu_setup.sh")], capture_output=True, text=True, timeout=240,
                          env=env)  # fmt: skip
    print(done.stdout.strip(), file=sys.stderr)
    if done.returncode != 0:
        raise SystemExit(f"gpu_setup.sh failed ({done.returncode}):\n{done.stderr[-2000:]}")
    lines = done.stdout.splitlines()
    env = dict(line.split("=", 1) for line in lines[lines.index("env:") + 1 :] if "=" in line)
    os.environ.update(env)
    site = env.get("PROSECTOR_DEVICE_SITE")
    if site and Path(site).is_dir():
        sys.path.insert(0, site)
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [site, os.environ.get("PYTHONPATH")]))
    return {"ok": True, "seconds": round(time.perf_counter() - started, 1), "log": done.stdout.strip()[-1500:]}


class Campaign:
    """Collects cases and rewrites the JSON after each; keeps the time budget."""

    def __init__(self, out: Path, profile_name: str, profile: Profile):
        self.out, self.profile = out, profile
        self.started = time.monotonic()
        self.report = {"campaign": "prosector-gpu", "profile": profile_name, "profile_sizes": profile.__dict__,
                       "started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "complete": False,
                       "device": {}, "cases": [], "summary": {}}  # fmt: skip

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def over_budget(self) -> bool:
        return self.elapsed() > self.profile.budget_s

    def add(self, *cases: dict) -> None:
        self.report["cases"].extend(cases)
        self.save()

    def skip(self, name: str, why: str) -> None:
        self.add({"name": name, "frame_ms": None, "passes_ms": {}, "skipped": why})

    def save(self) -> None:
        self.report["elapsed_s"] = round(self.elapsed(), 1)
        self.out.parent.mkdir(parents=True, exist_ok=True)
        partial = self.out.with_name(self.out.name + ".partial")
        partial.write_text(json.dumps(self.report, indent=1, default=str))
        os.replace(partial, self.out)


def progress(message: str) -> None:
    print(message, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="where to write the results")
    parser.add_argument("--report", type=Path, help="print the markdown table of an earlier run's JSON and stop")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, any GL driver (CI)")
    parser.add_argument("--no-setup", action="store_true", help="do not run benchmarks/gpu_setup.sh first")
    parser.add_argument("--setup", action="store_true", help="run benchmarks/gpu_setup.sh even with --smoke")
    parser.add_argument("--phases", default=",".join(PHASES), help=f"comma-separated subset of {', '.join(PHASES)}")
    parser.add_argument("--scenes", default=None, help=f"comma-separated subset of {', '.join(SCENES)} (default: all)")
    parser.add_argument("--tiers", default="ssao,raytraced,off")
    parser.add_argument("--eye", default=None, help="WIDTHxHEIGHT per eye instead of the profile's")
    parser.add_argument("--frames", type=int, default=None, help="timed frames per tier instead of the profile's")
    parser.add_argument("--budget-s", type=float, default=None, help="skip what starts after this many seconds")
    parser.add_argument("--whole-body", type=Path, default=None, help="scene file (default scenes/whole-body.yaml)")
    parser.add_argument(
        "--images",
        type=Path,
        default=None,
        help="folder for one PNG per scene (its tiers stacked) to look at what was measured",
    )
    parser.add_argument(
        "--extra-scenes",
        default="",
        help="comma-separated scene files measured after the others "
        "(case names from the file names), e.g. a variant to compare in the same run",
    )
    parser.add_argument(
        "--allow-software-gl", action="store_true", help="full sizes even when GL is not on a GPU (llvmpipe: very slow)"
    )
    args = parser.parse_args(argv)
    if args.report:
        print_table(json.loads(args.report.read_text()))
        return 0
    if args.json is None:
        parser.error("--json OUT is required")
    name = "smoke" if args.smoke else "full"
    profile = PROFILES[name]
    if args.eye:
        w, h = (int(v) for v in args.eye.lower().split("x"))
        profile = replace(profile, eye=(w, h))
    if args.frames:
        profile = replace(profile, frames=args.frames)
    if args.budget_s:
        profile = replace(profile, budget_s=args.budget_s)
    phases = [p for p in args.phases.split(",") if p]
    scenes = [s for s in (args.scenes or ",".join(SCENES)).split(",") if s]
    tiers = [t for t in args.tiers.split(",") if t]
    campaign = Campaign(args.json, name, profile)
    if (args.setup or not args.smoke) and not args.no_setup:
        campaign.report["setup"] = run_setup()
    if not args.smoke:
        os.environ.setdefault("PROSECTOR_EGL_DEVICE", "device")  # fail loudly rather than measure llvmpipe
    sys.path[:0] = [str(ROOT), str(BENCHMARKS), str(BENCHMARKS / "campaign")]
    return run(campaign, profile, phases, scenes, tiers, args)


def run(campaign: Campaign, profile: Profile, phases, scenes, tiers, args) -> int:
    import device
    import frames as frame_cases
    import workloads
    from frames import TIERS

    unknown = sorted(set(phases) - set(PHASES)) + sorted(set(scenes) - set(SCENES)) + sorted(set(tiers) - set(TIERS))
    if unknown:
        raise SystemExit(f"unknown phase, scene or tier: {', '.join(unknown)}")
    from renderer.errors import GLUnavailableError
    from renderer.headless import HeadlessRenderer

    try:
        headless = HeadlessRenderer(timing=True)
    except GLUnavailableError as exc:  # still measure what needs no GL (CuPy deformation, soft body)
        headless = None
        campaign.report["device"] = {"gl": {"ok": False, "why": str(exc)}, "cuda": device.cuda_info(),
                                     "nvidia_smi": device.nvidia_smi()}  # fmt: skip
        progress(f"GL unavailable: {exc}")
    if headless is not None:
        campaign.report["device"] = device.describe(headless.context)
        gl = campaign.report["device"]["gl"]
        progress(f"GL: {gl['vendor']} | {gl['renderer']} | {gl['version']} ({gl['platform']})")
        if not args.smoke and not gl["on_gpu"] and not args.allow_software_gl:
            gl["why"] = f"GL is not on the GPU ({gl['renderer']}, {gl['platform']}); use --allow-software-gl"

            progress(f"WARNING: {gl['why']}")
            headless.close()
            headless = None
    cuda = campaign.report["device"]["cuda"]
    progress(f"CUDA: {cuda.get('name')} driver {cuda.get('driver')}" if cuda["ok"] else f"CUDA: {cuda['why']}")
    campaign.save()
    try:
        with tempfile.TemporaryDirectory(prefix="prosector-campaign-") as tmp:
            for phase in phases:
                run_phase(phase, campaign, profile, scenes, tiers, headless, Path(tmp), args, workloads, frame_cases)
    finally:
        if headless is not None:
            headless.close()
    call_us = campaign.report["device"].get("gl", {}).get("call_overhead_us")
    campaign.report["summary"] = summarise(campaign.report["cases"], args.smoke, call_us)
    campaign.report["complete"] = True
    campaign.save()
    print_table(campaign.report)
    return 0


def run_phase(phase, campaign, profile, scenes, tiers, headless, tmp, args, workloads, frame_cases) -> None:
    from campaign_phases import build_workloads, deform_phase, governor_phase, soft_body_phase

    if phase == "frames":
        extra = [Path(p) for p in args.extra_scenes.split(",") if p]
        for workload in build_workloads(scenes, profile, tmp, args.whole_body, workloads, extra):
            label = f"frame/{workload.name}"
            if workload.scene is not None and workload.name == "whole-body" and args.smoke and args.scenes is None:
                workload.skipped = ("smoke: the whole body's hundreds of parts take minutes per frame on llvmpipe; "
                                    "measured off --smoke, or name it in --scenes")  # fmt: skip
                workload.scene = None
            if workload.scene is None:
                campaign.add(*[{"name": f"{label}/{t}", "frame_ms": None, "passes_ms": {}, "skipped": workload.skipped}
                               for t in tiers])  # fmt: skip
            elif headless is None:
                campaign.add(
                    *[
                        {
                            "name": f"{label}/{t}",
                            "frame_ms": None,
                            "passes_ms": {},
                            "skipped": campaign.report["device"]["gl"].get("why", "no GL"),
                        }
                        for t in tiers
                    ]
                )
            elif campaign.over_budget():
                campaign.add(
                    *[
                        {
                            "name": f"{label}/{t}",
                            "frame_ms": None,
                            "passes_ms": {},
                            "skipped": f"time budget of {profile.budget_s:.0f} s spent",
                        }
                        for t in tiers
                    ]
                )
            else:
                progress(f"{label}: {workload.title}, eyes {profile.eye[0]}x{profile.eye[1]}")
                campaign.add(*frame_cases.measure_tiers(headless, workload, profile.eye, profile.frames,
                                                        profile.warmups, tiers, progress, args.images))  # fmt: skip
        return
    if campaign.over_budget():
        campaign.skip(phase, f"time budget of {profile.budget_s:.0f} s spent")
        return
    progress(f"{phase}:")
    if phase == "deform":
        campaign.add(*deform_phase(headless, profile, progress))
    elif phase == "soft_body":
        campaign.add(*soft_body_phase(profile, progress))
    elif phase == "governor":
        campaign.add(*governor_phase(headless, profile, campaign, progress, workloads))


def summarise(cases: list[dict], smoke: bool, call_us: float | None = None) -> dict:
    """Ratios measured in this run: ray-traced against SSAO (frame and the AO pass), off against SSAO, per
    scene; CuPy interop against upload; and the goals (90 Hz stereo, 1 ms per 1M vertices) met or not."""
    by_name = {c["name"]: c for c in cases if c.get("frame_ms")}
    out: dict = {"frame_goal_ms": round(GOAL_FRAME_MS, 2), "scenes": {}}
    for scene in SCENES:
        ssao, rt, off = (by_name.get(f"frame/{scene}/{t}") for t in ("ssao", "raytraced", "off"))
        if not ssao:
            continue
        row = {"ssao_ms": ssao["frame_ms"], "draw_calls": ssao.get("draw_calls"), "gl_calls": ssao.get("gl_calls")}
        if call_us and ssao.get("gl_calls"):  # what Python spends issuing the frame, whatever the GPU
            row["submission_floor_ms"] = round(ssao["gl_calls"] * call_us / 1e3, 2)
        if rt:
            rt_pass = sum(v for k, v in rt["passes_ms"].items() if k.startswith("rt_"))
            row.update(raytraced_ms=rt["frame_ms"], raytraced_over_ssao=round(rt["frame_ms"] / ssao["frame_ms"], 2),
                       trace_pass_over_ao_pass=round(rt_pass / ssao["passes_ms"]["ao"], 2)
                       if ssao["passes_ms"].get("ao") else None)  # fmt: skip
        if off:
            row.update(off_ms=off["frame_ms"], off_over_ssao=round(off["frame_ms"] / ssao["frame_ms"], 2))
        if not smoke:
            row["meets_90hz"] = {
                t: by_name[f"frame/{scene}/{t}"]["frame_ms"] <= GOAL_FRAME_MS
                for t in ("ssao", "raytraced", "off")
                if f"frame/{scene}/{t}" in by_name
            }
        out["scenes"][scene] = row
    deform = {}
    for case in cases:
        if case.get("kind") == "deform" and case["backend"] == "cupy" and case["handoff"] == "interop":
            upload = by_name.get(case["name"].replace("-interop", "-upload"))
            deformer = case["name"].split("/")[1]
            deform[deformer] = {"interop_ms": case["frame_ms"], "upload_ms": upload["frame_ms"] if upload else None,
                                "deform_ms": case["passes_ms"].get("deform"),
                                "meets_1ms": case["passes_ms"].get("deform", 1e9) <= case["goal_ms"]}  # fmt: skip
    if deform:
        out["cupy_deformers"] = deform
    out["skipped"] = {c["name"]: c["skipped"] for c in cases if c.get("skipped")}
    return out


def print_table(report: dict) -> None:
    print(f"\n# GPU campaign ({report['profile']}, {report['started_utc']}), {report['elapsed_s']:.0f} s"
          f"{'' if report['complete'] else ', INCOMPLETE (stopped early)'}")  # fmt: skip
    device = report["device"]
    gl, cuda, smi = device.get("gl", {}), device.get("cuda", {}), device.get("nvidia_smi", {})
    print(
        f"GL: {gl.get('vendor', '')} {gl.get('renderer', gl.get('why'))} {gl.get('version', '')} "
        f"({gl.get('platform', '-')}); CUDA: {cuda.get('name', cuda.get('why'))} driver {cuda.get('driver', '-')}; "
        f"nvidia-smi: {smi.get('name', smi.get('why'))} {smi.get('driver', '')}; host: {device.get('host')}"
    )
    print("| case | frame ms | passes ms | draws |")
    print("| --- | --- | --- | --- |")
    for case in report["cases"]:
        if case.get("skipped"):
            print(f"| {case['name']} | skipped: {case['skipped'][:80]} | | |")
            continue
        passes = ", ".join(f"{k} {v:.2f}" for k, v in case["passes_ms"].items())
        print(f"| {case['name']} | {case['frame_ms']:.2f} | {passes} | {case.get('draw_calls', '')} |")
    print(json.dumps(report["summary"].get("scenes", {}), indent=None))


if __name__ == "__main__":
    raise SystemExit(main())
