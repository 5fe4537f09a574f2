"""Placing molecules into a scene and looking at them: the model matrix that centres and scales a
structure, a camera that frames a selection, and uploading drawables into a GPU scene by hand
(tests and benchmarks; scene files go through `renderer.scene.molecule_state` and `GpuScene`).

Kept light (NumPy only at import): the scene model imports `placement` from here.
"""

from __future__ import annotations

import math

import numpy as np

from renderer import maths
from renderer.scene.fields import Camera


def placement(structure_bounds_a: np.ndarray, scale_m_per_angstrom: float,
              translation_m=(0.0, 0.0, 0.0)) -> np.ndarray:  # fmt: skip
    """(4, 4) model (Å) -> scene (m): centre the molecule's box on `translation_m`, then scale."""
    centre = np.asarray(structure_bounds_a, np.float64).mean(axis=0)
    return maths.translation(translation_m) @ maths.scaling(scale_m_per_angstrom) @ maths.translation(-centre)


def camera_for(structure, matrix: np.ndarray, direction=(0.0, 0.0, 1.0), target_select: str | None = None,
               distance_factor: float = 1.0, vertical_fov_deg: float = 35.0) -> Camera:  # fmt: skip
    """Looks along -`direction` at the selection (default: all but water), far enough to frame it."""
    from renderer.molecules.selection import select

    mask = select(structure, target_select or "not water")
    points = maths.transform_points(matrix, structure.positions_a[mask].astype(np.float64))
    centre = (points.min(axis=0) + points.max(axis=0)) / 2
    radius = float(np.linalg.norm(points - centre, axis=1).max()) + 2.0 * _scale(matrix)
    distance = radius / math.sin(math.radians(vertical_fov_deg) / 2) * distance_factor
    eye = centre + maths.normalize(np.asarray(direction, np.float64)) * distance
    return Camera(eye_m=tuple(eye), target_m=tuple(centre), vertical_fov_deg=vertical_fov_deg)


def _scale(matrix: np.ndarray) -> float:
    return float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))


def show(headless, molecule_id: str, drawables, matrix: np.ndarray):
    """Upload `drawables` (MoleculeDrawables) into the headless renderer's GPU scene, replacing
    `molecule_id`; the scene's own molecules are left alone."""
    from renderer.gpu.molecule import GpuMolecule

    headless.context.make_current()
    molecule = GpuMolecule(headless.context.resources, drawables, matrix)
    headless.scene.set_molecule(molecule_id, molecule)
    return molecule
