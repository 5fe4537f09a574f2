"""Nucleic-acid cartoon: a tube along the sugar-phosphate backbone (a spline through the P atoms,
C4' where a residue has no phosphate, as at a 5' end), a rod from the backbone to each base and the
base itself as a flat slab (its ring atoms, thickened), as in a textbook ladder.

A residue counts as a nucleotide by its atoms, not its name (modified nucleotides are drawn too):
it has C1' and C4' and the glycosidic nitrogen (N9 for purines, N1 for pyrimidines), and is not an
amino acid. Old files name sugar atoms with '*' (C1*); those are read as primes.
"""

from __future__ import annotations

import numpy as np

from renderer.molecules.mesh import (
    RING,
    TriangleMesh,
    catmull_rom,
    concatenate,
    empty_mesh,
    prisms,
    rods,
    swept_tube,
    transported_normals,  # fmt: skip
)
from renderer.molecules.structure import Structure, names_in, packed_names, residue_keys

SAMPLES_PER_RESIDUE = 8
BACKBONE_RADIUS_A = 0.75
ROD_RADIUS_A = 0.32
SLAB_HALF_THICKNESS_A = 0.4
MAX_TRACE_GAP_A = 8.5  # P-P steps are 5.5-7.5 Å; longer ones are missing residues
PURINE_RING = ("N9", "C8", "N7", "C5", "C6", "N1", "C2", "N3", "C4")  # the outline of both rings, in order
PYRIMIDINE_RING = ("N1", "C2", "N3", "C4", "C5", "C6")


def nucleotide_table(structure: Structure, mask: np.ndarray) -> dict[str, np.ndarray]:
    """Per nucleotide residue with an atom in `mask`, in file order: atom indices (-1: absent) of
    P, C4', C1', the glycosidic N and the ring outline; residue chain ids; `purine` flags."""
    s = structure
    keys = residue_keys(s)
    candidates = ~s.is_amino_acid & ~s.is_water
    wanted = ("P", "C4'", "C1'") + PURINE_RING
    count = int(keys.max()) + 1 if len(keys) else 0
    index = {name: np.full(count, -1) for name in wanted}
    packed = packed_names(s.atom_names)  # once: twelve names are looked up among a million atoms
    for name in wanted:
        spellings = (name, name.replace("'", "*"))
        found = names_in(s.atom_names, spellings) if packed is None else np.isin(packed, packed_names(np.array(spellings)))
        atoms = np.flatnonzero(candidates & found)
        index[name][keys[atoms[::-1]]] = atoms[::-1]  # the first atom of that name wins (alternates)
    selected = np.zeros(count, bool)
    selected[keys[mask]] = True
    purine = (index["N9"] >= 0) & (index["C8"] >= 0)
    glycosidic = np.where(purine, index["N9"], index["N1"])
    is_nucleotide = selected & (index["C4'"] >= 0) & (index["C1'"] >= 0) & (glycosidic >= 0)
    rows = np.flatnonzero(is_nucleotide)
    table = {name: index[name][rows] for name in wanted}
    table["glycosidic"] = glycosidic[rows]
    table["purine"] = purine[rows]
    table["chain"] = s.chain_ids[table["C4'"]]
    return table


def nucleic_cartoon_mesh(structure: Structure, mask: np.ndarray, colors: np.ndarray,
                         detail: tuple[int, int] = (SAMPLES_PER_RESIDUE, RING)) -> TriangleMesh:  # fmt: skip
    """Backbone tubes, base rods and base slabs of the nucleotides in `mask`; colours (N, 3) per atom
    (the tube takes its trace atoms', a base its glycosidic nitrogen's). detail: (spline samples per
    residue, tube cross-section vertices), renderer.molecules.cartoon.cartoon_detail."""
    samples, ring = detail
    s = structure
    if s.atom_count == 0:
        return empty_mesh()
    table = nucleotide_table(s, mask)
    if len(table["C4'"]) == 0:
        return empty_mesh()
    trace = np.where(table["P"] >= 0, table["P"], table["C4'"])
    positions = s.positions_a[trace].astype(np.float64)
    step = np.linalg.norm(np.diff(positions, axis=0), axis=1)
    breaks = (step > MAX_TRACE_GAP_A) | (table["chain"][1:] != table["chain"][:-1])
    starts = np.concatenate([[0], np.flatnonzero(breaks) + 1, [len(trace)]])
    pieces, rod_starts = [], np.zeros((len(trace), 3))
    for first, last in zip(starts[:-1], starts[1:], strict=True):
        sl = slice(first, last)
        if last - first >= 2:
            points, _ = catmull_rom(positions[sl], samples)
            nearest = np.minimum(np.arange(len(points)) // samples, last - first - 1)
            side = transported_normals(points)
            radius = np.full(len(points), BACKBONE_RADIUS_A)
            pieces.append(swept_tube(points, side, radius, radius, np.ones(len(points)), colors[trace[sl]][nearest],
                                     ring))  # fmt: skip
            rod_starts[sl] = _nearest_samples(points, s.positions_a[table["C4'"][sl]])
        else:
            rod_starts[sl] = positions[sl]
    glycosidic = s.positions_a[table["glycosidic"]].astype(np.float64)
    base_colors = colors[table["glycosidic"]]
    pieces.append(rods(rod_starts, glycosidic, ROD_RADIUS_A, base_colors))
    pieces += [_slabs(s, table, ring, kind, base_colors) for ring, kind in ((PURINE_RING, True),
                                                                             (PYRIMIDINE_RING, False))]  # fmt: skip
    return concatenate(pieces)


def _nearest_samples(points: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """(R, 3): for each target the spline sample nearest to it (the backbone end of a base rod)."""
    from scipy.spatial import cKDTree

    _, index = cKDTree(points).query(targets.astype(np.float64))
    return points[index]


def _slabs(s: Structure, table: dict, ring: tuple[str, ...], purine: bool, colors: np.ndarray) -> TriangleMesh:
    rows = table["purine"] == purine
    atoms = np.stack([table[name][rows] for name in ring], axis=1)  # (B, K)
    complete = (atoms >= 0).all(axis=1)
    if not complete.any():
        return empty_mesh()
    polygons = s.positions_a[atoms[complete]].astype(np.float64)
    return prisms(polygons, SLAB_HALF_THICKNESS_A, colors[rows][complete])
