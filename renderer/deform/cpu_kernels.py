"""Compiled CPU loops for the NumPy backend's per-frame normals and sparse products (Numba).

Why Numba: NumPy evaluates "gather the corners, cross the edges, sum onto vertices, normalise" as a
chain of whole-array passes with a temporary each, about 12 ms for 100k vertices on one core; the
same work as one fused loop per stage, threaded over the cores, takes about a millisecond. That is
what a GPU does with CuPy, so both backends keep the deformation frame well inside the 10 ms goal.

The result equals `geometry.vertex_normals`' array code (the reference, and what CuPy runs) to float32
rounding; tests hold them equal. Numba is a dependency, but a platform without a wheel for it still
works: `AVAILABLE` is False and the array code runs.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np

# Numba is imported only when a deforming mesh first needs normals (importing it costs ~0.3 s): the
# kernels live in `numba_kernels`, imported on first use.
# PROSECTOR_NO_NUMBA=1 forces the array code, e.g. to compare the two.
AVAILABLE = importlib.util.find_spec("numba") is not None and os.environ.get("PROSECTOR_NO_NUMBA", "") in ("", "0")


def vertex_normals(positions: np.ndarray, faces: np.ndarray, indptr: np.ndarray, face_index: np.ndarray,
                   scratch: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Area-weighted unit vertex normals, (N, 3) float32.

    positions: (N, 3) float32, any space; faces: (M, 3) int32; indptr (N + 1,) and face_index (3M,):
    the faces around each vertex in CSR form (the vertex-face incidence matrix's structure); scratch:
    an (M, 3) float32 array for the face normals, kept by the caller from frame to frame.
    """
    positions = np.ascontiguousarray(positions, dtype=np.float32)
    out = np.empty_like(positions)
    if scratch is None:
        scratch = np.empty((faces.shape[0], 3), np.float32)
    from renderer.deform.numba_kernels import vertex_normals_kernel

    vertex_normals_kernel(positions, faces, indptr, face_index, scratch, out)
    return out


def sparse_times_dense(matrix, dense: np.ndarray) -> np.ndarray:
    """A SciPy CSR matrix (R, K) times a dense (K, 3) array, (R, 3) float32, on every core.

    SciPy's product runs on one core with a general loop: ~4 ms for the 800k weights that embed 100k
    surface vertices in a lattice, against ~1 ms here."""
    dense = np.ascontiguousarray(dense, dtype=np.float32)
    out = np.empty((matrix.shape[0], dense.shape[1]), np.float32)
    from renderer.deform.numba_kernels import sparse_times_dense_kernel

    sparse_times_dense_kernel(matrix.indptr, matrix.indices, matrix.data, dense, out)
    return out
