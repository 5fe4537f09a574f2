"""Hydrogen bonds between a selection and the rest of a structure, with none, some or all hydrogens.

Each N and O is typed as donor and/or acceptor:
- where its residue carries hydrogens, from them: a donor has a bonded H; an N with an H is no
  acceptor (amide, indole, ammonium nitrogens);
- where it carries none (X-ray entries, waters and ligands of a partly protonated file such as 3al1),
  from chemistry: O is an acceptor, and a donor when it is a hydroxyl or water (one single bond or
  none; not a carbonyl, not a carboxylate or phosphate oxygen); N is a donor unless its bonds already
  fill its valence (three heavy neighbours, or two with a double bond) or it is proline's; N is an
  acceptor when it has two heavy neighbours and a double or aromatic bond (histidine, pyridine-like
  rings) or when bond orders are unknown (ligands read without them).
A pair needs a donor at one end and an acceptor at the other: two amide nitrogens never bond.

Geometry: heavy atoms 2.5-3.5 Å apart, in different residues, not covalently bonded. A donor with
explicit hydrogens needs one of them pointing at the acceptor (D-H...A >= 120 deg, H...A <= 2.9 Å,
Baker-Hubbard's angle); otherwise each atom's covalent neighbours must lie on its far side (angle
neighbour-centroid, atom, partner > 90 deg; > 70 deg where there is one neighbour).
Measured against PyMOL 2.5's `distance mode=2` in tests/test_molecule_hbonds.py.
"""

from __future__ import annotations

import numpy as np

from renderer.molecules.structure import Structure, names_in, residue_keys

POLAR = ("N", "O")
HYDROGENS = ("H", "D")
MIN_DISTANCE_A, MAX_DISTANCE_A = 2.5, 3.5
MAX_H_ACCEPTOR_A = 2.9
MIN_SINGLE_NEIGHBOUR_ANGLE_DEG = 70.0
MIN_DHA_ANGLE_DEG = 120.0
DOUBLE = (2, 6)  # BondType DOUBLE, AROMATIC_DOUBLE
AROMATIC = (5, 6, 9)


def hydrogen_bonds(structure: Structure, group: np.ndarray, partners: np.ndarray | None = None) -> np.ndarray:
    """(K, 2) int32 (atom in `group`, partner atom) of hydrogen bonds; heavy atoms at both ends.

    group, partners: (N,) bool; partners default to every atom outside `group`. A pair with both
    atoms in both sets is listed once.
    """
    s = structure
    group = np.asarray(group, bool)
    partners = ~group if partners is None else np.asarray(partners, bool)
    polar = names_in(s.elements, POLAR)
    candidates = np.flatnonzero(polar & (group | partners))
    if len(candidates) < 2:
        return np.zeros((0, 2), np.int32)
    from scipy.spatial import cKDTree  # here: importing SciPy costs a second that anatomy renders do not need

    # Pairs from the group's polar atoms only (a ligand's few dozen, not all pairs of a million-atom
    # assembly); each unordered pair once, as where group and partners overlap both ends query.
    mine = np.flatnonzero(polar & group)
    if len(mine) == 0:
        return np.zeros((0, 2), np.int32)
    tree = cKDTree(s.positions_a[candidates].astype(np.float64))
    near = cKDTree(s.positions_a[mine].astype(np.float64)).sparse_distance_matrix(
        tree, MAX_DISTANCE_A, output_type="ndarray")  # fmt: skip
    first, second = mine[near["i"]], candidates[near["j"]]
    pairs = np.unique(np.sort(np.stack([first, second], axis=1)[first != second], axis=1), axis=0)
    if len(pairs) == 0:
        return np.zeros((0, 2), np.int32)
    forward = group[pairs[:, 0]] & partners[pairs[:, 1]]
    backward = group[pairs[:, 1]] & partners[pairs[:, 0]]
    a = np.where(forward, pairs[:, 0], pairs[:, 1])
    b = np.where(forward, pairs[:, 1], pairs[:, 0])
    keep = forward | backward
    a, b = a[keep], b[keep]
    distance = np.linalg.norm(s.positions_a[a] - s.positions_a[b], axis=1)
    keys = residue_keys(s)
    keep = (distance >= MIN_DISTANCE_A) & (keys[a] != keys[b]) & ~_bonded(s, a, b)
    a, b = a[keep], b[keep]
    types = _typing(s)
    neighbours = _heavy_neighbours(s)
    a_gives = types.donor[a] & types.acceptor[b] & _donor_geometry(s, types, neighbours, a, b)
    b_gives = types.donor[b] & types.acceptor[a] & _donor_geometry(s, types, neighbours, b, a)
    keep = a_gives | b_gives
    return np.stack([a[keep], b[keep]], axis=1).astype(np.int32).reshape(-1, 2)


def hbond_count(structure: Structure, group: np.ndarray | None = None) -> int:
    """Number of hydrogen bonds between `group` (default: every atom, all pairs once) and the rest."""
    if group is None:
        everything = np.ones(structure.atom_count, bool)
        return len(hydrogen_bonds(structure, everything, everything))
    return len(hydrogen_bonds(structure, group))


class _Types:
    """Per-atom typing: donor, acceptor (N,) bool; hydrogens: (H, 2) int64 (heavy atom, its H)."""

    def __init__(self, donor, acceptor, hydrogens, explicit):
        self.donor, self.acceptor, self.hydrogens, self.explicit = donor, acceptor, hydrogens, explicit


def _typing(s: Structure) -> _Types:
    n = s.atom_count
    is_h = names_in(s.elements, HYDROGENS)
    keys = residue_keys(s)
    residue_has_h = np.zeros(keys.max() + 1 if n else 0, bool)
    residue_has_h[keys[is_h]] = True
    explicit = residue_has_h[keys]  # trust the file's hydrogens in residues that have any
    a, b = (s.bonds[:, 0], s.bonds[:, 1]) if s.bond_count else (np.zeros(0, int), np.zeros(0, int))
    orders = s.bond_orders if len(s.bond_orders) == s.bond_count else np.zeros(s.bond_count, np.uint8)
    ends = np.concatenate([a, b])
    others = np.concatenate([b, a])
    end_orders = np.concatenate([orders, orders])
    heavy_edge = ~is_h[others]
    h_count = np.bincount(ends[~heavy_edge], minlength=n)
    heavy_degree = np.bincount(ends[heavy_edge], minlength=n)
    double = np.bincount(ends[heavy_edge & np.isin(end_orders, DOUBLE)], minlength=n)
    aromatic = np.bincount(ends[heavy_edge & np.isin(end_orders, AROMATIC)], minlength=n)
    unknown = np.bincount(ends[heavy_edge & (end_orders == 0)], minlength=n)
    is_n, is_o = s.elements == "N", s.elements == "O"
    # Carboxylate and phosphate oxygens: single-bonded to a C/P that also has a double-bonded O.
    double_o_partner = np.zeros(n, bool)
    is_double_o = heavy_edge & np.isin(end_orders, DOUBLE) & is_o[ends]
    double_o_partner[others[is_double_o]] = True
    charged_o = np.zeros(n, bool)
    single_to = heavy_edge & is_o[ends] & ~np.isin(end_orders, DOUBLE) & double_o_partner[others]
    charged_o[ends[single_to]] = True
    hydroxyl = is_o & (heavy_degree <= 1) & (double == 0) & ~charged_o
    proline_n = is_n & (s.atom_names == "N") & (s.res_names == "PRO")
    # Histidine's ring nitrogens: either may carry the H (tautomers), so both give and take.
    histidine = is_n & (s.res_names == "HIS") & names_in(s.atom_names, ("ND1", "NE2"))
    valence_full = (heavy_degree >= 3) | ((heavy_degree == 2) & (double > 0))
    inferred_donor = hydroxyl | is_n & ~valence_full & ~proline_n | histidine
    ring_n = is_n & (heavy_degree == 2) & ((double + aromatic > 0) | (unknown > 0))
    inferred_acceptor = is_o | ring_n | histidine | (is_n & (heavy_degree <= 2) & (unknown > 0) & ~s.is_amino_acid)
    donor = np.where(explicit, h_count > 0, inferred_donor) & (is_n | is_o)
    acceptor = np.where(explicit, is_o | (is_n & (h_count == 0) & (heavy_degree <= 2)), inferred_acceptor)
    h_pairs = np.stack([ends[~heavy_edge], others[~heavy_edge]], axis=1) if len(ends) else np.zeros((0, 2), int)
    return _Types(donor, acceptor & (is_n | is_o), h_pairs, explicit)


def _bonded(s: Structure, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if s.bond_count == 0:
        return np.zeros(len(a), bool)
    bonded = np.sort(np.minimum(s.bonds[:, 0], s.bonds[:, 1]).astype(np.int64) * s.atom_count + np.maximum(*s.bonds.T))
    wanted = np.minimum(a, b).astype(np.int64) * s.atom_count + np.maximum(a, b)
    # A sorted search, not np.isin: isin hashes all the million bonds of an assembly for a few pairs.
    found = np.minimum(np.searchsorted(bonded, wanted), len(bonded) - 1)
    return bonded[found] == wanted


def _donor_geometry(s: Structure, types: _Types, neighbours, donor: np.ndarray, acceptor: np.ndarray) -> np.ndarray:
    """(K,) bool: the donor's hydrogen points at the acceptor, or (no explicit H) neither atom's
    covalent neighbours lie between them. neighbours: `_heavy_neighbours(s)`."""
    positions = s.positions_a.astype(np.float64)
    result = _points_away(s, neighbours, donor, acceptor) & _points_away(s, neighbours, acceptor, donor)
    with_h = types.explicit[donor]
    if len(types.hydrogens) and with_h.any():
        heavy, hydrogen = types.hydrogens[:, 0], types.hydrogens[:, 1]
        order = np.argsort(heavy, kind="stable")
        heavy, hydrogen = heavy[order], hydrogen[order]
        which = np.flatnonzero(with_h)
        lo = np.searchsorted(heavy, donor[which], "left")
        hi = np.searchsorted(heavy, donor[which], "right")
        counts = hi - lo
        pair = np.repeat(np.arange(len(which)), counts)
        h = hydrogen[np.repeat(lo, counts) + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)]
        d, acc = positions[donor[which][pair]], positions[acceptor[which][pair]]
        to_d, to_a = d - positions[h], acc - positions[h]
        ha = np.linalg.norm(to_a, axis=1)
        cos = np.einsum("ij,ij->i", to_d, to_a) / np.maximum(np.linalg.norm(to_d, axis=1) * ha, 1e-9)
        good = (ha <= MAX_H_ACCEPTOR_A) & (cos <= np.cos(np.radians(MIN_DHA_ANGLE_DEG)))
        hit = np.zeros(len(which), bool)
        np.logical_or.at(hit, pair[good], True)
        result[which] = hit
    return result


def _heavy_neighbours(s: Structure) -> tuple[np.ndarray, np.ndarray] | None:
    """((N,) count of heavy-atom bond partners, (N, 3) their centroid, ångström) per atom, or None
    without bonds. Computed once per `hydrogen_bonds` call (four geometry checks use it)."""
    if s.bond_count == 0:
        return None
    heavy = ~names_in(s.elements, HYDROGENS)
    bonds = s.bonds[heavy[s.bonds[:, 0]] & heavy[s.bonds[:, 1]]]
    ends = np.concatenate([bonds, bonds[:, ::-1]])
    counts = np.bincount(ends[:, 0], minlength=s.atom_count)
    sums = np.stack([np.bincount(ends[:, 0], weights=s.positions_a[ends[:, 1], k], minlength=s.atom_count)
                     for k in range(3)], axis=1)  # fmt: skip
    return counts, sums / np.maximum(counts, 1)[:, None]


def _points_away(s: Structure, neighbours, atom: np.ndarray, partner: np.ndarray) -> np.ndarray:
    """Angle (heavy-neighbour centroid, atom, partner) > 90 deg (> 70 deg for an atom with one heavy
    neighbour), or the atom has no heavy neighbours. neighbours: `_heavy_neighbours(s)`."""
    if neighbours is None:
        return np.ones(len(atom), bool)
    counts, centroid = neighbours
    to_partner = (s.positions_a[partner] - s.positions_a[atom]).astype(np.float64)
    to_neighbours = centroid[atom] - s.positions_a[atom]
    cos = np.einsum("ij,ij->i", to_partner, to_neighbours) / np.maximum(
        np.linalg.norm(to_partner, axis=1) * np.linalg.norm(to_neighbours, axis=1), 1e-9)
    # One neighbour (hydroxyl, carbonyl, carboxylate O): X-O...A angles of 70-90 deg occur in
    # real H-bonds (1hpv's Asp25-inhibitor, 83 deg); with two or more the centroid is opposite the H.
    limit = np.where(counts[atom] == 1, np.cos(np.radians(MIN_SINGLE_NEIGHBOUR_ANGLE_DEG)), 0.0)
    return (counts[atom] == 0) | (cos < limit)
