"""Hydrogen bonds between a selection and the rest of a structure.

With explicit hydrogens, biotite's `hbond` (Baker-Hubbard: H...A <= 2.5 Å, D-H...A >= 120 deg).
X-ray entries such as 1hpv carry no hydrogens, so the heavy-atom criterion is used instead:
donor and acceptor N/O atoms 2.5-3.5 Å apart, in different residues, not covalently bonded, and
each with its covalent neighbours on the far side (angle neighbour-centroid, atom, partner > 90 deg),
which rules out contacts that point into the atom's own bonds.
"""

from __future__ import annotations

import numpy as np

from renderer.molecules.structure import Structure, residue_keys

POLAR = ("N", "O")
MIN_DISTANCE_A, MAX_DISTANCE_A = 2.5, 3.5


def hydrogen_bonds(structure: Structure, group: np.ndarray, partners: np.ndarray | None = None) -> np.ndarray:
    """(K, 2) int32 (atom in `group`, partner atom) of hydrogen bonds; heavy atoms at both ends.

    group, partners: (N,) bool; partners default to every atom outside `group`.
    """
    partners = ~group if partners is None else partners
    has_hydrogens = np.isin(structure.elements, ("H", "D")).any() and "atoms" in structure.extra
    if has_hydrogens:
        return _baker_hubbard(structure, group, partners)
    return _heavy_atom_hbonds(structure, group, partners)


def _baker_hubbard(structure: Structure, group: np.ndarray, partners: np.ndarray) -> np.ndarray:
    import biotite.structure as struc

    atoms = structure.extra["atoms"].copy()
    atoms.bonds = struc.BondList(structure.atom_count, structure.bonds)  # ours include distance-fallback H bonds
    try:
        triplets = struc.hbond(atoms, selection1=group, selection2=partners)
    except ValueError:  # biotite raises when no donor-hydrogen pair exists at all
        return np.zeros((0, 2), np.int32)
    if len(triplets) == 0:
        return np.zeros((0, 2), np.int32)
    donor, acceptor = triplets[:, 0], triplets[:, 2]
    in_group = group[donor]
    return np.stack([np.where(in_group, donor, acceptor), np.where(in_group, acceptor, donor)], axis=1).astype(np.int32)


def _heavy_atom_hbonds(structure: Structure, group: np.ndarray, partners: np.ndarray) -> np.ndarray:
    s = structure
    polar = np.isin(s.elements, POLAR)
    first = np.flatnonzero(group & polar)
    second = np.flatnonzero(partners & polar)
    if len(first) == 0 or len(second) == 0:
        return np.zeros((0, 2), np.int32)
    from scipy.spatial import cKDTree  # here: importing SciPy costs a second that anatomy renders do not need

    tree = cKDTree(s.positions_a[second].astype(np.float64))
    near = tree.query_ball_point(s.positions_a[first].astype(np.float64), r=MAX_DISTANCE_A)
    counts = np.array([len(n) for n in near])
    a = np.repeat(first, counts)
    b = second[np.concatenate([np.asarray(n, dtype=np.int64) for n in near])] if counts.sum() else np.zeros(0, int)
    if len(a) == 0:
        return np.zeros((0, 2), np.int32)
    distance = np.linalg.norm(s.positions_a[a] - s.positions_a[b], axis=1)
    keys = residue_keys(s)
    bonded = _bonded_pairs(s)
    pair_key = np.minimum(a, b).astype(np.int64) * s.atom_count + np.maximum(a, b)
    keep = (distance >= MIN_DISTANCE_A) & (keys[a] != keys[b]) & ~np.isin(pair_key, bonded)
    centroid, has_neighbours = _neighbour_centroids(s)
    keep &= _points_away(s.positions_a, centroid, has_neighbours, a, b)
    keep &= _points_away(s.positions_a, centroid, has_neighbours, b, a)
    return np.stack([a[keep], b[keep]], axis=1).astype(np.int32)


def _bonded_pairs(s: Structure) -> np.ndarray:
    return np.minimum(s.bonds[:, 0], s.bonds[:, 1]).astype(np.int64) * s.atom_count + np.maximum(*s.bonds.T)


def _neighbour_centroids(s: Structure) -> tuple[np.ndarray, np.ndarray]:
    """(N, 3) mean position of each atom's bonded neighbours and (N,) whether it has any."""
    ends = np.concatenate([s.bonds, s.bonds[:, ::-1]])
    counts = np.bincount(ends[:, 0], minlength=s.atom_count)
    sums = np.stack([np.bincount(ends[:, 0], weights=s.positions_a[ends[:, 1], k], minlength=s.atom_count)
                     for k in range(3)], axis=1)  # fmt: skip
    return sums / np.maximum(counts, 1)[:, None], counts > 0


def _points_away(positions, centroid, has_neighbours, atom, partner) -> np.ndarray:
    """Angle (neighbour centroid, atom, partner) > 90 deg, or the atom has no neighbours (water)."""
    to_partner = positions[partner] - positions[atom]
    to_neighbours = centroid[atom] - positions[atom]
    return ~has_neighbours[atom] | (np.einsum("ij,ij->i", to_partner, to_neighbours) < 0)
