"""Secondary structure per atom: the file's HELIX/SHEET records where present, else the DSSP
assignment from the backbone's hydrogen bonds (renderer.molecules.dssp).

Deposited records come from the depositors' DSSP-like analysis and keep short helices that P-SEA
misses (1hpv's 87-93 helix), so they win when a file has them. PDBx/mmCIF files give the same records
from struct_conf and struct_sheet_range (renderer.molecules.cif_fast).
"""

from __future__ import annotations

import numpy as np

from renderer.molecules.chains import amino_acid_residues
from renderer.molecules.dssp import dssp_codes, three_state


def pdb_secondary_records(lines: list[str]) -> list[tuple[str, str, int, int]]:
    """[(kind "a"|"b", chain, first residue, last residue)] from PDB HELIX and SHEET records."""
    records = []
    for line in lines:
        try:
            if line.startswith("HELIX "):
                records.append(("a", line[19], int(line[21:25]), int(line[33:37])))
            elif line.startswith("SHEET "):
                records.append(("b", line[21], int(line[22:26]), int(line[33:37])))
        except (ValueError, IndexError):
            continue  # a damaged record only loses its colouring; coordinates were checked already
    return records


def secondary_per_atom(atoms, records: list[tuple[str, str, int, int]] | None) -> np.ndarray:
    """(N,) "<U1": "a" helix, "b" strand, "c" coil on amino-acid residues, "" on everything else."""
    amino = amino_acid_residues(atoms.res_name)
    result = np.full(atoms.array_length(), "", dtype="<U1")
    result[amino] = "c"
    if records:
        result[amino] = _covered(atoms, records)[amino]
        return result
    if not amino.any():
        return result
    per_atom = dssp_per_atom(atoms, amino)
    result[amino] = per_atom[amino]
    return result


def dssp_per_atom(atoms, amino: np.ndarray) -> np.ndarray:
    """(N,) "<U1" 3-state DSSP assignment ("a", "b", "c") spread over each amino-acid residue's
    atoms; residues without a complete N, CA, C, O backbone are coil."""
    n = atoms.array_length()
    names = np.asarray(atoms.atom_name, dtype=str)
    changes = np.zeros(n, bool)
    changes[0] = True
    for name in ("chain_id", "res_id", "ins_code", "res_name"):
        values = getattr(atoms, name)
        changes[1:] |= values[1:] != values[:-1]
    residue = np.cumsum(changes) - 1
    count = residue[-1] + 1
    backbone = {}
    for name in ("N", "CA", "C", "O"):
        where = np.flatnonzero(amino & (names == name))
        first = np.full(count, -1, np.int64)
        first[residue[where][::-1]] = where[::-1]  # the first such atom of each residue wins
        backbone[name] = first
    complete = np.all([backbone[k] >= 0 for k in backbone], axis=0)
    rows = np.flatnonzero(complete)
    result = np.full(n, "c", dtype="<U1")
    if len(rows) < 3:
        return result
    chain = np.unique(np.asarray(atoms.chain_id, dtype=str), return_inverse=True)[1]
    ca_atoms = backbone["CA"][rows]
    codes = dssp_codes(*(atoms.coord[backbone[k][rows]].astype(np.float64) for k in ("N", "CA", "C", "O")),
                       chain=chain[ca_atoms], proline=np.asarray(atoms.res_name)[ca_atoms] == "PRO")  # fmt: skip
    per_residue = np.full(count, "c", dtype="<U1")
    per_residue[rows] = three_state(codes)
    return per_residue[residue]


def _covered(atoms, records: list[tuple[str, str, int, int]]) -> np.ndarray:
    """(N,) "<U1" kind of the record covering each atom's residue ("c" where none does); where a
    helix and a strand range overlap the helix wins. Interval marks on atoms sorted by (chain,
    number), so a 1M-atom assembly with 20,000 records takes well under a second."""
    chains, chain_code = np.unique(np.asarray(atoms.chain_id, dtype=str), return_inverse=True)
    key = chain_code.astype(np.int64) * 2**32 + (atoms.res_id.astype(np.int64) + 2**31)
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    kinds = np.array([r[0] for r in records])
    record_chains = np.array([r[1] for r in records], dtype=str)
    record_chain = np.minimum(np.searchsorted(chains, record_chains), len(chains) - 1)
    known = chains[record_chain] == record_chains
    first = record_chain.astype(np.int64) * 2**32 + (np.array([r[2] for r in records], np.int64) + 2**31)
    last = record_chain.astype(np.int64) * 2**32 + (np.array([r[3] for r in records], np.int64) + 2**31)
    lo, hi = np.searchsorted(sorted_key, first, "left"), np.searchsorted(sorted_key, last, "right")
    result = np.full(len(key), "c", dtype="<U1")
    for kind in ("b", "a"):  # helices over strands where a file's ranges overlap
        mine = known & (kinds == kind) & (hi > lo)
        marks = np.zeros(len(key) + 1, np.int64)
        np.add.at(marks, lo[mine], 1)
        np.add.at(marks, hi[mine], -1)
        result[order[np.cumsum(marks[:-1]) > 0]] = kind
    return result
