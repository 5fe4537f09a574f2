"""Render, offscreen, what one eye of `prosector xr --dump-frame` saw: the same scene and lesson step,
the same view matrix, projection and render options (from the eye's JSON), through the same
Renderer. Runs as its own process (pyopenxr, imported by the test process, takes over PyOpenGL's
platform on import).

    python tests/xr/render_reference.py SCENE EYE.json OUT.png [--asset-root DIR ...]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from renderer.headless import HeadlessRenderer
from renderer.scene.load import load_scene
from renderer.scene.step_state import scene_state
from renderer.screenshots import write_png
from renderer.targets.offscreen import OffscreenTarget
from renderer.view import View


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("scene", type=Path)
    parser.add_argument("eye", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--asset-root", type=Path, action="append", default=[])
    args = parser.parse_args()
    info = json.loads(args.eye.read_text())
    loaded = load_scene(args.scene, asset_roots=args.asset_root)
    x, y, width, height = info["viewport"]
    view = View(np.array(info["view_matrix"]), np.array(info["projection"]), np.array(info["eye_m"]),
                (0, 0, width, height), info["near_m"], info["far_m"], info["index"])  # fmt: skip
    with HeadlessRenderer() as headless:
        headless.load(loaded)
        headless.scene.apply(scene_state(loaded, info["step"], info["language"]))
        options = headless.options(**info["options"])
        target = OffscreenTarget(headless.context.resources, width, height)
        headless.renderer.render_view(headless.scene, view, options, target.framebuffer)
        write_png(args.output, target.read_image())
        target.release()


if __name__ == "__main__":
    main()
