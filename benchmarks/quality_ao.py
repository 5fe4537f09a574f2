"""Quality of Prosector's `ao` and `shadow` views against Mitsuba 3 references.

    python benchmarks/quality_ao.py [--size 256x256] [--reference-spp 1024] [--samples 256]

For each scene (sphere on a plane, the bundled brain, a procedural vertebra), renders the ray-traced
and screen-space AO tiers and the ray-traced key-light visibility, and prints mean absolute error
(all pixels, and geometry pixels only), SSIM and FLIP. Side-by-side images (reference | Prosector |
4x error | FLIP map) go to --images. Needs: pip install mitsuba flip-evaluator scikit-image.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer import cli_args  # noqa: E402
from renderer.headless import HeadlessRenderer  # noqa: E402
from renderer.quality.evaluate import evaluate_scene  # noqa: E402
from renderer.quality.scenes import quality_scenes  # noqa: E402

GOAL_MAE, GOAL_FLIP = 0.03, 0.08


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=cli_args.size, default=(256, 256))
    parser.add_argument("--reference-spp", type=int, default=1024)
    parser.add_argument("--samples", type=int, default=256, help="Prosector AO rays per pixel (accumulated)")
    parser.add_argument("--shadow-samples", type=int, default=16, help="Mitsuba shadow samples per pixel")
    parser.add_argument("--images", type=Path, default=ROOT / "test-output" / "quality_ao")
    parser.add_argument("--scenes", nargs="*", default=None)
    args = parser.parse_args()
    width, height = args.size
    print(f"# AO / shadow quality vs Mitsuba 3 ({width}x{height}, reference {args.reference_spp} spp, "
          f"Prosector {args.samples} rays/pixel) on {platform.node()} ({platform.processor() or platform.machine()})")
    rows = []
    with tempfile.TemporaryDirectory() as tmp, HeadlessRenderer() as headless:
        print(f"GL: {headless.context.info.renderer}")
        for name, path in quality_scenes(Path(tmp)).items():
            if args.scenes and name not in args.scenes:
                continue
            result = evaluate_scene(headless, name, path, width, height, Path(tmp), args.reference_spp, args.samples,
                                    args.shadow_samples, args.images)  # fmt: skip
            for key, c in result.scores.items():
                ok = c.mae <= GOAL_MAE and c.flip <= GOAL_FLIP
                rows.append(f"| {name} | {key} | {c.mae:.4f} | {c.mae_covered:.4f} | {c.ssim:.4f} | {c.flip:.4f} | "
                            f"{'yes' if ok else 'no'} |")
            print(f"{name}: seconds " + ", ".join(f"{k} {v:.1f}" for k, v in result.seconds.items()), flush=True)
    print("\n| scene | view/tier | MAE | MAE (geometry) | SSIM | FLIP | goal met |")
    print("| --- | --- | ---: | ---: | ---: | ---: | --- |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
