"""XPBD soft body on a tetrahedral lattice: edge-length, tetrahedron-volume and rest-tether constraints.

Each substep predicts positions from velocities, then satisfies each constraint family once in a
parallel (Jacobi) sweep: every constraint computes its XPBD correction (lambda starts at 0 per substep,
"small steps") and corrections are summed per particle by scatter-add and averaged over the
constraints touching it. That is the same work on NumPy, CuPy and in a GPU kernel, with no graph
colouring; many substeps with one sweep each keep it stiff and stable.

Units: particles have unit mass; compliance alpha is in m/N-like units scaled by 1/h^2 per substep
(alpha_tilde = alpha / h^2), so the behaviour does not depend on the mesh's size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType

import numpy as np

from renderer.deform.geometry import cross3, dot3
from renderer.deform.lattice import Lattice

FRAME_DT = 1.0 / 90.0  # a headset frame; the simulation always steps by this, whatever the display does
RELAXATION = 1.5  # over-relaxation of the averaged Jacobi corrections (1 = plain averaging)


@dataclass(frozen=True)
class Material:
    """Compliances (0 = rigid) and velocity damping rate (1/s), from the scene's 0..1 knobs."""

    edge_compliance: float
    volume_compliance: float
    tether_compliance: float
    damping_per_s: float

    @staticmethod
    def from_knobs(stiffness: float, damping: float) -> Material:
        return Material(edge_compliance=2e-6 * (1.0 - stiffness) ** 2, volume_compliance=0.0,
                        tether_compliance=2e-3 * (1.0 - 0.9 * stiffness),
                        damping_per_s=2.0 + 40.0 * damping)  # fmt: skip


@dataclass
class SoftBody:
    """Simulation state on `xp`: (P, 3) float32 positions, velocities and rest positions (metres)."""

    x: object
    v: object
    rest: object
    inv_mass: object  # (P,) float32; 0 pins a particle (held by a finger or controller)
    edges: object  # (E, 2) int32
    rest_length: object  # (E,) float32
    edge_slots: object  # (2E*3,) int64 scatter slots for [ends 0; ends 1] x axes
    edge_share: object  # (P, 1) float32: RELAXATION / number of edges at the particle
    tets: object  # (T, 4) int32
    rest_volume: object  # (T,) float32, m^3
    tet_slots: object  # (4T*3,) int64
    tet_share: object  # (P, 1)
    material: Material
    substeps: int


def make_body(xp: ModuleType, lattice: Lattice, material: Material, substeps: int) -> SoftBody:
    nodes = lattice.nodes.astype(np.float32)
    p = len(nodes)
    edges, tets = lattice.edges.astype(np.int64), lattice.tets.astype(np.int64)
    rest_length = np.linalg.norm(nodes[edges[:, 1]] - nodes[edges[:, 0]], axis=1)
    d = nodes[tets[:, 1:]].astype(np.float64) - nodes[tets[:, :1]]
    rest_volume = np.einsum("ij,ij->i", d[:, 0], np.cross(d[:, 1], d[:, 2])) / 6.0

    def slots(index: np.ndarray) -> np.ndarray:  # column-major: all of corner 0, then corner 1, ...
        flat = index.T.reshape(-1)
        return (flat[:, None] * 3 + np.arange(3)).reshape(-1)

    def share(index: np.ndarray) -> np.ndarray:
        count = np.bincount(index.reshape(-1), minlength=p).astype(np.float32)
        return (RELAXATION / np.maximum(count, 1.0))[:, None]

    f32 = xp.float32
    return SoftBody(xp.asarray(nodes), xp.zeros((p, 3), f32), xp.asarray(nodes), xp.ones(p, f32),
                    xp.asarray(edges.astype(np.int32)), xp.asarray(rest_length, f32), xp.asarray(slots(edges)),
                    xp.asarray(share(edges)), xp.asarray(tets.astype(np.int32)), xp.asarray(rest_volume, f32),
                    xp.asarray(slots(tets)), xp.asarray(share(tets)), material, substeps)  # fmt: skip


def reset(xp: ModuleType, body: SoftBody) -> None:
    body.x = body.rest.copy()
    body.v = xp.zeros_like(body.v)


def step(xp: ModuleType, body: SoftBody, pinned=None, targets_from=None, targets_to=None) -> None:
    """Advance one frame (FRAME_DT) in `body.substeps` substeps. `pinned` (K,) particle indices are
    moved kinematically from `targets_from` to `targets_to` ((K, 3) each) over the frame."""
    h = FRAME_DT / body.substeps
    keep = math.exp(-body.material.damping_per_s * h)
    count = body.x.shape[0]
    for s in range(body.substeps):
        previous = body.x
        x = previous + body.v * h
        if pinned is not None:
            blend = (s + 1) / body.substeps
            x[pinned] = targets_from + (targets_to - targets_from) * blend
        x = x + _edge_corrections(xp, body, x, h, count)
        x = x + _volume_corrections(xp, body, x, h, count)
        x = x + _tether_corrections(body, x, h)
        body.v = (x - previous) * (keep / h)
        body.x = x


def _scatter(xp: ModuleType, slots, corrections, count: int):
    """Sum (K*C, 3) per-corner corrections (corner-major, matching `slots`) onto (P, 3) particles."""
    summed = xp.bincount(slots, weights=corrections.reshape(-1), minlength=count * 3)
    return summed.reshape(count, 3).astype(xp.float32)


def _edge_corrections(xp: ModuleType, body: SoftBody, x, h: float, count: int):
    i, j = body.edges[:, 0], body.edges[:, 1]
    d = xp.take(x, j, axis=0) - xp.take(x, i, axis=0)
    length = xp.sqrt(dot3(d, d))
    n = d / xp.maximum(length, 1e-12)[:, None]
    wi, wj = xp.take(body.inv_mass, i), xp.take(body.inv_mass, j)
    dlam = -(length - body.rest_length) / (wi + wj + body.material.edge_compliance / (h * h) + 1e-12)
    corr = xp.concatenate([(-wi * dlam)[:, None] * n, (wj * dlam)[:, None] * n])
    return _scatter(xp, body.edge_slots, corr, count) * body.edge_share


def _volume_corrections(xp: ModuleType, body: SoftBody, x, h: float, count: int):
    corners = [xp.take(x, body.tets[:, k], axis=0) for k in range(4)]
    e1, e2, e3 = corners[1] - corners[0], corners[2] - corners[0], corners[3] - corners[0]
    g1, g2, g3 = cross3(xp, e2, e3) / 6.0, cross3(xp, e3, e1) / 6.0, cross3(xp, e1, e2) / 6.0
    g0 = -(g1 + g2 + g3)
    grads = (g0, g1, g2, g3)
    w = [xp.take(body.inv_mass, body.tets[:, k]) for k in range(4)]
    volume = dot3(e1, g1)
    denom = sum(wk * dot3(g, g) for wk, g in zip(w, grads, strict=True))
    dlam = -(volume - body.rest_volume) / (denom + body.material.volume_compliance / (h * h) + 1e-30)
    corr = xp.concatenate([(wk * dlam)[:, None] * g for wk, g in zip(w, grads, strict=True)])
    return _scatter(xp, body.tet_slots, corr, count) * body.tet_share


def _tether_corrections(body: SoftBody, x, h: float):
    """Each particle is pulled toward its rest position by a weak zero-length spring: the tissue is
    held in place by its surroundings, which is what makes it recover after a poke."""
    w = body.inv_mass[:, None]
    return (body.rest - x) * (w / (w + body.material.tether_compliance / (h * h)))
