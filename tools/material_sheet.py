"""Render the material sheet: every tissue preset on the same bumpy sample, lit by the default studio.

    python tools/material_sheet.py [-o docs/images/material-sheet.png] [--cell 240] [--samples 16]

Each sample is a sphere with low-frequency bumps (so wet highlights and transmission show), rendered
by Prosector itself with the ray-traced tier (AO + key-light shadows) and labelled with its preset.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from renderer.headless import HeadlessRenderer  # noqa: E402
from renderer.scene.load import load_scene  # noqa: E402
from renderer.scene.materials import PRESETS  # noqa: E402


def sample_mesh(path: Path) -> None:
    import trimesh

    blob = trimesh.creation.icosphere(subdivisions=5, radius=0.04)
    v = blob.vertices / 0.04
    bumps = 1.0 + 0.06 * np.sin(7 * v[:, 0] + 1.0) * np.sin(6 * v[:, 1]) + 0.04 * np.sin(11 * v[:, 2] + 2 * v[:, 0])
    blob.vertices *= bumps[:, None]
    blob.export(path)


def render_sheet(output: Path, cell: int, samples: int) -> Path:
    names = list(PRESETS)
    columns = 4
    rows = math.ceil(len(names) / columns)
    with tempfile.TemporaryDirectory() as tmp, HeadlessRenderer() as headless:
        folder = Path(tmp)
        sample_mesh(folder / "sample.glb")
        tiles = []
        for name in names:
            scene = folder / f"{name}.yaml"
            scene.write_text(
                "version: 1\n"
                "camera: {eye_m: [0.0, 0.03, 0.2], target_m: [0, 0, 0], vertical_fov_deg: 30}\n"
                "lights: {key: {direction: [0.45, 0.75, 0.5], intensity: 2.6, angular_diameter_deg: 4}}\n"
                "render: {ambient_occlusion: raytraced, background: '#202428'}\n"
                f"parts:\n  sample: {{mesh: sample.glb, material: {name}}}\n"
            )
            headless.load(load_scene(scene))
            options = headless.options(ao_rays_per_pixel=4, shadow_rays_per_pixel=4,
                                       rt_still_frames=max(1, samples // 4))  # fmt: skip
            tiles.append(headless.render(cell, cell, None, options))
    from PIL import Image, ImageDraw, ImageFont

    label = 26
    sheet = Image.new("RGB", (columns * cell, rows * (cell + label)), (32, 36, 40))
    draw = ImageDraw.Draw(sheet)
    try:
        font = ImageFont.load_default(size=16)
    except TypeError:  # Pillow < 10.1
        font = ImageFont.load_default()
    for index, (name, tile) in enumerate(zip(names, tiles, strict=True)):
        x, y = (index % columns) * cell, (index // columns) * (cell + label)
        sheet.paste(Image.fromarray(tile), (x, y))
        draw.text((x + cell // 2, y + cell + label // 2), name.replace("_", " "), fill=(230, 230, 230), font=font,
                  anchor="mm")  # fmt: skip
    output.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(output)
    return output


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "docs" / "images" / "material-sheet.png")
    parser.add_argument("--cell", type=int, default=240)
    parser.add_argument("--samples", type=int, default=16)
    args = parser.parse_args()
    print(f"wrote {render_sheet(args.output, args.cell, args.samples)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
