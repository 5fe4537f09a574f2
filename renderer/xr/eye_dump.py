"""`--dump-frame N --dump-dir DIR`: both eye images of one rendered frame, each with what renders it
again headless (tests/xr/render_reference.py compares the two, via `read_eye_view`)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from renderer.passes.options import RenderOptions
from renderer.screenshots import write_png
from renderer.view import View
from renderer.xr.event_log import jsonable


def write_eye_dump(folder: Path, view: View, image: np.ndarray, options: RenderOptions, info: dict) -> Path:
    """Write eye-<index>.png ((H, W, 3) uint8 as read back) and eye-<index>.json: the view's matrices,
    viewport and planes, the options that shape the image, and `info` (frame, step, ...). Returns `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    write_png(folder / f"eye-{view.index}.png", image)
    data = {"index": view.index, "view_matrix": view.view_matrix, "projection": view.projection,
            "eye_m": view.eye_m, "viewport": view.viewport, "near_m": view.near_m, "far_m": view.far_m, **info,
            "options": {"msaa_samples": options.msaa_samples, "ambient_occlusion": options.ambient_occlusion,
                        "ao_directions": options.ao_directions, "ao_steps": options.ao_steps,
                        "ao_radius_m": options.ao_radius_m}}  # fmt: skip
    (folder / f"eye-{view.index}.json").write_text(json.dumps(data, default=jsonable))
    return folder


def read_eye_view(data: dict) -> View:
    """The View of an eye-<index>.json (as parsed), as an image of its own: its viewport at the origin."""
    width, height = data["viewport"][2:]
    return View(np.array(data["view_matrix"]), np.array(data["projection"]), np.array(data["eye_m"]),
                (0, 0, width, height), data["near_m"], data["far_m"], data["index"])  # fmt: skip
