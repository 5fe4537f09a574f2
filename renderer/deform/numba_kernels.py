"""The Numba kernels behind `cpu_kernels` (imported on first use: importing Numba is slow).

cache=True keeps the machine code under __pycache__ (or Numba's user cache where that is read-only), so
only the first run on a machine pays the ~2 s compile.
"""

from __future__ import annotations

import os

import numba
import numpy as np

# OpenMP's workers spin-wait between launches by default; with the cores shared (Mesa's render threads,
# another program) that turned a 1.5 ms normals kernel into 5-16 ms on the 2-core machine (measured).
# Passive waiting (workers sleep) keeps 1.5 ms on a quiet machine and ~3 ms under load; Numba's own
# work queue also sleeps but costs 2.8 ms even on a quiet machine. Set before Numba loads OpenMP; a
# user's own NUMBA_THREADING_LAYER or OMP_WAIT_POLICY wins. Deformation runs on the render thread only,
# so the work queue's one-caller-at-a-time rule holds where OpenMP is missing.
if "NUMBA_THREADING_LAYER" not in os.environ:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    numba.config.THREADING_LAYER_PRIORITY = ["omp", "workqueue", "tbb"]

@numba.njit(parallel=True, cache=True, nogil=True)
def vertex_normals_kernel(positions, faces, indptr, face_index, face_normals, out):
    """Face normals into `face_normals` (M, 3), then their per-vertex sums, normalised, into `out` (N, 3).

    positions (N, 3) float32; faces (M, 3) int32; indptr (N + 1,) int64 and face_index (3M,) int32 list
    the faces around each vertex. Threads split faces, then vertices, so no two write the same row.
    """
    for f in numba.prange(faces.shape[0]):
        a, b, c = faces[f, 0], faces[f, 1], faces[f, 2]
        ux = positions[b, 0] - positions[a, 0]
        uy = positions[b, 1] - positions[a, 1]
        uz = positions[b, 2] - positions[a, 2]
        vx = positions[c, 0] - positions[a, 0]
        vy = positions[c, 1] - positions[a, 1]
        vz = positions[c, 2] - positions[a, 2]
        face_normals[f, 0] = uy * vz - uz * vy
        face_normals[f, 1] = uz * vx - ux * vz
        face_normals[f, 2] = ux * vy - uy * vx
    for v in numba.prange(out.shape[0]):
        sx = np.float32(0.0)
        sy = np.float32(0.0)
        sz = np.float32(0.0)
        for k in range(indptr[v], indptr[v + 1]):
            f = face_index[k]
            sx += face_normals[f, 0]
            sy += face_normals[f, 1]
            sz += face_normals[f, 2]
        length = np.sqrt(sx * sx + sy * sy + sz * sz)
        if length > 1e-20:
            out[v, 0] = sx / length
            out[v, 1] = sy / length
            out[v, 2] = sz / length
        else:  # a vertex with no area: the array code's fallback
            out[v, 0] = 0.0
            out[v, 1] = 1.0
            out[v, 2] = 0.0


@numba.njit(parallel=True, cache=True, nogil=True)
def sparse_times_dense_kernel(indptr, indices, data, dense, out):
    """out (R, 3) = CSR (R, K) x dense (K, 3), float32; threads split the rows, sums stay in registers."""
    for r in numba.prange(out.shape[0]):
        x = np.float32(0.0)
        y = np.float32(0.0)
        z = np.float32(0.0)
        for k in range(indptr[r], indptr[r + 1]):
            j = indices[k]
            value = data[k]
            x += value * dense[j, 0]
            y += value * dense[j, 1]
            z += value * dense[j, 2]
        out[r, 0] = x
        out[r, 1] = y
        out[r, 2] = z
