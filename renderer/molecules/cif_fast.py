"""PDBx/mmCIF read in array operations: `_atom_site` (renderer.molecules.cif_tokens) to a biotite
AtomArray with the same annotations biotite's `pdbx.get_structure` gives (author fields, hetero
flags, b-factors, the most occupied alternate location), plus the file's secondary structure
(`struct_conf` helices, `struct_sheet_range` strands) as PDB-like records.

Returns None where the file needs the careful path (see cif_tokens); errors name file and line.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from renderer.errors import MoleculeError
from renderer.molecules.cif_links import AmbiguousLink, struct_conn_bonds
from renderer.molecules.cif_tokens import AtomSiteColumns, atom_site_columns, small_category

REQUIRED = ("Cartn_x", "Cartn_y", "Cartn_z")


def read_mmcif_fast(path: Path, data: bytes, model: int, altloc: str):
    """(AtomArray, model count, secondary records [(kind, chain, first, last)], struct_conn bonds
    (K, 3) [i, j, BondType]) or None."""
    site = atom_site_columns(path, data)
    if site is None or not all(site.has(name) for name in REQUIRED):
        return None
    model_numbers = site.integers("pdbx_PDB_model_num", default=1)
    numbers, first_rows = np.unique(model_numbers, return_index=True)
    ordered = numbers[np.argsort(first_rows)]
    if not 1 <= model <= len(ordered):
        raise MoleculeError(path, f"model {model} requested; the file has {len(ordered)}")
    rows = np.flatnonzero(model_numbers == ordered[model - 1])
    atoms = _atom_array(site, rows)
    atoms, rows = _one_altloc(site, rows, atoms, altloc)
    skip = (int(site.starts[0, 0]), int(site.ends[-1, -1]))
    text = _outside(data, skip)
    try:
        links = struct_conn_bonds(small_category(text, "struct_conn"), site, rows)
    except AmbiguousLink:
        return None  # biotite's reader reports which bond cannot be assigned
    return atoms, len(ordered), secondary_records(text), links


def _column(site: AtomSiteColumns, name: str, rows, default: str = "") -> np.ndarray:
    """Author field first (what biotite and PDB files use), the label field if absent."""
    for key in (f"auth_{name}", f"label_{name}"):
        if site.has(key):
            return site.text(key, default, rows)
    return np.full(len(rows), default)


def _atom_array(site: AtomSiteColumns, rows: np.ndarray):
    import biotite.structure as struc

    atoms = struc.AtomArray(len(rows))
    coord = np.stack([site.numbers(f"Cartn_{axis}", f"Cartn_{axis}", rows) for axis in "xyz"], axis=1)
    atoms.coord = coord.astype(np.float32)
    atoms.chain_id = _column(site, "asym_id", rows)
    atoms.ins_code = site.text("pdbx_PDB_ins_code", "", rows)
    atoms.res_name = _column(site, "comp_id", rows)
    atoms.hetero = site.text("group_PDB", "", rows) == "HETATM"
    atoms.atom_name = _column(site, "atom_id", rows)
    atoms.element = site.text("type_symbol", "", rows)
    key = "auth_seq_id" if site.has("auth_seq_id") else "label_seq_id"
    atoms.res_id = site.integers(key, default=-1, rows=rows).astype(np.int32)
    b_factor = site.numbers("B_iso_or_equiv", "B_iso_or_equiv", rows) if site.has("B_iso_or_equiv") else None
    atoms.set_annotation("b_factor", b_factor if b_factor is not None else np.zeros(len(rows)))
    return atoms


def _one_altloc(site: AtomSiteColumns, rows, atoms, altloc: str):
    import biotite.structure as struc

    """(atoms, their `_atom_site` rows) with one alternate location per atom."""
    if not site.has("label_alt_id"):
        return atoms, rows
    ids = site.text("label_alt_id", ".", rows)
    if np.all(ids == "."):
        return atoms, rows
    if altloc == "occupancy" and site.has("occupancy"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mask = struc.filter_highest_occupancy_altloc(atoms, ids, site.numbers("occupancy", "occupancy", rows))
    else:
        mask = struc.filter_first_altloc(atoms, ids)
    return atoms[mask], rows[mask]


def _outside(data: bytes, skip: tuple[int, int]) -> str:
    """The file's text without the byte range `skip` (the `_atom_site` rows, which cannot hold
    other categories), so small categories are searched in kilobytes, not the whole file."""
    return (data[: skip[0]] + b"\n" + data[skip[1] :]).decode("latin-1")


def secondary_records(text: str) -> list[tuple[str, str, int, int]]:
    """[(kind "a"|"b", author chain, first author residue, last)] from struct_conf (HELX_* rows;
    TURN_* rows, which DSSP-written files carry, are not helices) and struct_sheet_range.

    text: the file's text (or all of it but `_atom_site`'s rows)."""
    records = []
    for category, kind in (("struct_conf", "a"), ("struct_sheet_range", "b")):
        table = small_category(text, category)
        if not table:
            continue
        count = max(len(v) for v in table.values())
        types = table.get("conf_type_id", ["HELX_P"] * count) if kind == "a" else ["STRN"] * count
        for i in range(count):
            if kind == "a" and not types[i].upper().startswith("HELX"):
                continue
            try:
                chain = _pick(table, i, "beg_auth_asym_id", "beg_label_asym_id")
                first = int(_pick(table, i, "beg_auth_seq_id", "beg_label_seq_id"))
                last = int(_pick(table, i, "end_auth_seq_id", "end_label_seq_id"))
            except (KeyError, ValueError, IndexError):
                continue  # a damaged row only loses its colouring
            records.append((kind, chain, first, last))
    return records


def _pick(table: dict, row: int, *names: str) -> str:
    for name in names:
        if name in table and table[name][row] not in ("?", "."):
            return table[name][row]
    raise KeyError(names[0])
