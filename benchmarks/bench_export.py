"""Export benchmark: `prosector export` time, file sizes against the device budgets, and page load to
first frame in headless Chromium (SwiftShader: this machine has no GPU).

Baselines measured in the same run: the uncompressed GLB (float meshes) for sizes and for the page
load, so the figures print as ratios. Usage:

    python benchmarks/bench_export.py [--scenes brain-lesson,hiv-protease-lesson] [--devices phone,quest,desktop]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from renderer.export.browser import Browser, file_url, find_chromium  # noqa: E402
from renderer.export.budgets import BUDGETS  # noqa: E402
from renderer.export.compress import compress  # noqa: E402
from renderer.export.glb import build_glb  # noqa: E402
from renderer.export.gltf_builder import read_glb_json, triangle_count  # noqa: E402
from renderer.export.site import write_site  # noqa: E402
from renderer.scene.load import load_scene  # noqa: E402

SCENES = Path(__file__).resolve().parent.parent / "scenes"


def first_frame_s(browser: Browser, index: Path, runs: int = 2) -> float:
    """Best of `runs` loads of the page: navigation to the viewer's first drawn frame, seconds."""
    return min(browser.open(file_url(index, "step=1")) for _ in range(runs))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", default="brain-lesson,hiv-protease-lesson")
    parser.add_argument("--devices", default="phone,quest,desktop")
    parser.add_argument("--no-browser", action="store_true", help="skip the page load timing")
    args = parser.parse_args()
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    rows, loads = [], []
    browser = Browser(1000, 700, timeout_s=300) if find_chromium() and not args.no_browser else None
    try:
        for name in args.scenes.split(","):
            started = time.perf_counter()
            loaded = load_scene(SCENES / f"{name}.yaml")
            load_s = time.perf_counter() - started
            for device in args.devices.split(","):
                budget = BUDGETS[device]
                started = time.perf_counter()
                result = build_glb(loaded, budget)
                build_s = time.perf_counter() - started
                packed = compress(result.data, budget, result.triangles)
                pack_s = time.perf_counter() - started - build_s
                tris = triangle_count(read_glb_json(packed))
                rows.append((name, device, load_s, build_s, pack_s, len(result.data), len(packed), budget, tris))
                print(f"{name} {device}: load {load_s:.1f} s, build {build_s:.1f} s, gltfpack {pack_s:.1f} s, "
                      f"{len(result.data) / 1e6:.2f} -> {len(packed) / 1e6:.2f} MB, {tris:,} triangles", flush=True)
                if browser is not None and device == "quest":
                    with tempfile.TemporaryDirectory() as folder:
                        plain = write_and_time(browser, Path(folder) / "plain", result.data, result.lesson)
                        small = write_and_time(browser, Path(folder) / "packed", packed, result.lesson)
                    loads.append((name, plain, small))
                    print(f"  first frame: {small:.2f} s compressed, {plain:.2f} s uncompressed", flush=True)
    finally:
        if browser is not None:
            browser.close()
    print("\n| scene | device | scene load | GLB build | gltfpack | uncompressed | compressed | vs uncompressed "
          "| budget | triangles (budget) |")  # fmt: skip
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, device, load_s, build_s, pack_s, raw, packed, budget, tris in rows:
        print(f"| {name} | {device} | {load_s:.1f} s | {build_s:.1f} s | {pack_s:.1f} s | {raw / 1e6:.2f} MB | "
              f"{packed / 1e6:.2f} MB | x{packed / raw:.3f} | {budget.max_megabytes:g} MB | {tris:,} "
              f"({budget.max_triangles:,}) |")  # fmt: skip
    if loads:
        print("\n| scene (quest file) | first frame, compressed | uncompressed | ratio |")
        print("| --- | ---: | ---: | ---: |")
        for name, plain, small in loads:
            print(f"| {name} | {small:.2f} s | {plain:.2f} s | x{small / plain:.2f} |")
    return 0


def write_and_time(browser: Browser, folder: Path, glb: bytes, lesson: dict) -> float:
    write_site(folder, glb, lesson)
    return first_frame_s(browser, folder / "index.html")


if __name__ == "__main__":
    raise SystemExit(main())
