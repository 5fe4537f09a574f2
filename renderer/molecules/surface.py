"""Molecular surface: a Gaussian density of the atoms, contoured by marching cubes.

Each atom adds exp(-k * (d^2 / r^2 - 1)) (r its van der Waals radius plus `inflate_a`), so the
level-1 iso-surface passes near r for a lone atom and fills the crevices between neighbours, which
approximates the solvent-excluded surface (the "Gaussian surface" of VMD's QuickSurf and ChimeraX).
The density is array code on `xp` (NumPy, or CuPy on a GPU); marching cubes runs on the CPU with
scikit-image (the contour is small next to the grid).
"""

from __future__ import annotations

import logging

import numpy as np

from renderer.molecules.cartoon import TriangleMesh, empty_mesh

# k: larger hugs the atoms, smaller melts them together. With k = 2.0 and radii inflated by 0.15 Å the
# surface of 1hpv encloses PyMOL's molecular-surface volume within 2 % (k = 1.6, 0.4 Å: +28 %, points
# 0.8 Å outside); benchmarks/surface_vs_pymol.py measures it.
SHARPNESS = 2.0
CUTOFF = 1e-3  # contributions below this are skipped
# Grid cells of one surface (128 MiB of float32, plus one float64 scatter buffer): a selection spread
# wider than the grid allows at the asked spacing gets a coarser grid, not a 10 GiB allocation.
MAX_SURFACE_CELLS = 1 << 25
log = logging.getLogger(__name__)


def grid_spacing(lo_a, hi_a, spacing_a: float, max_cells: int = MAX_SURFACE_CELLS) -> float:
    """`spacing_a`, or the smallest larger spacing whose grid over the box lo..hi (3,) Å has at most
    `max_cells` cells (warned: the surface is then coarser than asked)."""
    extent = np.maximum(np.asarray(hi_a, np.float64) - np.asarray(lo_a, np.float64), 0.0)
    cells = float(np.prod(np.ceil(extent / spacing_a) + 1))
    if cells <= max_cells:
        return spacing_a
    coarse = spacing_a * (cells / max_cells) ** (1 / 3)
    while float(np.prod(np.ceil(extent / coarse) + 1)) > max_cells:
        coarse *= 1.05
    log.warning("the atoms of a surface span %.0f x %.0f x %.0f Å; its grid spacing is %.2f Å instead of %.2f Å",
                *extent, coarse, spacing_a)
    return coarse


def gaussian_density(xp, centres_a, radii_a, spacing_a: float, padding_a: float, chunk: int = 256):
    """Density grid (X, Y, Z) float32 on `xp` and its origin (3,) in ångström."""
    centres = xp.asarray(centres_a, dtype=xp.float32)
    radii = xp.asarray(radii_a, dtype=xp.float32)
    lo = centres.min(axis=0) - padding_a
    hi = centres.max(axis=0) + padding_a
    spacing_a = grid_spacing(_host(lo), _host(hi), spacing_a)
    shape = tuple(int(v) for v in (xp.ceil((hi - lo) / spacing_a) + 1).tolist())
    reach = float(radii.max()) * float(np.sqrt(1.0 + np.log(1.0 / CUTOFF) / SHARPNESS))
    steps = int(np.ceil(reach / spacing_a))
    axis = xp.arange(-steps, steps + 1, dtype=xp.int32)
    offsets = xp.stack(xp.meshgrid(axis, axis, axis, indexing="ij"), axis=-1).reshape(-1, 3)
    flat = xp.zeros(int(np.prod(shape)), dtype=xp.float32)
    dims = xp.asarray(shape, dtype=xp.int32)
    for start in range(0, len(centres), chunk):
        c, r = centres[start : start + chunk], radii[start : start + chunk]
        base = xp.rint((c - lo) / spacing_a).astype(xp.int32)
        cells = base[:, None, :] + offsets[None, :, :]  # (chunk, K, 3)
        d2 = (((cells * spacing_a + lo) - c[:, None, :]) ** 2).sum(axis=-1)
        values = xp.exp(-SHARPNESS * (d2 / (r[:, None] ** 2) - 1.0))
        inside = (values > CUTOFF) & xp.all((cells >= 0) & (cells < dims), axis=-1)
        index = (cells[..., 0] * shape[1] + cells[..., 1]) * shape[2] + cells[..., 2]
        flat += xp.bincount(index[inside].ravel(), weights=values[inside].ravel(), minlength=flat.size).astype(
            xp.float32
        )
    return flat.reshape(shape), lo


def _host(array) -> np.ndarray:
    return array.get() if hasattr(array, "get") else np.asarray(array)


def molecular_surface(centres_a: np.ndarray, radii_a: np.ndarray, colors: np.ndarray, spacing_a: float = 0.6,
                      inflate_a: float = 0.15, xp=np) -> TriangleMesh:  # fmt: skip
    """Surface around atoms (N, 3) with radii (N,); vertex colours from the nearest atom's (N, 3)."""
    from scipy.spatial import cKDTree
    from skimage.measure import marching_cubes

    if len(centres_a) == 0:
        return empty_mesh()
    radii = np.asarray(radii_a, np.float32) + inflate_a
    padding = float(radii.max()) * 2 + spacing_a
    centres = np.asarray(centres_a, np.float32)
    spacing_a = grid_spacing(centres.min(axis=0) - padding, centres.max(axis=0) + padding, spacing_a)
    density, origin = gaussian_density(xp, centres_a, radii, spacing_a, padding_a=padding)
    volume = density.get() if hasattr(density, "get") else np.asarray(density)
    origin = origin.get() if hasattr(origin, "get") else np.asarray(origin)
    if volume.max() < 1.0:
        return empty_mesh()
    volume = _filled(volume)
    vertices, faces, normals, _ = marching_cubes(volume, level=1.0, spacing=(spacing_a,) * 3, allow_degenerate=False)
    vertices = vertices + origin
    # scikit-image's normals follow the gradient toward lower values: outward for a density.
    _, nearest = cKDTree(np.asarray(centres_a, np.float64)).query(vertices)
    faces = faces[:, ::-1] if _winding_inward(vertices, faces, normals) else faces
    return TriangleMesh(vertices.astype(np.float32), normals.astype(np.float32),
                        np.asarray(colors, np.float32)[nearest], faces.astype(np.uint32).ravel())  # fmt: skip


def _winding_inward(vertices: np.ndarray, faces: np.ndarray, normals: np.ndarray) -> bool:
    """True when the faces' geometric normals disagree with the outward vertex normals."""
    p = vertices[faces]
    geometric = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    return float(np.einsum("ij,ij->i", geometric, normals[faces].mean(axis=1)).sum()) < 0


def _filled(volume: np.ndarray) -> np.ndarray:
    """The density with closed voids (below the level, out of reach of the box's border) raised above
    it: thin Gaussians leave bubbles between packed atoms that only a clip plane would show."""
    from scipy import ndimage

    inside = volume >= 1.0
    voids = ndimage.binary_fill_holes(inside) & ~inside
    if voids.any():
        volume = volume.copy()
        volume[voids] = 2.0
    return volume
