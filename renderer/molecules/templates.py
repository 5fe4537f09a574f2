"""Bonds from residue templates (the Chemical Component Dictionary), vectorised over a whole structure.

The same bonds as biotite's `connect_via_residue_names`, with their BondType orders, but without a
Python loop per residue: each atom gets a code for its (residue name, atom name); each template bond
is looked up, for every atom holding its first code, as (residue index, second code) in one sorted
array. A million atoms take about a second instead of minutes. Links between residues (peptide C-N,
nucleic O3'-P) join consecutive residues of a chain when the two atoms are within bonding distance.
"""

from __future__ import annotations

import numpy as np

from renderer.molecules.ccd_cache import residue_templates
from renderer.molecules.structure import packed_names

PEPTIDE_LINK = ("C", "N")
NUCLEIC_LINK = ("O3'", "P")
MAX_LINK_A = 2.0  # peptide C-N 1.33 Å, O3'-P 1.61 Å; a chain break is further


def template_bonds(res_names: np.ndarray, atom_names: np.ndarray, residue_index: np.ndarray,
                   positions_a: np.ndarray, chain_ids: np.ndarray,
                   amino: np.ndarray, nucleic: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """((M, 2) int32 i < j, (M,) uint8 BondType) intra-residue template bonds plus polymer links.

    res_names, atom_names, chain_ids: (N,) str; residue_index: (N,) int64, one number per residue,
    non-decreasing in file order; positions_a: (N, 3) ångström; amino, nucleic: (N,) bool per atom.
    """
    n = len(res_names)
    if n == 0:
        return np.zeros((0, 2), np.int32), np.zeros(0, np.uint8)
    unique_pairs, code = _name_codes(np.asarray(res_names, str), np.asarray(atom_names, str))
    lookup = {name: i for i, name in enumerate(unique_pairs)}
    first_code, second_code, orders = [], [], []
    for res_name, template in residue_templates(np.unique(res_names).tolist()).items():
        for a, b, order in template:
            ca, cb = lookup.get(f"{res_name}\t{a}"), lookup.get(f"{res_name}\t{b}")
            if ca is not None and cb is not None:
                first_code.append(ca), second_code.append(cb), orders.append(order)
    pairs, bond_orders = [np.zeros((0, 2), np.int64)], [np.zeros(0, np.uint8)]
    if first_code:
        pairs_found, orders_found = _intra_residue(code, residue_index, np.array(first_code), np.array(second_code),
                                                   np.array(orders, np.uint8), len(unique_pairs))  # fmt: skip
        pairs.append(pairs_found), bond_orders.append(orders_found)
    for link, polymer in ((PEPTIDE_LINK, amino), (NUCLEIC_LINK, nucleic)):
        links = _links(atom_names, residue_index, positions_a, chain_ids, polymer, link)
        pairs.append(links), bond_orders.append(np.ones(len(links), np.uint8))
    joined = np.sort(np.concatenate(pairs), axis=1)
    return joined.astype(np.int32), np.concatenate(bond_orders)


def _name_codes(res_names: np.ndarray, atom_names: np.ndarray) -> tuple[list[str], np.ndarray]:
    """(["RES\tATOM" per code], (N,) int64 code per atom). Names of up to 8 ASCII characters are
    compared as 64-bit integers (sorting a million strings takes seconds, integers a blink)."""
    res_int, atom_int = packed_names(res_names), packed_names(atom_names)
    if res_int is None or atom_int is None:
        pair_names = np.char.add(np.char.add(res_names, "\t"), atom_names)
        unique_pairs, code = np.unique(pair_names, return_inverse=True)
        return unique_pairs.tolist(), code.ravel()
    res_unique, res_code = np.unique(res_int, return_inverse=True)
    atom_unique, atom_code = np.unique(atom_int, return_inverse=True)
    width = len(atom_unique)
    pair_unique, code = np.unique(res_code.ravel() * width + atom_code.ravel(), return_inverse=True)
    res_text, atom_text = res_unique.view("S8").astype(str), atom_unique.view("S8").astype(str)
    return [f"{res_text[p // width]}\t{atom_text[p % width]}" for p in pair_unique.tolist()], code.ravel()


def _intra_residue(code, residue_index, first_code, second_code, orders, code_count):
    """Atom pairs (i, j) in one residue whose codes are a template bond's two names."""
    key = residue_index.astype(np.int64) * code_count + code
    sort = np.argsort(key, kind="stable")  # duplicate names in a residue: the first atom wins
    sorted_key = key[sort]
    # Template bonds per first code, in CSR form, so each atom expands to its code's bonds.
    by_code = np.argsort(first_code, kind="stable")
    starts = np.searchsorted(first_code[by_code], np.arange(code_count + 1))
    per_atom = starts[code + 1] - starts[code]
    atoms = np.repeat(np.arange(len(code)), per_atom)
    offsets = np.arange(len(atoms)) - np.repeat(np.cumsum(per_atom) - per_atom, per_atom)
    bond = by_code[starts[code[atoms]] + offsets]
    wanted = residue_index[atoms].astype(np.int64) * code_count + second_code[bond]
    found = np.searchsorted(sorted_key, wanted)
    found = np.minimum(found, len(sorted_key) - 1)
    hit = sorted_key[found] == wanted
    partner = sort[found[hit]]
    atoms, bond = atoms[hit], bond[hit]
    # Keep the first atom of a duplicated name only, on both ends.
    first_of_key = np.ones(len(sorted_key), bool)
    first_of_key[1:] = sorted_key[1:] != sorted_key[:-1]
    is_first = np.zeros(len(code), bool)
    is_first[sort[first_of_key]] = True
    keep = is_first[atoms] & (atoms != partner)
    pairs = np.stack([atoms[keep], partner[keep]], axis=1)
    return pairs, orders[bond[keep]]


def _links(atom_names, residue_index, positions_a, chain_ids, polymer, link) -> np.ndarray:
    """(K, 2) bonds from `link[0]` of a residue to `link[1]` of the next residue in the same chain."""
    tail = np.flatnonzero(polymer & (atom_names == link[0]))
    head = np.flatnonzero(polymer & (atom_names == link[1]))
    if len(tail) == 0 or len(head) == 0:
        return np.zeros((0, 2), np.int64)
    head_residue = residue_index[head]
    place = np.searchsorted(head_residue, residue_index[tail] + 1)
    place = np.minimum(place, len(head) - 1)
    partner = head[place]
    ok = (head_residue[place] == residue_index[tail] + 1) & (chain_ids[tail] == chain_ids[partner])
    tail, partner = tail[ok], partner[ok]
    close = np.linalg.norm(positions_a[tail] - positions_a[partner], axis=1) <= MAX_LINK_A
    return np.stack([tail[close], partner[close]], axis=1).astype(np.int64)
