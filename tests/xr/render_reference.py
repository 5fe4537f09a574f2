"""Render, offscreen, what one eye of `prosector xr --dump-frame` saw: the same scene and lesson step,
the same view matrix, projection and render options (from the eye's JSON), through the same
Renderer; for the right eye the left one is drawn first, as in the headset, since the right eye's
labels follow the left eye's layout. Runs as its own process (pyopenxr, imported by the test
process, takes over PyOpenGL's platform on import).

--positions writes the eye's scene position per pixel as an .npy, (H, W, 4) float32, top row
first: xyz metres, w = 1 where an opaque part was hit (what the disparity test predicts from).

    python tests/xr/render_reference.py SCENE EYE.json OUT.png [--asset-root DIR ...] [--positions OUT.npy]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from renderer.gl import commands
from renderer.headless import HeadlessRenderer
from renderer.scene.load import load_scene
from renderer.scene.step_state import scene_state
from renderer.screenshots import write_png
from renderer.targets.offscreen import OffscreenTarget
from renderer.xr.eye_dump import read_eye_view


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scene", type=Path)
    parser.add_argument("eye", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--asset-root", type=Path, action="append", default=[])
    parser.add_argument("--positions", type=Path)
    args = parser.parse_args()
    info = json.loads(args.eye.read_text())
    loaded = load_scene(args.scene, asset_roots=args.asset_root)
    # The right eye lays its labels out after the left one, drawn just before it in the same frame.
    eyes = [json.loads((args.eye.parent / "eye-0.json").read_text()), info] if info["index"] == 1 else [info]
    with HeadlessRenderer() as headless:
        headless.load(loaded)
        headless.scene.apply(scene_state(loaded, info["step"], info["language"]))
        options = headless.options(**info["options"])
        for eye in eyes:
            view = read_eye_view(eye)
            target = OffscreenTarget(headless.context.resources, *view.size)
            result = headless.renderer.render_view(headless.scene, view, options, target.framebuffer)
            image = target.read_image()
            if args.positions and eye is info:
                positions = commands.read_float(result.buffers.world_position)
                # w held a packed normal; the prepass's view depth is 0 where no opaque part lies
                positions[:, :, 3] = commands.read_float(result.buffers.normal_depth)[:, :, 3] > 0.0
                np.save(args.positions, positions)
            target.release()
        write_png(args.output, image)


if __name__ == "__main__":
    main()
