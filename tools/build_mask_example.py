#!/usr/bin/env python
"""Assets of the alpha-mask example (scenes/skin-window.yaml): the bundled head skin with texture
coordinates, and a mask image that cuts an oval window over the temporal and parietal lobes.

Usage::

    python tools/build_mask_example.py [--out assets/examples]

Outputs:

* ``head_skin_uv.glb`` -- ``assets/brain/head_skin.glb`` (same vertices and triangles) with texture
  coordinates projected from the side: u = front-back position, v = height, each scaled to 0..1 over
  the skin's bounds. The projection passes through the head, so one window in the image opens both
  temples. No normals are stored: Prosector computes them.
* ``skin_window.png`` -- 512x512 grey mask, white = skin, black = window; the oval's edge is
  anti-aliased over about two texels so the cut is smooth at any distance.

Deterministic: the same input gives byte-identical files. Needs numpy, trimesh and Pillow.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
MASK_SIDE = 512
# The window, in scene metres on the side projection (z front-back, y up): over the temporal and
# parietal lobes of the bundled cortex (z -0.105..0.069, y -0.048..0.079).
WINDOW_CENTRE_ZY = (-0.018, 0.028)
WINDOW_HALF_AXES_ZY = (0.052, 0.036)


def side_projection(positions: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(N, 2) texture coordinates of positions (N, 3) metres, and the (z, y) box they span."""
    zy = positions[:, [2, 1]].astype(np.float64)
    lo, hi = zy.min(axis=0), zy.max(axis=0)
    return (zy - lo) / (hi - lo), lo, hi


def window_mask(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """(MASK_SIDE, MASK_SIDE) uint8, row 0 = top (v = 1): 255 skin, 0 window, an anti-aliased edge."""
    centres = (np.arange(MASK_SIDE) + 0.5) / MASK_SIDE
    u, v = np.meshgrid(centres, centres[::-1])  # row 0 is the image's top: v = 1
    z, y = lo[0] + u * (hi[0] - lo[0]), lo[1] + v * (hi[1] - lo[1])
    radius = np.hypot((z - WINDOW_CENTRE_ZY[0]) / WINDOW_HALF_AXES_ZY[0],
                      (y - WINDOW_CENTRE_ZY[1]) / WINDOW_HALF_AXES_ZY[1])  # fmt: skip
    texel_in_radius = (hi[0] - lo[0]) / MASK_SIDE / WINDOW_HALF_AXES_ZY[0]
    coverage = np.clip((radius - 1.0) / (2.0 * texel_in_radius) + 0.5, 0.0, 1.0)
    return np.round(coverage * 255).astype(np.uint8)


def main() -> int:
    import trimesh
    from PIL import Image

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "examples")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    skin = trimesh.load(ROOT / "assets" / "brain" / "head_skin.glb", force="mesh", process=False)
    positions = np.asarray(skin.vertices, dtype=np.float32)
    uv, lo, hi = side_projection(positions)
    mesh = trimesh.Trimesh(positions, np.asarray(skin.faces), process=False,
                           visual=trimesh.visual.TextureVisuals(uv=uv.astype(np.float32)))  # fmt: skip
    mesh.export(args.out / "head_skin_uv.glb", include_normals=False)
    Image.fromarray(window_mask(lo, hi), "L").save(args.out / "skin_window.png", optimize=True)
    for name in ("head_skin_uv.glb", "skin_window.png"):
        print(f"{args.out / name}: {(args.out / name).stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
