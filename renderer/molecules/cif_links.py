"""Bonds a PDBx/mmCIF file records between residues (`struct_conn`: disulfides, covalent links to
ligands and modified residues, metal coordination), for the array reader (cif_fast).

The same bonds as biotite's `pdbx.get_structure(include_bonds=True)`: rows of a covalent or
coordination type whose partners are in the identity symmetry position, matched to `_atom_site`
rows by every identifying column both categories have ("?" and "." alike). A partner that matches
no kept atom (another model, a dropped alternate location) drops its bond; one that matches
several atoms makes the careful path (biotite) read the file, so the error is biotite's.
"""

from __future__ import annotations

import numpy as np

# struct_conn.conn_type_id -> biotite BondType value (1 single, 8 coordination), as biotite reads them.
BOND_TYPES = {"covale": 1, "covale_base": 1, "covale_phosphate": 1, "covale_sugar": 1, "disulf": 1,
              "modres": 1, "modres_link": 1, "metalc": 8}  # fmt: skip
IDENTITY = "1_555"
# _atom_site columns that identify a partner, with their struct_conn names for partner N.
COLUMNS = {"label_asym_id": "ptnr{}_label_asym_id", "label_comp_id": "ptnr{}_label_comp_id",
           "label_seq_id": "ptnr{}_label_seq_id", "label_atom_id": "ptnr{}_label_atom_id",
           "label_alt_id": "pdbx_ptnr{}_label_alt_id", "auth_asym_id": "ptnr{}_auth_asym_id",
           "auth_comp_id": "ptnr{}_auth_comp_id", "auth_seq_id": "ptnr{}_auth_seq_id",
           "pdbx_PDB_ins_code": "pdbx_ptnr{}_PDB_ins_code"}  # fmt: skip


class AmbiguousLink(Exception):
    """A struct_conn partner matches more than one atom: the careful path reports it."""


def struct_conn_bonds(table: dict[str, list[str]], site, rows: np.ndarray) -> np.ndarray:
    """(K, 3) int64 [atom i, atom j, BondType] into the kept atoms.

    table: the struct_conn category (renderer.molecules.cif_tokens.small_category); site: the
    `_atom_site` columns (cif_tokens.AtomSiteColumns); rows: (N,) the `_atom_site` rows kept, in
    the order of the structure's atoms. Raises AmbiguousLink.
    """
    empty = np.zeros((0, 3), np.int64)
    if not table or "conn_type_id" not in table:
        return empty
    count = len(table["conn_type_id"])
    types = [t.lower() for t in table["conn_type_id"]]
    wanted = [i for i in range(count) if types[i] in BOND_TYPES and all(
        _value(table, f"ptnr{p}_symmetry", i, IDENTITY) in (IDENTITY, ".", "?") for p in (1, 2))]  # fmt: skip
    if not wanted:
        return empty
    partners = []
    for partner in (1, 2):
        pairs = [(column, name.format(partner)) for column, name in COLUMNS.items()
                 if site.has(column) and name.format(partner) in table]  # fmt: skip
        partners.append(_match(site, rows, [(c, [_value(table, n, i, ".") for i in wanted]) for c, n in pairs]))
    found = (partners[0] >= 0) & (partners[1] >= 0)
    orders = np.array([BOND_TYPES[types[i]] for i in wanted], np.int64)
    return np.stack([partners[0][found], partners[1][found], orders[found]], axis=1)


def _value(table: dict, name: str, row: int, default: str) -> str:
    values = table.get(name)
    value = values[row] if values is not None and row < len(values) else default
    return "." if value == "?" else value


def _match(site, rows: np.ndarray, queries: list[tuple[str, list[str]]]) -> np.ndarray:
    """(Q,) index among `rows` of the atom whose columns equal each query's values; -1 if none."""
    if not queries:
        return np.full(0, -1, np.int64)
    count = len(queries[0][1])
    # Narrow the candidates with the first column (a chain or atom name), then compare keys.
    candidates = np.arange(len(rows))
    for column, values in queries:
        if column in ("label_atom_id", "label_asym_id"):
            candidates = candidates[np.isin(_column(site, column, rows[candidates]), list(set(values)))]
    lookup: dict[tuple, int] = {}
    ambiguous = set()
    columns = [_column(site, column, rows[candidates]).tolist() for column, _ in queries]
    for index, key in zip(candidates.tolist(), zip(*columns, strict=True), strict=True):
        if key in lookup:
            ambiguous.add(key)
        lookup.setdefault(key, index)
    out = np.full(count, -1, np.int64)
    for i, key in enumerate(zip(*(values for _, values in queries), strict=True)):
        if key in ambiguous:
            raise AmbiguousLink(key)
        out[i] = lookup.get(key, -1)
    return out


def _column(site, column: str, rows: np.ndarray) -> np.ndarray:
    return site.text(column, ".", rows)  # "?" and "." alike, as in the queries
