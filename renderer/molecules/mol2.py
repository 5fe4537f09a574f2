"""Tripos MOL2 reader (biotite has none): the ATOM and BOND sections, with line-numbered errors.

Only the first molecule of a multi-molecule file is read unless `model` names another (1-based).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from renderer.errors import MoleculeError
from renderer.molecules.input_bounds import check_atom_count, check_coordinate_magnitude
from renderer.molecules.structure import Structure

# biotite BondType values (see Structure.bond_orders): 9 = aromatic; du/un/nc: unknown (0).
_BOND_ORDERS = {"1": 1, "2": 2, "3": 3, "ar": 9, "am": 1}


def read_mol2(path: Path, lines: list[str], model: int = 1) -> Structure:
    molecules = [i for i, line in enumerate(lines) if line.strip().upper() == "@<TRIPOS>MOLECULE"]
    if not molecules:
        raise MoleculeError(path, "no @<TRIPOS>MOLECULE section: not a MOL2 file")
    if not 1 <= model <= len(molecules):
        raise MoleculeError(path, f"model {model} requested; the file has {len(molecules)} molecules")
    start = molecules[model - 1]
    end = molecules[model] if model < len(molecules) else len(lines)
    title = lines[start + 1].strip() if start + 1 < end else ""
    section, atoms, bonds, atom_ids = "", [], [], {}
    for index in range(start + 1, end):
        line, number = lines[index].strip(), index + 1
        if not line or line.startswith("#"):
            continue
        if line.startswith("@<TRIPOS>"):
            section = line[9:].upper()
            continue
        fields = line.split()
        if section == "ATOM":
            if len(fields) < 6:
                raise MoleculeError(path, f"ATOM line has {len(fields)} fields; needs id name x y z type", number)
            try:
                xyz = [float(v) for v in fields[2:5]]
            except ValueError:
                raise MoleculeError(path, f"coordinates {' '.join(fields[2:5])!r} are not numbers", number) from None
            if not np.all(np.isfinite(xyz)):
                raise MoleculeError(path, "coordinates are not finite", number)
            atom_ids[fields[0]] = len(atoms)
            res_id = int(fields[6]) if len(fields) > 6 and fields[6].lstrip("-").isdigit() \
                and len(fields[6]) < 10 else 1  # fmt: skip
            res_name = fields[7][:5] if len(fields) > 7 else "LIG"
            atoms.append((fields[1], xyz, fields[5].split(".")[0].upper(), res_id, res_name))
        elif section == "BOND":
            if len(fields) < 4:
                raise MoleculeError(path, f"BOND line has {len(fields)} fields; needs id atom1 atom2 type", number)
            a, b = atom_ids.get(fields[1]), atom_ids.get(fields[2])
            if a is None or b is None:
                missing = fields[1] if a is None else fields[2]
                raise MoleculeError(path, f"bond names atom {missing}, which the ATOM section does not define", number)
            bonds.append((min(a, b), max(a, b), _BOND_ORDERS.get(fields[3].lower(), 0)))
    if not atoms:
        raise MoleculeError(path, "the molecule has no atoms (empty @<TRIPOS>ATOM section)")
    n = len(atoms)
    check_atom_count(path, n)
    positions = np.array([a[1] for a in atoms], dtype=np.float32)
    check_coordinate_magnitude(path, positions)
    bond_array = np.array([(a, b) for a, b, _ in bonds], dtype=np.int32).reshape(-1, 2)
    return Structure(
        positions_a=positions,
        elements=np.array([a[2] for a in atoms]),
        atom_names=np.array([a[0] for a in atoms]),
        res_names=np.array([a[4] for a in atoms]),
        res_ids=np.array([a[3] for a in atoms], dtype=np.int32),
        chain_ids=np.full(n, "A"),
        hetero=np.ones(n, dtype=bool),
        b_factors=np.zeros(n, dtype=np.float32),
        bonds=bond_array,
        bond_orders=np.array([o for _, _, o in bonds], dtype=np.uint8),
        secondary=np.full(n, "", dtype="<U1"),
        source=str(path),
        model_count=len(molecules),
        title=title,
    )
