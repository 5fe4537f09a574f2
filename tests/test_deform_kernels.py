"""The NumPy backend's fast paths equal the plain array code: compiled normals and sparse products
(Numba), and skinning blended per influence group against a per-vertex reference."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from deform_helpers import capsule, deformation

from renderer.deform import cpu_kernels, geometry
from renderer.deform.bones import build_rig, dual_quaternions, pose, segment_distances
from renderer.deform.curves import cosine_cycle
from renderer.deform.frames import DeformContext
from renderer.deform.geometry import to_numpy
from renderer.deform.skinning import blend_weights
from renderer.scene import deformers as P

needs_numba = pytest.mark.skipif(not cpu_kernels.AVAILABLE, reason="Numba is not installed")


def _mesh_with_a_loose_vertex():
    positions, faces = capsule()
    rng = np.random.default_rng(3)
    positions = positions + rng.normal(0.0, 1e-3, positions.shape).astype(np.float32)  # irregular areas
    return np.vstack([positions, [[5.0, 5.0, 5.0]]]).astype(np.float32), faces  # the last one is in no face


@needs_numba
def test_compiled_normals_equal_the_array_code():
    positions, faces = _mesh_with_a_loose_vertex()
    compiled = geometry.topology(np, faces, len(positions))
    assert compiled.vertex_faces is not None
    incidence = geometry.incidence_matrix(np, faces, len(positions))
    array_code = dataclasses.replace(compiled, vertex_faces=None, incidence=incidence)
    fast = geometry.vertex_normals(np, positions, compiled)
    slow = geometry.vertex_normals(np, positions, array_code)
    np.testing.assert_allclose(fast, slow, atol=2e-6)
    np.testing.assert_array_equal(fast[-1], [0.0, 1.0, 0.0])  # no area: the documented fallback
    slots = geometry.corner_slots(np, compiled.faces)  # without SciPy: the bincount scatter
    bincount = dataclasses.replace(array_code, incidence=None, corner_slots=slots)
    np.testing.assert_allclose(geometry.vertex_normals(np, positions, bincount), slow, atol=2e-6)


@needs_numba
def test_compiled_sparse_product_equals_scipy():
    rng = np.random.default_rng(5)
    rows = np.repeat(np.arange(1000), 8)
    cols = rng.integers(0, 300, rows.size)
    matrix = geometry.sparse_matrix(np, rows, cols, rng.random(rows.size).astype(np.float32), (1200, 300))
    dense = rng.normal(size=(300, 3)).astype(np.float32)
    fast = geometry.sparse_product(np, matrix, dense)
    np.testing.assert_allclose(fast, matrix @ dense, rtol=1e-5, atol=1e-6)
    assert not fast[1000:].any()  # rows with no entries
    wide = rng.normal(size=(300, 5)).astype(np.float32)  # not 3 columns: SciPy's product
    np.testing.assert_allclose(geometry.sparse_product(np, matrix, wide), matrix @ wide, rtol=1e-5, atol=1e-6)


def _six_bone_arm():
    """A chain along -Y with more bones than influences per vertex, so vertices pick 4 of 6."""
    names = [f"b{k}" for k in range(6)]
    return [P.Bone(name=names[k], parent=names[k - 1] if k else None, head_m=(0, 0.1 - 0.04 * k, 0),
                   tail_m=(0, 0.06 - 0.04 * k, 0), rotation_deg=(10.0 * k, 0, 25.0 + 5 * k))
            for k in range(6)]  # fmt: skip


def _reference_skinning(positions: np.ndarray, spec: P.Skinning, t: float) -> np.ndarray:
    """Per-vertex blending written out directly, (N, 3) float64: the 4 nearest bones, their weights,
    and for dual quaternions the hemisphere of each vertex's first candidate bone."""
    rig = build_rig(spec.bones, "part")
    distances = segment_distances(positions.astype(np.float64), rig.heads, rig.tails)
    index = np.argpartition(distances, 3, axis=1)[:, :4]
    weights = blend_weights(np.take_along_axis(distances, index, axis=1))
    transforms = pose(rig, cosine_cycle(t, spec.period_s), DeformContext())
    out = np.zeros((len(positions), 3))
    if spec.method == "linear":
        for k in range(4):
            moved = np.einsum("nij,nj->ni", transforms[index[:, k], :3, :3], positions) + transforms[index[:, k], :3, 3]
            out += weights[:, k : k + 1] * moved
        return out
    dq = dual_quaternions(transforms)
    blended = np.zeros((len(positions), 8))
    for k in range(4):
        q = dq[index[:, k]]
        sign = np.where((q[:, :4] * dq[index[:, 0], :4]).sum(axis=1) < 0.0, -1.0, 1.0)
        blended += (weights[:, k] * sign)[:, None] * q
    blended /= np.linalg.norm(blended[:, :4], axis=1, keepdims=True)
    for n, (w, x, y, z, dw, dx, dy, dz) in enumerate(blended):
        v, d, p = np.array([x, y, z]), np.array([dx, dy, dz]), positions[n]
        out[n] = p + 2.0 * np.cross(v, np.cross(v, p) + w * p) + 2.0 * (w * d - dw * v + np.cross(v, d))
    return out


@pytest.mark.parametrize("method", ["linear", "dual_quaternion"])
def test_grouped_skinning_equals_per_vertex_blending(method):
    positions, faces = capsule(length=0.3)
    spec = P.Skinning(kind="skinning", method=method, bones=_six_bone_arm(), period_s=2.0)
    part = deformation(np, spec, positions, faces)
    state = part.stages[0].state
    assert len(state.groups) > 2 and state.order is not None  # several influence sets, reordered
    for t in (0.0, 0.4, 1.0):
        expected = _reference_skinning(positions, spec, t)
        np.testing.assert_allclose(to_numpy(part.positions(t)), expected, atol=2e-6)
