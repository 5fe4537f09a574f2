"""CuPy against the NumPy reference: every deformer, its normals and the soft-tissue step agree to
float32 rounding. Skipped without a CUDA device (run them on the GPU machine)."""

from __future__ import annotations

import numpy as np
import pytest
from deform_helpers import CUPY, CUPY_WHY, capsule, deformation

from renderer.deform.benchmark import cases
from renderer.deform.geometry import to_numpy
from renderer.scene import deformers as P

pytestmark = pytest.mark.skipif(CUPY is None, reason=f"CuPy parity needs a CUDA device: {CUPY_WHY}")


@pytest.mark.parametrize("name", list(cases()))
def test_cupy_matches_numpy(name):
    positions, faces = capsule()
    spec = cases()[name]
    if isinstance(spec, P.SoftTissue):
        spec = spec.model_copy(update={"lattice_cells": 8, "poke_m": (0.0, 0.1, 0.0)})
    reference, candidate = deformation(np, spec, positions, faces), deformation(CUPY, spec, positions, faces)
    for t in (0.0, 0.21, 0.5, 1.37):
        p_ref, n_ref = reference.evaluate(t)
        p_gpu, n_gpu = candidate.evaluate(t)
        scale = float(np.abs(positions).max())
        np.testing.assert_allclose(to_numpy(p_gpu), p_ref, atol=2e-5 * scale, err_msg=f"{name} t={t}")
        np.testing.assert_allclose(to_numpy(n_gpu), n_ref, atol=2e-3, err_msg=f"{name} normals t={t}")
