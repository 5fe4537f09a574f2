"""Rendering molecule views headless: a molecule's drawables placed into a HeadlessRenderer's GPU
scene, a camera that frames them, and one image per lesson step.

    python -m renderer.molecules.render SPEC.yaml -o OUT_DIR [--size 512x512] [--view color|normal|...]
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

from renderer import maths
from renderer.errors import ProsectorError
from renderer.molecules.io import read_structure
from renderer.molecules.representations import MoleculeDrawables, build_drawables
from renderer.molecules.selection import select
from renderer.molecules.spec import CameraSpec, load_view_spec
from renderer.molecules.structure import Structure
from renderer.scene.model import Camera


def placement(structure_bounds_a: np.ndarray, scale_m_per_angstrom: float,
              translation_m=(0.0, 0.0, 0.0)) -> np.ndarray:  # fmt: skip
    """(4, 4) model (Å) -> scene (m): centre the molecule's box on `translation_m`, then scale."""
    centre = np.asarray(structure_bounds_a, np.float64).mean(axis=0)
    return maths.translation(translation_m) @ maths.scaling(scale_m_per_angstrom) @ maths.translation(-centre)


def camera_for(structure: Structure, matrix: np.ndarray, spec: CameraSpec, vertical_fov_deg: float = 35.0) -> Camera:
    """Looks along -`spec.direction` at the selection (default: all but water), far enough to frame it."""
    mask = select(structure, spec.target_select or "not water")
    points = maths.transform_points(matrix, structure.positions_a[mask].astype(np.float64))
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    radius = float(np.linalg.norm(points - centre, axis=1).max()) + 2.0 * _scale(matrix)
    distance = radius / math.sin(math.radians(vertical_fov_deg) / 2) * spec.distance_factor
    eye = centre + maths.normalize(np.asarray(spec.direction, np.float64)) * distance
    return Camera(eye_m=tuple(eye), target_m=tuple(centre), vertical_fov_deg=vertical_fov_deg)


def _scale(matrix: np.ndarray) -> float:
    return float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))


def show(headless, molecule_id: str, drawables: MoleculeDrawables, matrix: np.ndarray):
    """Upload `drawables` into the headless renderer's GPU scene (replacing `molecule_id`)."""
    from renderer.gpu.molecule import GpuMolecule

    headless.context.make_current()
    molecule = GpuMolecule(headless.context.resources, drawables, matrix)
    headless.scene.set_molecule(molecule_id, molecule)
    return molecule


def render_spec(spec_path: Path, out_dir: Path, size=(512, 512), view: str = "color") -> list[Path]:
    """One PNG per step of the spec, named NN-title.png. Returns the paths written."""
    from PIL import Image

    from renderer.headless import HeadlessRenderer
    from renderer.passes.options import RenderOptions

    spec, molecule_path = load_view_spec(spec_path)
    structure = read_structure(molecule_path, model=spec.model)
    matrix = placement(structure.bounds(), spec.scale_m_per_angstrom)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with HeadlessRenderer() as headless:
        for number, step in enumerate(spec.all_steps(), start=1):
            drawables = build_drawables(structure, [r.build() for r in step.representations])
            show(headless, "molecule", drawables, matrix)
            camera = camera_for(structure, matrix, step.camera)
            options = RenderOptions(view_mode=view, ao_radius_m=4.0 * spec.scale_m_per_angstrom,
                                    background=(0.02, 0.022, 0.028))  # fmt: skip
            image = headless.render(size[0], size[1], camera=camera, options=options)
            slug = "".join(c if c.isalnum() else "-" for c in step.title.lower()).strip("-")
            path = out_dir / f"{number:02d}-{slug}.png"
            Image.fromarray(image).save(path)
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m renderer.molecules.render", description=__doc__.split("\n")[0])
    parser.add_argument("spec", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder for the PNGs")
    parser.add_argument("--size", default="512x512", help="WIDTHxHEIGHT")
    parser.add_argument("--view", default="color", choices=("color", "normal", "depth", "albedo", "ao"))
    args = parser.parse_args(argv)
    try:
        width, height = (int(v) for v in args.size.lower().split("x"))
        for path in render_spec(args.spec, args.output, (width, height), args.view):
            print(path)
    except ProsectorError as error:
        print(f"prosector: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
