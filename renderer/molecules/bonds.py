"""Bonds: residue templates from the Chemical Component Dictionary, with a distance fallback.

Templates (biotite's copy of the CCD) know every standard residue and most ligands by name; atoms
that no template bonds (unknown residue names, renamed atoms) are bonded by distance instead:
two atoms bond when they are closer than the sum of their covalent radii plus a tolerance.
"""

from __future__ import annotations

import numpy as np

# Covalent radii, ångström (Cordero et al. 2008, single-bond values; rounded).
COVALENT_RADII_A = {
    "H": 0.31, "C": 0.76, "N": 0.71, "O": 0.66, "F": 0.57, "P": 1.07, "S": 1.05, "CL": 1.02, "BR": 1.20,
    "I": 1.39, "SE": 1.20, "B": 0.84, "SI": 1.11, "FE": 1.32, "ZN": 1.22, "MG": 1.41, "CA": 1.76,
    "NA": 1.66, "K": 2.03, "MN": 1.39, "CU": 1.32, "CO": 1.26, "NI": 1.24,
}  # fmt: skip
DEFAULT_COVALENT_RADIUS_A = 0.8
TOLERANCE_A = 0.45
METALS = ("FE", "ZN", "MG", "CA", "NA", "K", "MN", "CU", "CO", "NI")


def covalent_radii(elements: np.ndarray) -> np.ndarray:
    """(N,) float32 covalent radius per element symbol (upper case), ångström."""
    table = np.vectorize(lambda e: COVALENT_RADII_A.get(e, DEFAULT_COVALENT_RADIUS_A), otypes=[np.float32])
    unique, inverse = np.unique(elements, return_inverse=True)
    return table(unique)[inverse] if len(unique) else np.zeros(0, np.float32)


def bonds_by_distance(positions_a: np.ndarray, elements: np.ndarray, among: np.ndarray | None = None,
                      touching: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """(M, 2) int32 pairs i < j of atoms within covalent bonding distance.

    among: (N,) bool, atoms that may bond (default all); touching: (N,) bool, keep only pairs with at
    least one such atom (default all). Ions (metals) never bond by distance: their contacts are
    coordination, not covalent bonds. A hydrogen keeps only its nearest partner.
    """
    n = len(positions_a)
    among = np.ones(n, bool) if among is None else np.asarray(among, bool)
    touching = np.ones(n, bool) if touching is None else np.asarray(touching, bool)
    index = np.flatnonzero(among & ~np.isin(elements, METALS))
    if len(index) < 2:
        return np.zeros((0, 2), dtype=np.int32)
    radii = covalent_radii(elements[index])
    from scipy.spatial import cKDTree  # a k-d tree keeps this O(N log N); imported here, as SciPy is slow to import

    tree = cKDTree(positions_a[index].astype(np.float64))
    pairs = tree.query_pairs(r=2 * float(radii.max()) + TOLERANCE_A, output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((0, 2), dtype=np.int32)
    a, b = index[pairs[:, 0]], index[pairs[:, 1]]
    distance = np.linalg.norm(positions_a[a] - positions_a[b], axis=1)
    limit = radii[pairs[:, 0]] + radii[pairs[:, 1]] + TOLERANCE_A
    is_h_a, is_h_b = elements[a] == "H", elements[b] == "H"
    # Closer than 0.4 Å: overlapping alternate locations, not a bond.
    keep = (distance <= limit) & (distance > 0.4) & ~(is_h_a & is_h_b) & (touching[a] | touching[b])
    a, b, distance, is_h_a, is_h_b = a[keep], b[keep], distance[keep], is_h_a[keep], is_h_b[keep]
    # Hydrogens: only the shortest pair each (a hydrogen has one covalent partner).
    hydrogen = np.where(is_h_a, a, np.where(is_h_b, b, -1))
    order = np.argsort(distance, kind="stable")
    first = np.zeros(len(a), bool)
    h_order = order[hydrogen[order] >= 0]
    _, first_index = np.unique(hydrogen[h_order], return_index=True)
    first[h_order[first_index]] = True
    keep = (hydrogen < 0) | first
    return np.sort(np.stack([a[keep], b[keep]], axis=1), axis=1).astype(np.int32)


def merge_bonds(*lists: tuple[np.ndarray, np.ndarray | None]) -> tuple[np.ndarray, np.ndarray]:
    """Union of (pairs (M, 2), orders (M,) or None) bond lists: ((K, 2) int32 i < j sorted, (K,) uint8).

    Orders are biotite BondType values (0 = unknown). A bond listed more than once keeps the first
    known order, earlier lists first (the file's own bond block before templates and distances).
    """
    pairs, orders, rank = [], [], []
    for priority, (p, o) in enumerate(lists):
        p = np.asarray(p).reshape(-1, 2)
        if len(p) == 0:
            continue
        pairs.append(np.sort(p, axis=1).astype(np.int64))
        orders.append(np.zeros(len(p), np.uint8) if o is None else np.asarray(o).astype(np.uint8))
        rank.append(np.full(len(p), priority))
    if not pairs:
        return np.zeros((0, 2), np.int32), np.zeros(0, np.uint8)
    pairs, orders, rank = np.concatenate(pairs), np.concatenate(orders), np.concatenate(rank)
    keep = pairs[:, 0] != pairs[:, 1]
    pairs, orders, rank = pairs[keep], orders[keep], rank[keep]
    key = pairs[:, 0] * (int(pairs.max(initial=0)) + 1) + pairs[:, 1]
    order = np.lexsort((rank, orders == 0, key))  # per bond: known orders first, then earlier lists
    key, pairs, orders = key[order], pairs[order], orders[order]
    first = np.ones(len(key), bool)
    first[1:] = key[1:] != key[:-1]
    return pairs[first].astype(np.int32), orders[first]


def unique_bonds(*lists: np.ndarray) -> np.ndarray:
    """Union of (M, 2) bond lists, each bond once with i < j, sorted."""
    joined = np.concatenate([np.sort(b.reshape(-1, 2), axis=1) for b in lists if len(b)] or [np.zeros((0, 2))])
    if len(joined) == 0:
        return np.zeros((0, 2), dtype=np.int32)
    joined = joined[joined[:, 0] != joined[:, 1]]
    return np.unique(joined.astype(np.int32), axis=0)


DISULFIDE_RANGE_A = (1.8, 2.3)  # S-S bonds are 2.02-2.07 Å; cysteine SG contacts without a bond are >= 3.4 Å


def disulfide_bonds(positions_a: np.ndarray, elements: np.ndarray) -> np.ndarray:
    """(K, 2) int32 pairs i < j of sulfur atoms 1.8-2.3 Å apart: disulfide bridges, whether or not
    the file records them (SSBOND/struct_conn are often missing, as in PyMOL's il2)."""
    sulfur = np.flatnonzero(elements == "S")
    if len(sulfur) < 2:
        return np.zeros((0, 2), np.int32)
    from scipy.spatial import cKDTree  # imported here, as SciPy is slow to import

    tree = cKDTree(positions_a[sulfur].astype(np.float64))
    pairs = tree.query_pairs(r=DISULFIDE_RANGE_A[1], output_type="ndarray")
    if len(pairs) == 0:
        return np.zeros((0, 2), np.int32)
    a, b = sulfur[pairs[:, 0]], sulfur[pairs[:, 1]]
    distance = np.linalg.norm(positions_a[a] - positions_a[b], axis=1)
    keep = distance >= DISULFIDE_RANGE_A[0]
    return np.sort(np.stack([a[keep], b[keep]], axis=1), axis=1).astype(np.int32)
