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


def unique_bonds(*lists: np.ndarray) -> np.ndarray:
    """Union of (M, 2) bond lists, each bond once with i < j, sorted."""
    joined = np.concatenate([np.sort(b.reshape(-1, 2), axis=1) for b in lists if len(b)] or [np.zeros((0, 2))])
    if len(joined) == 0:
        return np.zeros((0, 2), dtype=np.int32)
    joined = joined[joined[:, 0] != joined[:, 1]]
    return np.unique(joined.astype(np.int32), axis=0)
