"""Secondary structure per atom: the file's HELIX/SHEET records where present, else biotite's
P-SEA assignment (`annotate_sse`) from the CA trace.

Deposited records come from the depositors' DSSP-like analysis and keep short helices that P-SEA
misses (1hpv's 87-93 helix), so they win when a file has them.
"""

from __future__ import annotations

import numpy as np


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
    import biotite.structure as struc

    amino = struc.filter_amino_acids(atoms)
    result = np.full(atoms.array_length(), "", dtype="<U1")
    result[amino] = "c"
    if records:
        for kind, chain, first, last in records:
            inside = amino & (atoms.chain_id == chain) & (atoms.res_id >= first) & (atoms.res_id <= last)
            result[inside] = kind
        return result
    if not amino.any():
        return result
    try:
        per_residue = struc.annotate_sse(atoms)
    except Exception:  # P-SEA needs a CA trace; fragments without one stay coil
        return result
    spread = struc.spread_residue_wise(atoms, np.asarray(per_residue, dtype="<U1"))
    result[amino] = np.where(spread[amino] == "", "c", spread[amino])
    return result
