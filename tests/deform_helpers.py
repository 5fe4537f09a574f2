"""Shared helpers for deformation tests: backends to run on, meshes, finite-difference checks."""

from __future__ import annotations

import numpy as np
import pytest

from renderer.deform.backend import try_cupy
from renderer.deform.frames import DeformContext
from renderer.deform.geometry import mesh_volume, to_numpy
from renderer.deform.pipeline import PartDeformation

CUPY, CUPY_WHY = try_cupy()
_NO_CUPY = pytest.mark.skipif(CUPY is None, reason=f"CuPy parity needs a CUDA device: {CUPY_WHY}")
BACKENDS = [pytest.param(np, id="numpy"), pytest.param(CUPY, id="cupy", marks=_NO_CUPY)]


def capsule(length: float = 0.2, radius: float = 0.03) -> tuple[np.ndarray, np.ndarray]:
    """A closed capsule along Y centred at the origin: (N, 3) float32, (M, 3) int32, outward."""
    import trimesh

    mesh = trimesh.creation.capsule(height=length - 2 * radius, radius=radius, count=(32, 32))
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.pi / 2, (1, 0, 0)))
    mesh = mesh.subdivide_to_size(0.01)  # the straight part needs rings along its length to bend
    mesh.merge_vertices()
    assert mesh.is_watertight and mesh.volume > 0
    return np.asarray(mesh.vertices, np.float32), np.asarray(mesh.faces, np.int32)


def deformation(xp, spec, positions, faces, ctx: DeformContext | None = None) -> PartDeformation:
    return PartDeformation(xp, positions, faces, [spec], ctx or DeformContext())


def sample(part: PartDeformation, times) -> np.ndarray:
    """(T, N, 3) float64 positions at each time, on the host."""
    return np.array([to_numpy(part.positions(float(t))).astype(np.float64) for t in times])


def volume(positions: np.ndarray, faces: np.ndarray) -> float:
    return mesh_volume(np, np.asarray(positions, np.float64), faces)


def assert_smooth(frames: np.ndarray, dt: float, max_speed: float, max_accel: float) -> None:
    """First and second finite differences bounded: no jumps, no jolts."""
    velocity = np.abs(np.diff(frames, axis=0)).max() / dt
    accel = np.abs(np.diff(frames, n=2, axis=0)).max() / dt**2
    assert np.isfinite(frames).all()
    assert velocity <= max_speed, f"speed {velocity:.3g} m/s above {max_speed}"
    assert accel <= max_accel, f"acceleration {accel:.3g} m/s^2 above {max_accel}"
