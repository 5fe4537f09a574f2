"""Secondary structure by the DSSP method (Kabsch & Sander 1983, as DSSP 4 applies it), in NumPy.

Backbone hydrogen bonds by the electrostatic energy E = 0.084 * 332 * (1/rON + 1/rCH - 1/rOH - 1/rCN)
kcal/mol (bond if E < -0.5; the amide H placed 1 Å from N opposite the previous C=O; each NH and each
C=O keeps its two strongest partners). Then n-turns, helices (alpha H with priority, 3-10 G, pi I with
DSSP 4's preference for pi over alpha), bridges, ladders with bulges: strand E, isolated bridge B.

Energies are computed only for residue pairs whose CA atoms lie within 9 Å (DSSP's own cut-off), found
with a k-d tree, so a million-atom assembly takes seconds. Checked against mkdssp 4.2 in
tests/test_molecule_secondary.py.
"""

from __future__ import annotations

import numpy as np

MAX_HBOND_ENERGY = -0.5  # kcal/mol
MIN_ENERGY = -9.9
CA_CUTOFF_A = 9.0
COUPLING = 0.084 * 332.0
MAX_PEPTIDE_A = 2.5  # C(i)-N(i+1) longer than this is a chain break


def dssp_codes(n: np.ndarray, ca: np.ndarray, c: np.ndarray, o: np.ndarray, chain: np.ndarray,
               proline: np.ndarray) -> np.ndarray:  # fmt: skip
    """(R,) "<U1" DSSP codes ("H", "G", "I", "E", "B" or " "; turns and bends, which are coil in the
    3-state view, are not assigned) for R residues in chain order.

    n, ca, c, o: (R, 3) backbone atom positions, ångström; chain: (R,) int chain number (a change
    is a break); proline: (R,) bool (no amide hydrogen).
    """
    count = len(ca)
    codes = np.full(count, " ", dtype="<U1")
    if count < 3:
        return codes
    gap = np.linalg.norm(n[1:] - c[:-1], axis=1) > MAX_PEPTIDE_A
    brk = np.concatenate([[True], gap | (chain[1:] != chain[:-1])])  # brk[i]: break between i-1 and i
    segment = np.cumsum(brk)
    accept = _best_hbonds(n, ca, c, o, brk, proline)

    def bond(donor, acceptor):
        """NH of `donor` to C=O of `acceptor` among its two strongest (arrays of residue indices)."""
        ok = (donor >= 0) & (donor < count) & (acceptor >= 0) & (acceptor < count)
        d, a = np.where(ok, donor, 0), np.where(ok, acceptor, 0)
        return ok & ((accept[d, 0] == a) | (accept[d, 1] == a))

    def same_segment(first, last):
        ok = (first >= 0) & (last < count) & (first <= last)
        return ok & (segment[np.clip(first, 0, count - 1)] == segment[np.clip(last, 0, count - 1)])

    index = np.arange(count)
    strand = _strands(index, ca, segment, bond, same_segment)
    codes[strand == 2] = "E"
    codes[strand == 1] = "B"
    turn = {k: same_segment(index, index + k) & bond(index + k, index) for k in (3, 4, 5)}
    # Alpha helices: two consecutive 4-turns make residues i..i+3 helical (over strands too).
    starts = np.flatnonzero(turn[4][1:] & turn[4][:-1]) + 1
    _fill(codes, starts, 4, "H", allowed=None)
    _fill(codes, np.flatnonzero(turn[3][1:] & turn[3][:-1]) + 1, 3, "G", allowed=(" ", "G"))
    _fill(codes, np.flatnonzero(turn[5][1:] & turn[5][:-1]) + 1, 5, "I", allowed=(" ", "I", "H"))
    return codes


def three_state(codes: np.ndarray) -> np.ndarray:
    """(R,) "<U1": "a" helix (H, G, I), "b" strand (E), "c" coil (isolated bridges, turns, loops)."""
    return np.where(np.isin(codes, ("H", "G", "I")), "a", np.where(codes == "E", "b", "c"))


def _fill(codes: np.ndarray, starts: np.ndarray, length: int, code: str, allowed) -> None:
    """Set residues start..start+length-1 to `code`, in order, where all of them hold an allowed code."""
    count = len(codes)
    for start in starts.tolist():
        if start + length > count:
            continue
        window = codes[start : start + length]
        if allowed is None or np.isin(window, allowed).all():
            codes[start : start + length] = code


def _best_hbonds(n, ca, c, o, brk, proline) -> np.ndarray:
    """(R, 2) int64: per residue, the acceptor residues of its NH's two strongest H-bonds (-1: none)."""
    from scipy.spatial import cKDTree  # imported here, as SciPy is slow to import

    count = len(ca)
    co = c[:-1] - o[:-1]
    h = n.astype(np.float64).copy()
    h[1:] += co / np.linalg.norm(co, axis=1, keepdims=True)
    has_h = ~brk & ~proline  # no H on a chain's first residue (nothing to place it from) nor on proline
    pairs = cKDTree(ca.astype(np.float64)).query_pairs(CA_CUTOFF_A, output_type="ndarray")
    accept = np.full((count, 2), -1, np.int64)
    if len(pairs) == 0:
        return accept
    donor = np.concatenate([pairs[:, 0], pairs[:, 1]])
    acceptor = np.concatenate([pairs[:, 1], pairs[:, 0]])
    keep = has_h[donor] & (acceptor != donor - 1)  # DSSP evaluates NH(i) -> O(i+1) but not NH(i+1) -> O(i)
    donor, acceptor = donor[keep], acceptor[keep]

    def dist(p, q):
        return np.linalg.norm(p - q, axis=1)

    energy = COUPLING * (1 / dist(o[acceptor], n[donor]) + 1 / dist(c[acceptor], h[donor])
                         - 1 / dist(o[acceptor], h[donor]) - 1 / dist(c[acceptor], n[donor]))  # fmt: skip
    energy = np.maximum(np.round(energy * 1000) / 1000, MIN_ENERGY)  # DSSP rounds to 0.001 kcal/mol
    good = energy < MAX_HBOND_ENERGY
    donor, acceptor, energy = donor[good], acceptor[good], energy[good]
    order = np.lexsort((acceptor, energy, donor))
    donor, acceptor = donor[order], acceptor[order]
    rank = np.arange(len(donor)) - np.searchsorted(donor, donor)
    for slot in (0, 1):
        mine = rank == slot
        accept[donor[mine], slot] = acceptor[mine]
    return accept


def _strands(index, ca, segment, bond, same_segment) -> np.ndarray:
    """(R,) int8: 2 strand (ladder of two or more bridges, bulges joined), 1 isolated bridge, 0 none."""
    from scipy.spatial import cKDTree

    count = len(index)
    pairs = cKDTree(ca.astype(np.float64)).query_pairs(CA_CUTOFF_A, output_type="ndarray")
    result = np.zeros(count, np.int8)
    if len(pairs) == 0:
        return result
    i, j = np.sort(pairs, axis=1).T
    keep = (j - i >= 3) & (i >= 1) & (j + 1 < count)
    i, j = i[keep], j[keep]
    ok = same_segment(i - 1, i + 1) & same_segment(j - 1, j + 1)
    parallel = ok & ((bond(i + 1, j) & bond(j, i - 1)) | (bond(j + 1, i) & bond(i, j - 1)))
    antiparallel = ok & ~parallel & ((bond(i + 1, j - 1) & bond(j + 1, i - 1)) | (bond(j, i) & bond(i, j)))
    found = [(int(a), int(b), "p") for a, b in zip(i[parallel], j[parallel], strict=True)]
    found += [(int(a), int(b), "a") for a, b in zip(i[antiparallel], j[antiparallel], strict=True)]
    found.sort(key=lambda t: (t[0], t[1]))
    ladders = _ladders(found)
    ladders = _join_bulges(ladders, segment)
    for _kind, first, second in ladders:
        code = 1 if len(first) == 1 else 2
        for side in (first, second):
            lo, hi = min(side), max(side)
            result[lo : hi + 1] = np.maximum(result[lo : hi + 1], code)
    return result


def _ladders(found: list[tuple[int, int, str]]) -> list[tuple[str, list[int], list[int]]]:
    """Bridges in DSSP's order (i, then j) grouped into ladders: consecutive i with j + 1 (parallel)
    or j - 1 (antiparallel). Returns [(type, i residues, j residues)]."""
    ladders: list[tuple[str, list[int], list[int]]] = []
    open_ends: dict[tuple[str, int, int], int] = {}  # (type, next i, next j) -> ladder index
    for i, j, kind in found:
        at = open_ends.pop((kind, i, j), None)
        if at is None:
            ladders.append((kind, [i], [j]))
            at = len(ladders) - 1
        else:
            ladders[at][1].append(i)
            if kind == "p":
                ladders[at][2].append(j)
            else:
                ladders[at][2].insert(0, j)
        open_ends[(kind, i + 1, j + 1 if kind == "p" else j - 1)] = at
    return ladders


def _join_bulges(ladders, segment) -> list:
    """Merge ladders of one type separated by a bulge (gaps < 6 and < 3 residues on the two strands,
    or both < 3), as DSSP does; the residues between then count as strand."""
    ladders = sorted(ladders, key=lambda t: (min(t[1]), min(t[2])))
    merged = [list(x) for x in ladders]
    a = 0
    while a < len(merged):
        b = a + 1
        while b < len(merged):
            kind, ia, ja = merged[a]
            kind_b, ib, jb = merged[b]
            ibi, iei, jbi, jei = ia[0], ia[-1], ja[0], ja[-1]
            ibj, iej, jbj, jej = ib[0], ib[-1], jb[0], jb[-1]
            if ibj - iei >= 6:
                break  # sorted by the first residue: no later ladder can join
            # DSSP subtracts unsigned indices: a negative gap wraps round and never joins.
            if ibj - iei < 0 or (kind != kind_b or segment[min(ibi, ibj)] != segment[max(iei, iej)]
                    or segment[min(jbi, jbj)] != segment[max(jei, jej)] or (iei >= ibj and ibi <= iej)):  # fmt: skip
                b += 1
                continue
            gap_j = jbj - jei if kind == "p" else jbi - jej
            bulge = 0 <= gap_j and ((gap_j < 6 and ibj - iei < 3) or gap_j < 3)
            if bulge:
                ia.extend(ib)
                if kind == "p":
                    ja.extend(jb)
                else:
                    ja[:0] = jb
                del merged[b]
            else:
                b += 1
        a += 1
    return merged
