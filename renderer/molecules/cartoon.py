"""Cartoon: the protein backbone as a triangle mesh -- helices as wide ribbons, strands as flat
sheets ending in arrows, everything else as round tubes -- swept along a spline through the CA atoms.

The ribbon's width direction follows the peptide planes (CA -> O, made continuous by flipping), so
strands lie in their sheet and helix ribbons face outward. Work is per chain segment and per spline
sample, vectorised; nothing loops over atoms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer.molecules.structure import Structure, residue_keys

SAMPLES_PER_RESIDUE = 8
RING = 12  # vertices around the cross-section
MAX_CA_GAP_A = 4.3  # a longer CA-CA step is a chain break (missing residues)
# (half width, half thickness, squareness exponent) of the cross-section, ångström.
PROFILES = {"c": (0.28, 0.28, 1.0), "a": (1.25, 0.22, 0.45), "b": (1.05, 0.22, 0.35)}
ARROW_HALF_WIDTH_A = 1.75


@dataclass(frozen=True)
class TriangleMesh:
    """positions, normals: (V, 3) float32 (ångström, model space); colors: (V, 3) float32 sRGB;
    indices: (T * 3,) uint32, counter-clockwise seen from outside."""

    positions: np.ndarray
    normals: np.ndarray
    colors: np.ndarray
    indices: np.ndarray

    @property
    def triangle_count(self) -> int:
        return len(self.indices) // 3


def empty_mesh() -> TriangleMesh:
    z = np.zeros((0, 3), np.float32)
    return TriangleMesh(z, z, z, np.zeros(0, np.uint32))


def cartoon_mesh(structure: Structure, mask: np.ndarray, colors: np.ndarray) -> TriangleMesh:
    """Cartoon of the amino-acid residues whose CA is in `mask`; colours (N, 3) sampled at the CAs."""
    s = structure
    ca = np.flatnonzero(mask & s.is_amino_acid & (s.atom_names == "CA"))
    if len(ca) < 2:
        return empty_mesh()
    keys = residue_keys(s)
    oxygen_of_residue = np.full(keys.max() + 1, -1)
    o_atoms = np.flatnonzero(s.is_amino_acid & (s.atom_names == "O"))
    oxygen_of_residue[keys[o_atoms]] = o_atoms
    oxygen = oxygen_of_residue[keys[ca]]
    positions = s.positions_a[ca].astype(np.float64)
    step = np.linalg.norm(np.diff(positions, axis=0), axis=1)
    breaks = (step > MAX_CA_GAP_A) | (s.chain_ids[ca][1:] != s.chain_ids[ca][:-1])
    starts = np.concatenate([[0], np.flatnonzero(breaks) + 1, [len(ca)]])
    meshes = []
    for first, last in zip(starts[:-1], starts[1:], strict=True):
        if last - first >= 2:
            sl = slice(first, last)
            meshes.append(_segment(positions[sl], oxygen[sl], s, s.secondary[ca[sl]], colors[ca[sl]]))
    return concatenate(meshes)


def _segment(ca: np.ndarray, oxygen: np.ndarray, s: Structure, sse: np.ndarray, colors: np.ndarray) -> TriangleMesh:
    count = len(ca)
    # Side vectors per residue: CA -> O, orthogonal to the trace, flipped to stay continuous.
    tangent_ca = np.gradient(ca, axis=0)
    tangent_ca /= np.linalg.norm(tangent_ca, axis=1, keepdims=True)
    side = np.where(oxygen[:, None] >= 0, s.positions_a[np.maximum(oxygen, 0)] - ca, np.cross(tangent_ca, [0, 1, 0]))
    side -= tangent_ca * np.einsum("ij,ij->i", side, tangent_ca)[:, None]
    side /= np.maximum(np.linalg.norm(side, axis=1, keepdims=True), 1e-9)
    flips = np.ones(count)
    flips[1:] = np.sign(np.einsum("ij,ij->i", side[1:], side[:-1]))
    side *= np.cumprod(np.where(flips == 0, 1, flips))[:, None]

    # Catmull-Rom through the CAs: sample u in [0, count - 1].
    u = np.linspace(0.0, count - 1.0, (count - 1) * SAMPLES_PER_RESIDUE + 1)
    k = np.minimum(np.floor(u).astype(int), count - 2)
    t = (u - k)[:, None]
    p0, p1, p2, p3 = (ca[np.clip(k + d, 0, count - 1)] for d in (-1, 0, 1, 2))
    points = 0.5 * (2 * p1 + (p2 - p0) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (3 * (p1 - p2) + p3 - p0) * t**3)
    tangent = np.gradient(points, axis=0)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
    width_dir = side[k] * (1 - t) + side[k + 1] * t
    width_dir -= tangent * np.einsum("ij,ij->i", width_dir, tangent)[:, None]
    width_dir /= np.maximum(np.linalg.norm(width_dir, axis=1, keepdims=True), 1e-9)
    thick_dir = np.cross(tangent, width_dir)

    half_width, half_thick, square = _profiles(sse, u)
    nearest = np.clip(np.rint(u).astype(int), 0, count - 1)
    theta = np.linspace(0.0, 2 * np.pi, RING, endpoint=False)
    cos, sin = np.cos(theta)[None, :], np.sin(theta)[None, :]
    e = square[:, None]
    x = half_width[:, None] * np.sign(cos) * np.abs(cos) ** e
    y = half_thick[:, None] * np.sign(sin) * np.abs(sin) ** e
    rings = points[:, None, :] + x[..., None] * width_dir[:, None, :] + y[..., None] * thick_dir[:, None, :]
    vertex_colors = np.repeat(colors[nearest], RING, axis=0)
    return _tube(rings, vertex_colors)


def _profiles(sse: np.ndarray, u: np.ndarray):
    """Half width, half thickness and squareness per spline sample; strands end in an arrow."""
    table = np.array([PROFILES.get(code, PROFILES["c"]) for code in sse], dtype=np.float64)
    k = np.minimum(np.floor(u).astype(int), len(sse) - 2)
    t = u - k
    values = table[k] * (1 - t)[:, None] + table[k + 1] * t[:, None]
    # A strand's last residue interval: width from ARROW to coil, a sharp step at the arrow's base.
    strand = sse == "b"
    ends = np.flatnonzero(strand & ~np.append(strand[1:], False))
    for end in ends:
        if end == 0 or not strand[end - 1]:
            continue
        inside = (u >= end - 1) & (u <= end)
        f = u[inside] - (end - 1)
        values[inside, 0] = ARROW_HALF_WIDTH_A * (1 - f) + PROFILES["c"][0] * f
        values[inside, 1:] = PROFILES["b"][1:]
    return values[:, 0], values[:, 1], values[:, 2]


def _tube(rings: np.ndarray, colors: np.ndarray) -> TriangleMesh:
    """Triangles joining consecutive rings (M, RING, 3), with smooth normals and end caps."""
    m = len(rings)
    positions = rings.reshape(-1, 3)
    i = np.arange(m - 1)[:, None] * RING
    j = np.arange(RING)[None, :]
    a, b = i + j, i + (j + 1) % RING
    c, d = a + RING, b + RING
    quads = np.stack([a, c, b, b, c, d], axis=-1).reshape(-1, 3)
    # Caps: a fan around each end ring's centre (extra vertex each).
    centres = rings[[0, -1]].mean(axis=1)
    first_cap = np.stack([np.full(RING, m * RING), (j[0] + 1) % RING, j[0]], axis=1)
    last = (m - 1) * RING
    last_cap = np.stack([np.full(RING, m * RING + 1), last + j[0], last + (j[0] + 1) % RING], axis=1)
    triangles = np.concatenate([quads, first_cap, last_cap])
    positions = np.concatenate([positions, centres])
    colors = np.concatenate([colors, colors[[0, -1]]])
    if _signed_volume(positions, triangles) < 0:
        triangles = triangles[:, ::-1]
    normals = vertex_normals(positions, triangles)
    return TriangleMesh(positions.astype(np.float32), normals, colors.astype(np.float32),
                        triangles.astype(np.uint32).ravel())  # fmt: skip


def _signed_volume(positions: np.ndarray, triangles: np.ndarray) -> float:
    p = positions[triangles]
    return float(np.einsum("ij,ij->i", p[:, 0], np.cross(p[:, 1], p[:, 2])).sum())


def vertex_normals(positions: np.ndarray, triangles: np.ndarray) -> np.ndarray:
    """(V, 3) float32 area-weighted vertex normals of an indexed triangle mesh (T, 3)."""
    p = positions[triangles]
    face = np.cross(p[:, 1] - p[:, 0], p[:, 2] - p[:, 0])
    normals = np.stack([np.bincount(triangles.ravel(), weights=np.repeat(face[:, k], 3), minlength=len(positions))
                        for k in range(3)], axis=1)  # fmt: skip
    normals /= np.maximum(np.linalg.norm(normals, axis=1, keepdims=True), 1e-12)
    return normals.astype(np.float32)


def concatenate(meshes: list[TriangleMesh]) -> TriangleMesh:
    meshes = [m for m in meshes if m.triangle_count]
    if not meshes:
        return empty_mesh()
    offsets = np.cumsum([0] + [len(m.positions) for m in meshes[:-1]])
    return TriangleMesh(
        np.concatenate([m.positions for m in meshes]),
        np.concatenate([m.normals for m in meshes]),
        np.concatenate([m.colors for m in meshes]),
        np.concatenate([m.indices + np.uint32(o) for m, o in zip(meshes, offsets, strict=True)]),
    )
