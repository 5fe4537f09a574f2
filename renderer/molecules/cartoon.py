"""Cartoon: the protein backbone as a triangle mesh, as in a textbook -- helices as wide ribbons or
as cylinders along their axes, strands as smooth flat arrows, everything else as round tubes --
swept along a spline through guide points derived from the CA atoms. Nucleic-acid chains get
their own cartoon (renderer.molecules.nucleic_cartoon) in the same mesh.

Guide points: CAs, except in strands, where a few passes of a (1, 2, 1) / 4 filter take out the
pleat (CAs zig-zag about 1 Å across a strand), and in cylinder helices, where they are projected
onto the helix axis. The ribbon's width direction follows the peptide planes (CA -> O, made
continuous by flipping), smoothed the same way in strands, so strands lie flat in their sheet.
"""

from __future__ import annotations

import numpy as np

from renderer.molecules.mesh import (  # noqa: F401  (TriangleMesh, empty_mesh, concatenate: re-exported)
    RING,
    TriangleMesh,
    catmull_rom,
    concatenate,
    empty_mesh,
    tube_rings,
    tubes_from_rings,
    unit,
    vertex_normals,
)
from renderer.molecules.structure import Structure, residue_keys

SAMPLES_PER_RESIDUE = 8
MAX_CA_GAP_A = 4.3  # a longer CA-CA step is a chain break (missing residues)
# (half width, half thickness, squareness exponent) of the cross-section, ångström.
PROFILES = {"c": (0.28, 0.28, 1.0), "a": (1.25, 0.22, 0.45), "b": (1.05, 0.22, 0.35)}
ARROW_HALF_WIDTH_A = 1.75
STRAND_SMOOTHING_PASSES = 3
HELIX_CYLINDER_RADIUS_A = 2.3  # about the CA helix radius: the cylinder hides the trace inside it
HELIX_STYLES = ("ribbon", "cylinder")
# Huge assemblies get a coarser cartoon, so that drawing stays interactive: about this many triangles
# at most (1hpv's cartoon has 38,000; a 1M-atom assembly at full detail would have 23 million, each
# residue then smaller than a pixel). Coarser means fewer spline samples per residue and fewer
# vertices around the cross-section, down to these floors.
TRIANGLE_BUDGET = 4_000_000
MIN_SAMPLES_PER_RESIDUE, MIN_RING = 2, 6


def cartoon_detail(residues: int) -> tuple[int, int]:
    """(spline samples per residue, vertices around a cross-section) for a cartoon of `residues`
    residues: full detail (SAMPLES_PER_RESIDUE, RING) while it fits TRIANGLE_BUDGET, else coarser
    (each tube step costs 2 * ring triangles per sample)."""
    full = SAMPLES_PER_RESIDUE * RING * 2
    if residues * full <= TRIANGLE_BUDGET:
        return SAMPLES_PER_RESIDUE, RING
    fraction = (TRIANGLE_BUDGET / (residues * full)) ** 0.5
    ring = max(MIN_RING, 2 * int(RING * fraction / 2))
    samples = min(SAMPLES_PER_RESIDUE, max(MIN_SAMPLES_PER_RESIDUE, TRIANGLE_BUDGET // (residues * ring * 2)))
    return int(samples), int(ring)


def cartoon_mesh(structure: Structure, mask: np.ndarray, colors: np.ndarray, helix: str = "ribbon") -> TriangleMesh:
    """Cartoon of the residues in `mask` (N,) bool: proteins through their CAs, nucleic acids through
    their phosphates with base slabs; colours (N, 3) sampled at the guide atoms. helix: HELIX_STYLES."""
    from renderer.molecules.nucleic_cartoon import nucleic_cartoon_mesh

    if helix not in HELIX_STYLES:
        raise ValueError(f"helix style {helix!r}: use one of {', '.join(HELIX_STYLES)}")
    detail = cartoon_detail(_guide_atom_count(structure, mask))
    return concatenate([protein_cartoon_mesh(structure, mask, colors, helix, detail),
                        nucleic_cartoon_mesh(structure, mask, colors, detail)])  # fmt: skip


def _guide_atom_count(structure: Structure, mask: np.ndarray) -> int:
    """About how many residues a cartoon of `mask` draws (CAs and C4' atoms): sizes its detail."""
    names = structure.atom_names
    return int((mask & ((names == "CA") | (names == "C4'") | (names == "C4*"))).sum())


def cartoon_residue_count(structure: Structure, mask: np.ndarray) -> int:
    """How many residues in `mask` a cartoon draws: amino acids with a CA plus nucleotides."""
    from renderer.molecules.nucleic_cartoon import nucleotide_table

    amino = int((mask & structure.is_amino_acid & (structure.atom_names == "CA")).sum())
    return amino + len(nucleotide_table(structure, mask)["C4'"])


def protein_cartoon_mesh(structure: Structure, mask: np.ndarray, colors: np.ndarray, helix: str = "ribbon",
                         detail: tuple[int, int] = (SAMPLES_PER_RESIDUE, RING)) -> TriangleMesh:  # fmt: skip
    """Tubes through the CAs of the amino acids in `mask`, one per chain piece, all built as one
    mesh; detail: (spline samples per residue, cross-section vertices), see `cartoon_detail`."""
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
    rings, ring_colors = [], []
    for first, last in zip(starts[:-1], starts[1:], strict=True):
        if last - first >= 2:
            sl = slice(first, last)
            side = _side_vectors(positions[sl], oxygen[sl], s)
            for tube, tube_colors in _segment(positions[sl], side, s.secondary[ca[sl]], colors[ca[sl]], helix, detail):
                rings.append(tube)
                ring_colors.append(np.repeat(np.asarray(tube_colors, np.float32), tube.shape[1], axis=0))
    return tubes_from_rings(rings, ring_colors)


def _side_vectors(ca: np.ndarray, oxygen: np.ndarray, s: Structure) -> np.ndarray:
    """(R, 3) unit CA -> O directions orthogonal to the trace, flipped to stay continuous."""
    tangent = unit(np.gradient(ca, axis=0))
    fallback = np.cross(tangent, [0.0, 1.0, 0.0])
    side = np.where(oxygen[:, None] >= 0, s.positions_a[np.maximum(oxygen, 0)] - ca, fallback)
    side = unit(side - tangent * np.einsum("ij,ij->i", side, tangent)[:, None])
    flips = np.ones(len(ca))
    flips[1:] = np.sign(np.einsum("ij,ij->i", side[1:], side[:-1]))
    return side * np.cumprod(np.where(flips == 0, 1, flips))[:, None]


def runs(sse: np.ndarray, code: str) -> list[tuple[int, int]]:
    """[(first, last)] inclusive index ranges where `sse` == code."""
    inside = np.concatenate([[False], sse == code, [False]])
    edges = np.flatnonzero(np.diff(inside.astype(np.int8)))
    return [(int(a), int(b) - 1) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def smooth_strands(points: np.ndarray, side: np.ndarray, sse: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Guide points and side vectors with the pleat filtered out of strands; the segment's ends stay."""
    points, side = points.copy(), side.copy()
    inner = np.zeros(len(points), bool)
    inner[1:-1] = True
    strand = (sse == "b") & inner
    if not strand.any():
        return points, side
    for _ in range(STRAND_SMOOTHING_PASSES):
        filtered = points.copy()
        filtered[1:-1] = (points[:-2] + 2 * points[1:-1] + points[2:]) / 4
        points[strand] = filtered[strand]
        summed = side.copy()
        summed[1:-1] = side[:-2] + side[1:-1] + side[2:]
        side[strand] = unit(summed[strand])
    return points, side


def helix_axis_points(ca: np.ndarray, first: int, last: int) -> np.ndarray:
    """(last - first + 1, 3) the helix's CAs projected onto its straight axis. The axis runs through
    the centroids of the first and last four CAs (each lies on the axis, a turn being 3.6 residues);
    a helix shorter than 5 residues uses its principal direction instead."""
    helix = ca[first : last + 1]
    centre = helix.mean(axis=0)
    if len(helix) >= 5:
        direction = unit(helix[-4:].mean(axis=0) - helix[:4].mean(axis=0))
        centre = (helix[-4:].mean(axis=0) + helix[:4].mean(axis=0)) / 2
    else:
        direction = np.linalg.svd(helix - centre)[2][0]
        direction *= np.sign(direction @ (helix[-1] - helix[0])) or 1.0
    return centre + np.outer((helix - centre) @ direction, direction)


def _segment(ca: np.ndarray, side: np.ndarray, sse: np.ndarray, colors: np.ndarray, helix: str,
             detail: tuple[int, int]) -> list[tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """[(rings (S, ring, 3), colours (S, 3))] of one chain piece: its tube, then its helix cylinders."""
    samples, ring = detail
    guide, side = smooth_strands(ca, side, sse)
    pieces = []
    if helix == "cylinder":
        profile_sse = np.where(sse == "a", "c", sse)
        for first, last in runs(sse, "a"):
            if last - first + 1 < 4:
                continue
            axis = helix_axis_points(ca, first, last)
            guide[first : last + 1] = axis
            pieces.append(helix_cylinder_rings(axis, colors[first : last + 1], ring))
    else:
        profile_sse = sse
    points, u = catmull_rom(guide, samples)
    k = np.minimum(np.floor(u).astype(int), len(ca) - 2)
    t = (u - k)[:, None]
    width_dir = side[k] * (1 - t) + side[k + 1] * t
    half_width, half_thick, square = strand_arrow_profiles(profile_sse, u)
    nearest = np.clip(np.rint(u).astype(int), 0, len(ca) - 1)
    pieces.insert(0, (tube_rings(points, width_dir, half_width, half_thick, square, ring), colors[nearest]))
    return pieces


def helix_cylinder_rings(axis: np.ndarray, colors: np.ndarray, ring: int) -> tuple[np.ndarray, np.ndarray]:
    """(rings (R + 2, ring, 3), colours (R + 2, 3)) of a capped round tube along axis points (R, 3),
    reaching half a rise past the end residues."""
    rise = (axis[-1] - axis[0]) / max(len(axis) - 1, 1)
    points = np.concatenate([[axis[0] - rise / 2], axis, [axis[-1] + rise / 2]])
    colors = np.concatenate([colors[:1], colors, colors[-1:]])
    width_dir = np.broadcast_to(_perpendicular(rise), points.shape)
    radius = np.full(len(points), HELIX_CYLINDER_RADIUS_A)
    return tube_rings(points, width_dir, radius, radius, np.ones(len(points)), ring), colors


def _perpendicular(v: np.ndarray) -> np.ndarray:
    helper = np.array([0.0, 1.0, 0.0]) if abs(unit(v)[1]) < 0.9 else np.array([1.0, 0.0, 0.0])
    return unit(np.cross(v, helper))


def strand_arrow_profiles(sse: np.ndarray, u: np.ndarray):
    """Half width, half thickness and squareness per spline sample; a strand's last residue interval
    is its arrowhead: a sharp step out to ARROW_HALF_WIDTH_A, narrowing to the coil's width."""
    codes = np.array(sorted(PROFILES))
    rows = np.searchsorted(codes, sse)
    rows = np.where(codes[np.minimum(rows, len(codes) - 1)] == sse, rows, int(np.flatnonzero(codes == "c")[0]))
    table = np.array([PROFILES[code] for code in codes], dtype=np.float64)[rows]
    k = np.minimum(np.floor(u).astype(int), len(sse) - 2)
    t = u - k
    values = table[k] * (1 - t)[:, None] + table[k + 1] * t[:, None]
    for first, end in runs(sse, "b"):
        if end == first:
            continue
        inside = (u >= end - 1) & (u <= end)
        f = u[inside] - (end - 1)
        values[inside, 0] = ARROW_HALF_WIDTH_A * (1 - f) + PROFILES["c"][0] * f
        values[inside, 1:] = PROFILES["b"][1:]
        # The body keeps its full width up to the arrow's base (no taper toward the coil after it).
        body = (u >= first) & (u < end - 1)
        values[body] = PROFILES["b"]
    return values[:, 0], values[:, 1], values[:, 2]
