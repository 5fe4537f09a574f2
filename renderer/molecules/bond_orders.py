"""Bond orders as a chemist draws them: a double bond as two parallel sticks, a triple as three, an
aromatic bond as one stick with a dashed line on the ring's inner side.

`Structure.bond_orders` holds biotite's BondType values (0 any, 1 single, 2 double, 3 triple,
5/6/7 aromatic single/double/triple, 8 coordination, 9 aromatic); 4 (quadruple, unseen in
biomolecules) is read as aromatic too, as older MOL2 reading stored `ar`. The sticks of a multiple bond lie
in the plane of a neighbouring atom, so a C=O in a carboxylate or a ring's double bond sits flat in
the molecule's plane, as in a drawing.
"""

from __future__ import annotations

import numpy as np

SINGLE, DOUBLE, TRIPLE, AROMATIC = 1, 2, 3, 4
_KIND_OF_ORDER = np.array([SINGLE, SINGLE, DOUBLE, TRIPLE, AROMATIC, AROMATIC, AROMATIC, AROMATIC, SINGLE, AROMATIC])
SUB_RADIUS = 0.55  # a multiple bond's sticks, as a fraction of the single stick's radius
SPACING = 1.0  # their offset from the bond axis, in single-stick radii
AROMATIC_INNER_OFFSET = 1.9  # the dashed line's offset toward the ring centre, in stick radii
AROMATIC_DASHES = ((0.2, 0.32), (0.44, 0.56), (0.68, 0.8))  # along the bond, fractions of its length


def bond_kinds(orders: np.ndarray) -> np.ndarray:
    """(M,) SINGLE, DOUBLE, TRIPLE or AROMATIC for BondType values (M,); unknown values are single."""
    orders = np.asarray(orders, np.int64)
    known = (orders >= 0) & (orders < len(_KIND_OF_ORDER))
    return np.where(known, _KIND_OF_ORDER[np.where(known, orders, 0)], SINGLE)


def _side_directions(positions: np.ndarray, bonds: np.ndarray, prefer: np.ndarray) -> np.ndarray:
    """(M, 3) unit vectors perpendicular to each bond, toward a neighbour of either atom (one bonded
    through a `prefer` (M,) bond when there is one: for aromatic bonds, a ring neighbour, so the
    vector points into the ring). Any perpendicular where neither atom has another neighbour."""
    n = len(positions)
    a, b = bonds[:, 0], bonds[:, 1]
    axis = positions[b] - positions[a]
    axis /= np.maximum(np.linalg.norm(axis, axis=1, keepdims=True), 1e-9)
    # Up to three neighbours per atom, preferred bonds first: (N, 3) with -1 for none.
    ends = np.concatenate([a, b])
    others = np.concatenate([b, a])
    rank = np.concatenate([~prefer, ~prefer]).astype(np.int8)
    order = np.lexsort((rank, ends))
    ends, others = ends[order], others[order]
    first = np.searchsorted(ends, np.arange(n))
    neighbours = np.full((n, 3), -1)
    for slot in range(3):
        index = first + slot
        ok = index < len(ends)
        ok[ok] &= ends[index[ok]] == np.arange(n)[ok]
        neighbours[ok, slot] = others[index[ok]]
    side = np.zeros((len(bonds), 3))
    found = np.zeros(len(bonds), bool)
    for atom, partner, origin in ((a, b, a), (b, a, b)):
        for slot in range(3):
            c = neighbours[atom, slot]
            use = ~found & (c >= 0) & (c != partner)
            v = positions[np.maximum(c, 0)] - positions[origin]
            v -= axis * np.einsum("ij,ij->i", v, axis)[:, None]
            length = np.linalg.norm(v, axis=1)
            use &= length > 1e-6
            side[use] = v[use] / length[use, None]
            found |= use
    helper = np.where(np.abs(axis[:, 1:2]) < 0.9, [[0.0, 1.0, 0.0]], [[1.0, 0.0, 0.0]])
    any_perpendicular = np.cross(axis, helper)
    any_perpendicular /= np.linalg.norm(any_perpendicular, axis=1, keepdims=True)
    side[~found] = any_perpendicular[~found]
    return side


def valence_sticks(positions: np.ndarray, bonds: np.ndarray, orders: np.ndarray, radius_a: float):
    """The sticks of bonds (M, 2) with `orders` (M,) drawn with their valence.

    Returns starts, ends (K, 3) float32, radii (K,) float32 and owner (K,) int: which bond each
    stick draws (the caller takes colours from its atoms). Single bonds keep one stick of `radius_a`.
    """
    positions = np.asarray(positions, np.float64)
    kinds = bond_kinds(orders) if len(orders) == len(bonds) else np.full(len(bonds), SINGLE)
    start, end = positions[bonds[:, 0]], positions[bonds[:, 1]]
    side = _side_directions(positions, bonds, kinds == AROMATIC) if (kinds != SINGLE).any() \
        else np.zeros((len(bonds), 3))  # fmt: skip
    parts = []  # (bond indices, offset along side (in radii), radius, start fraction, end fraction)
    single = np.flatnonzero((kinds == SINGLE) | (kinds == AROMATIC))
    parts.append((single, 0.0, radius_a, 0.0, 1.0))
    for kind, offsets in ((DOUBLE, (-SPACING, SPACING)), (TRIPLE, (-2 * SPACING, 0.0, 2 * SPACING))):
        chosen = np.flatnonzero(kinds == kind)
        parts += [(chosen, offset, radius_a * SUB_RADIUS, 0.0, 1.0) for offset in offsets]
    aromatic = np.flatnonzero(kinds == AROMATIC)
    parts += [(aromatic, AROMATIC_INNER_OFFSET, radius_a * SUB_RADIUS * 0.7, f0, f1) for f0, f1 in AROMATIC_DASHES]
    owner = np.concatenate([p[0] for p in parts])
    shift = np.concatenate([np.full(len(p[0]), p[1] * radius_a) for p in parts])[:, None] * side[owner]
    f0 = np.concatenate([np.full(len(p[0]), p[3]) for p in parts])[:, None]
    f1 = np.concatenate([np.full(len(p[0]), p[4]) for p in parts])[:, None]
    radii = np.concatenate([np.full(len(p[0]), p[2]) for p in parts])
    s, e = start[owner], end[owner]
    starts = s + (e - s) * f0 + shift
    ends = s + (e - s) * f1 + shift
    return starts.astype(np.float32), ends.astype(np.float32), radii.astype(np.float32), owner
