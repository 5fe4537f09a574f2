"""Molecular (solvent-excluded) surface: where a probe sphere rolling over the atoms' van der Waals
spheres cannot reach -- the surface PyMOL and Chimera call the molecular surface (Richards 1977).

On a grid: f(x) = min_i (|x - c_i| - (r_i + probe)) is negative inside the solvent-accessible
volume (SAS). A point belongs to the excluded volume when no probe centre (any point with f >= 0)
lies within `probe` of it, so the surface is the SAS shrunk by the probe radius: the level
dist(x, {f >= 0}) = probe. A Euclidean distance transform (scipy) gives the distance to the nearest
outside cell; near the surface it is refined below the grid spacing with f itself (the exact
distance from an outside point to the SAS). Marching cubes (scikit-image) contours it. Buried
cavities a probe fits in get their own inner skins, as in PyMOL (cavities=False fills them).

Cost: O(atoms * (r + probe)^3 / spacing^3) for f, linear in grid cells for the transform; the grid
is capped at MAX_CELLS by coarsening the spacing.
"""

from __future__ import annotations

import numpy as np

from renderer import progress
from renderer.molecules.mesh import TriangleMesh, empty_mesh

PROBE_RADIUS_A = 1.4  # water
DEFAULT_SPACING_A = 0.35
# The nearest outside cell and those sharing a face or an edge with it: candidates for the nearest probe.
NEIGHBOURS = np.array([o for o in np.stack(np.meshgrid(*[np.arange(-1, 2)] * 3, indexing="ij"), axis=-1)
                       .reshape(-1, 3) if np.abs(o).sum() <= 2], np.int32)  # fmt: skip
MAX_CELLS = 20_000_000  # peak: about 50 bytes a cell (f, the distance transform, its indices) + 0.1 GB of chunks
REFINE_CHUNK = 100_000  # surface cells refined at a time (19 candidates each)


def grid_spacing(centres_a: np.ndarray, radii_a: np.ndarray, spacing_a: float, probe_a: float) -> float:
    """The spacing actually used: `spacing_a`, coarsened until the box has at most MAX_CELLS cells."""
    reach = float(np.max(radii_a)) + probe_a
    extent = centres_a.max(axis=0) - centres_a.min(axis=0) + 2 * reach + 4 * spacing_a
    cells = float(np.prod(extent / spacing_a))
    return spacing_a if cells <= MAX_CELLS else spacing_a * (cells / MAX_CELLS) ** (1 / 3) * 1.01


def sas_field(centres_a: np.ndarray, radii_a: np.ndarray, spacing_a: float, probe_a: float, chunk: int = 512):
    """f on the grid (X, Y, Z) float32 (ångström; capped at two cells far from every atom) and the
    grid origin (3,). Atom by atom over the cells of its bounding cube, in chunks of atoms."""
    centres_a = np.asarray(centres_a, np.float64)
    expanded = np.asarray(radii_a, np.float32) + probe_a
    lo = centres_a.min(axis=0) - expanded.max() - 6 * spacing_a
    hi = centres_a.max(axis=0) + expanded.max() + 6 * spacing_a
    shape = tuple(int(v) for v in np.ceil((hi - lo) / spacing_a) + 1)
    field = np.full(int(np.prod(shape)), 3 * spacing_a, np.float32)
    steps = int(np.ceil(expanded.max() / spacing_a)) + 4
    axis = np.arange(-steps, steps + 1, dtype=np.int32)
    offsets = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), axis=-1).reshape(-1, 3)
    offsets = offsets[np.linalg.norm(offsets, axis=1) * spacing_a <= expanded.max() + 4 * spacing_a]
    offsets_a = (offsets * spacing_a).astype(np.float32)
    offset_sq = (offsets_a**2).sum(axis=1)
    strides = np.array([shape[1] * shape[2], shape[2], 1], np.int64)
    offset_index = offsets.astype(np.int64) @ strides
    for start in range(0, len(centres_a), chunk):
        c, r = centres_a[start : start + chunk], expanded[start : start + chunk]
        base = np.rint((c - lo) / spacing_a).astype(np.int64)
        delta = (base * spacing_a + lo - c).astype(np.float32)  # (chunk, 3): cell centre minus atom
        # |delta + offset|^2 as one matrix product (chunk, K); the margin keeps every cell in the box.
        d2 = (delta**2).sum(axis=1)[:, None] + 2.0 * (delta @ offsets_a.T) + offset_sq[None, :]
        near = d2 < ((r + 3 * spacing_a) ** 2)[:, None]  # three cells out: f and its gradient where the SAS ends
        rows, cols = np.nonzero(near)
        value = np.sqrt(np.maximum(d2[rows, cols], 0.0)) - r[rows]
        np.minimum.at(field, (base @ strides)[rows] + offset_index[cols], value.astype(np.float32))
    return field.reshape(shape), lo


def excluded_field(centres_a: np.ndarray, radii_a: np.ndarray, spacing_a: float, probe_a: float,
                   cavities: bool = True, bar=None):  # fmt: skip
    """(X, Y, Z) float32: distance to the nearest probe centre minus the probe radius -- positive
    inside the excluded volume, zero on the molecular surface -- and the grid origin (3,)."""
    from scipy import ndimage

    f, origin = sas_field(centres_a, radii_a, spacing_a, probe_a)
    if bar is not None:
        bar.advance()  # stage 1 of 4: the accessible volume
    outside = f >= 0
    if cavities:
        inside = ~outside
    else:  # probe positions not connected to the box's border are buried pockets: filled
        labels, _ = ndimage.label(outside)
        inside = labels != labels[0, 0, 0]
    distance, nearest = ndimage.distance_transform_edt(inside, sampling=spacing_a, return_indices=True)
    if bar is not None:
        bar.advance()  # stage 2: the distance transform
    field = distance.astype(np.float32)
    del distance
    field -= probe_a
    field[outside] = np.float32(-probe_a) - f[outside]
    # Sub-cell refinement near the surface: f is the exact distance from an outside point to the SAS,
    # so each outside cell q around the nearest one names a SAS point q - f(q) grad f(q); the nearest
    # of those to x is (to second order) its nearest probe centre.
    band = np.nonzero(inside & (np.abs(field) < 1.2 * spacing_a))  # the cells marching cubes reads
    nearest = np.stack([axis[band] for axis in nearest], axis=1).astype(np.int32)
    band = np.stack(band, axis=1).astype(np.int32)
    for start in range(0, len(band), REFINE_CHUNK):
        cells, q = band[start : start + REFINE_CHUNK], nearest[start : start + REFINE_CHUNK]
        best = _nearest_probe_distance(f, cells * spacing_a, q, spacing_a)
        refined = np.isfinite(best)
        field[tuple(cells[refined].T)] = best[refined] - probe_a
    if bar is not None:
        bar.advance()  # stage 3: the refinement
    return field.astype(np.float32, copy=False), origin


def _nearest_probe_distance(f: np.ndarray, x: np.ndarray, q: np.ndarray, spacing_a: float) -> np.ndarray:
    """(B,) distance from points x (B, 3) (ångström from the grid origin) to the nearest SAS point named
    by the outside cells around q (B, 3); inf where none of them is outside."""
    limits = np.array(f.shape) - 1
    candidates = np.clip(q[:, None, :] + NEIGHBOURS[None], 1, limits - 1)  # (B, 19, 3)
    flat = np.ravel_multi_index(tuple(candidates.reshape(-1, 3).T), f.shape)
    unique, inverse = np.unique(flat, return_inverse=True)  # neighbouring cells share candidates
    cells = np.stack(np.unravel_index(unique, f.shape), axis=1)
    value = f.ravel()[unique]
    strides = np.array(f.strides) // f.itemsize
    gradient = np.stack([f.ravel()[unique + k] - f.ravel()[unique - k] for k in strides], axis=1)
    gradient /= np.maximum(np.linalg.norm(gradient, axis=1, keepdims=True), 1e-12)
    centres = (cells * spacing_a - value[:, None] * gradient).astype(np.float32)
    distance = np.linalg.norm(x[:, None, :] - centres[inverse].reshape(candidates.shape), axis=2)
    distance[(value < 0)[inverse].reshape(distance.shape)] = np.inf
    return distance.min(axis=1)


def solvent_excluded_surface(centres_a: np.ndarray, radii_a: np.ndarray, colors: np.ndarray,
                             probe_a: float = PROBE_RADIUS_A, spacing_a: float = DEFAULT_SPACING_A,
                             cavities: bool = True) -> TriangleMesh:  # fmt: skip
    """The molecular surface of atoms (N, 3) with van der Waals radii (N,); vertex colours (N, 3)
    from the nearest atom's. Ångström, model space; normals point outward."""
    from scipy.spatial import cKDTree
    from skimage.measure import marching_cubes

    centres = np.asarray(centres_a, np.float64)
    if len(centres) == 0:
        return empty_mesh()
    radii = np.asarray(radii_a, np.float64)
    spacing = grid_spacing(centres, radii, spacing_a, probe_a)
    with progress.task("molecular surface", 4, unit="stage") as bar:
        field, origin = excluded_field(centres, radii, spacing, probe_a, cavities, bar)
        if field.max() <= 0.0:
            return empty_mesh()
        vertices, faces, normals, _ = marching_cubes(field, level=0.0, spacing=(spacing,) * 3,
                                                     allow_degenerate=False)  # fmt: skip
        bar.advance()
    vertices = vertices + origin
    # The field grows inward, so scikit-image's normals (toward lower values) point outward.
    _, nearest = cKDTree(centres).query(vertices)
    p = vertices[faces]
    geometric = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    if float(np.einsum("ij,ij->i", geometric, normals[faces].mean(axis=1)).sum()) < 0:
        faces = faces[:, ::-1]
    return TriangleMesh(vertices.astype(np.float32), normals.astype(np.float32),
                        np.asarray(colors, np.float32)[nearest], faces.astype(np.uint32).ravel())  # fmt: skip
