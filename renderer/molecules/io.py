"""Reading structures: PDB, PDBx/mmCIF (and BinaryCIF), SDF/MOL and MOL2 into a `Structure`.

biotite parses; renderer.molecules.line_checks first walks the records we depend on so that a
malformed file is reported as `FILE:LINE: message` (a MoleculeError), never a traceback.
Bonds: the file's own (CONECT, SDF/MOL2 bond blocks), plus residue templates from the Chemical
Component Dictionary, plus distance bonds for atoms no template covers.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import replace
from pathlib import Path

import numpy as np

from renderer.errors import MoleculeError
from renderer.molecules import line_checks, structure_cache
from renderer.molecules.bonds import bonds_by_distance, disulfide_bonds, merge_bonds
from renderer.molecules.chains import residue_name_kinds
from renderer.molecules.cif_fast import read_mmcif_fast, secondary_records
from renderer.molecules.input_bounds import check_coordinate_magnitude, drop_dangling_conect, read_molecule_bytes
from renderer.molecules.mol2 import read_mol2
from renderer.molecules.outliers import warn_far_atoms
from renderer.molecules.secondary import pdb_secondary_records, secondary_per_atom
from renderer.molecules.structure import Structure, residue_keys
from renderer.molecules.templates import template_bonds

FORMATS = {".pdb": "pdb", ".ent": "pdb", ".cif": "mmcif", ".mmcif": "mmcif", ".pdbx": "mmcif", ".bcif": "bcif",
           ".sdf": "mol", ".sd": "mol", ".mol": "mol", ".mol2": "mol2"}  # fmt: skip


def read_structure(path: str | Path, model: int = 1, altloc: str = "occupancy", fmt: str | None = None) -> Structure:
    """One model (1-based) of the structure in `path`, the format chosen by its extension unless `fmt`
    names it (pdb, mmcif, bcif, sdf or mol, mol2: what a scene file's `format:` says).

    altloc: "occupancy" keeps the most occupied alternate location of each atom, "first" the first.
    Raises MoleculeError for a missing, unsupported or malformed file.
    """
    path = Path(path)
    fmt = {"sdf": "mol"}.get(fmt, fmt) if fmt else FORMATS.get(path.suffix.lower())
    if fmt not in FORMATS.values():
        raise MoleculeError(path, f"unsupported extension {path.suffix!r}; use one of {', '.join(sorted(FORMATS))}")
    if not path.is_file():
        raise MoleculeError(path, "file not found")
    if fmt == "bcif":
        return _from_biotite(path, fmt, _read_pdbx(path, io.BytesIO(read_molecule_bytes(path)), model, altloc,
                                                   binary=True), model)  # fmt: skip
    if fmt == "mmcif":
        return _read_mmcif(path, model, altloc)
    lines = line_checks.read_text(path)
    if fmt == "mol2":
        return read_mol2(path, lines, model)
    if fmt == "pdb":
        line_checks.check_pdb(path, lines)
        lines = drop_dangling_conect(path, lines)
        return _from_biotite(path, fmt, _read_pdb(path, model, altloc, lines), model, lines)
    line_checks.check_mol(path, lines)
    return _from_biotite(path, fmt, _read_mol(path, model, lines), model)


def _text(lines: list[str]) -> io.StringIO:
    """biotite parses the lines already read and checked, never the path again (it could be swapped)."""
    return io.StringIO("\n".join(lines) + "\n")


def _read_mmcif(path: Path, model: int, altloc: str) -> Structure:
    """The array fast path (cif_fast) where it is exact, else the line checks and biotite."""
    data = line_checks.read_bytes(path)
    key = structure_cache.entry_key(data, "mmcif", model, altloc)
    cached = structure_cache.load(key, path)
    if cached is not None:
        structure_cache.warn_like_a_read(path, cached)
        return cached
    structure = _parse_mmcif(path, data, model, altloc)
    structure_cache.store(key, structure)
    return structure


def _parse_mmcif(path: Path, data: bytes, model: int, altloc: str) -> Structure:
    fast = read_mmcif_fast(path, data, model, altloc)
    if fast is None:
        lines = line_checks.read_text(path, data)
        line_checks.check_mmcif(path, lines)
        read = _read_pdbx(path, _text(lines), model, altloc, binary=False)
        return _from_biotite(path, "mmcif", read, model, records=secondary_records(data.decode("latin-1")))
    atoms, count, records, links = fast
    return _from_biotite(path, "mmcif", (atoms, count), model, records=records, links=links)


def _biotite_failure(path: Path, fmt: str, error: Exception) -> MoleculeError:
    return MoleculeError(path, f"cannot be read as {fmt.upper()}: {error}")


def _read_pdb(path: Path, model: int, altloc: str, lines: list[str]):
    import biotite.structure.io.pdb as pdb

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # biotite warns about records it skips; checked above
            file = pdb.PDBFile.read(_text(lines))
            count = file.get_model_count()
            _check_model(path, model, count)
            atoms = file.get_structure(model=model, altloc=altloc, extra_fields=["b_factor"], include_bonds=True)
    except MoleculeError:
        raise
    except Exception as error:  # biotite raises ValueError, IndexError, InvalidFileError...
        raise _biotite_failure(path, "pdb", error) from None
    return atoms, count


def _read_pdbx(path: Path, source, model: int, altloc: str, binary: bool):
    import biotite.structure.io.pdbx as pdbx

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            file = pdbx.BinaryCIFFile.read(source) if binary else pdbx.CIFFile.read(source)
            count = pdbx.get_model_count(file)
            _check_model(path, model, count)
            atoms = pdbx.get_structure(file, model=model, altloc=altloc, extra_fields=["b_factor"],
                                       include_bonds=True)  # fmt: skip
    except MoleculeError:
        raise
    except Exception as error:
        raise _biotite_failure(path, "bcif" if binary else "mmcif", error) from None
    return atoms, count


def _read_mol(path: Path, model: int, lines: list[str]):
    import biotite.structure.io.mol as mol

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            file = mol.SDFile.read(_text(lines))
            names = list(file.keys())
            _check_model(path, model, len(names))
            atoms = file[names[model - 1]].get_structure()
    except MoleculeError:
        raise
    except Exception as error:
        raise _biotite_failure(path, "sdf/mol", error) from None
    atoms.res_name[:] = (names[model - 1] or "LIG")[:5].upper() if len(names) == 1 else "LIG"
    atoms.hetero[:] = True
    atoms.chain_id[:] = "A"
    return atoms, len(names)


def _check_model(path: Path, model: int, count: int) -> None:
    if not 1 <= model <= count:
        raise MoleculeError(path, f"model {model} requested; the file has {count}")


def _from_biotite(path: Path, fmt: str, read, model: int, lines: list[str] | None = None,
                  records: list | None = None, links: np.ndarray | None = None) -> Structure:  # fmt: skip
    """links: (K, 3) [i, j, BondType] the file's struct_conn bonds, where the array reader read it."""
    atoms, model_count = read
    if atoms.array_length() == 0:
        raise MoleculeError(path, f"model {model} has no atoms")
    positions = np.asarray(atoms.coord, dtype=np.float32)
    if not np.all(np.isfinite(positions)):
        raise MoleculeError(path, "coordinates contain NaN or infinity")
    check_coordinate_magnitude(path, positions, atoms)  # an atom at 1e5 A is an error naming it
    warn_far_atoms(path, positions, atoms)  # one far from the rest is a warning
    elements = _checked_elements(atoms)
    # biotite's readers already join the file's bonds (CONECT, struct_conn, SDF bond block) with the
    # CCD residue templates, each with its BondType (double, aromatic...).
    if atoms.bonds is None and fmt == "mmcif":
        atoms.bonds = _template_bond_list(atoms, links)
    file_bonds = atoms.bonds.as_array() if atoms.bonds is not None else np.zeros((0, 3), np.int64)
    disulfides = disulfide_bonds(positions, elements) if fmt in ("pdb", "mmcif", "bcif") else np.zeros((0, 2))
    bonds, orders = merge_bonds((file_bonds[:, :2], file_bonds[:, 2]), (disulfides, None))
    n = len(positions)
    res_names = np.asarray(atoms.res_name, dtype=str)
    b_factors = np.asarray(atoms.b_factor, dtype=np.float32) if "b_factor" in atoms.get_annotation_categories() \
        else np.zeros(n, np.float32)  # fmt: skip
    structure = Structure(
        positions_a=positions, elements=elements, atom_names=np.asarray(atoms.atom_name, dtype=str),
        res_names=res_names, res_ids=np.asarray(atoms.res_id, dtype=np.int32),
        chain_ids=np.asarray(atoms.chain_id, dtype=str), hetero=np.asarray(atoms.hetero, dtype=bool),
        b_factors=b_factors, bonds=bonds, bond_orders=orders,
        secondary=np.full(n, "", dtype="<U1"), source=str(path), model_count=model_count,
    )  # fmt: skip
    bonds, orders = merge_bonds((bonds, orders), (_fallback_bonds(structure), None))
    if records is None and lines:
        records = pdb_secondary_records(lines)
    secondary = secondary_per_atom(atoms, records)
    return replace(structure, bonds=bonds, bond_orders=orders, secondary=secondary, extra={"atoms": atoms})


def _template_bond_list(atoms, links: np.ndarray | None = None):
    """biotite BondList of CCD template bonds and polymer links (renderer.molecules.templates), plus
    `links` (K, 3) [i, j, BondType] (struct_conn), merged as biotite's mmCIF reader merges them."""
    import biotite.structure as struc

    kinds = residue_name_kinds(atoms.res_name)
    starts = struc.get_residue_starts(atoms)
    residue_index = np.zeros(atoms.array_length(), np.int64)
    residue_index[starts[1:]] = 1
    pairs, orders = template_bonds(atoms.res_name, atoms.atom_name, np.cumsum(residue_index), atoms.coord,
                                   atoms.chain_id, kinds == "protein", kinds == "nucleic")  # fmt: skip
    bonds = struc.BondList(atoms.array_length(), np.column_stack([pairs, orders]).astype(np.int64))
    if links is not None and len(links):
        bonds = bonds.merge(struc.BondList(atoms.array_length(), np.asarray(links, np.int64)))
    return bonds


def _fallback_bonds(structure: Structure) -> np.ndarray:
    """Distance bonds for atoms that neither the file nor a template bonded (unknown residues,
    hydrogens with pre-remediation names such as 1HB), waters and single-atom ions excepted."""
    degree = np.bincount(structure.bonds.ravel(), minlength=structure.atom_count)
    sizes = np.bincount(residue_keys(structure))[residue_keys(structure)]
    unbonded = (degree == 0) & ~structure.is_water & (sizes > 1)
    if not unbonded.any():
        return np.zeros((0, 2), dtype=np.int32)
    return bonds_by_distance(structure.positions_a, structure.elements, among=~structure.is_water, touching=unbonded)


_ELEMENTS = set(
    "H HE LI BE B C N O F NE NA MG AL SI P S CL AR K CA SC TI V CR MN FE CO NI CU ZN GA GE AS SE BR KR RB SR Y ZR "
    "NB MO TC RU RH PD AG CD IN SN SB TE I XE CS BA LA CE PR ND SM EU GD TB DY HO ER TM YB LU HF TA W RE OS IR PT "
    "AU HG TL PB BI PO AT RN FR RA AC TH PA U NP PU D".split()
)


def _checked_elements(atoms) -> np.ndarray:
    """(N,) upper-case element symbols; where the file's element column is blank or not an element
    (pre-1996 PDB files put a segment id in columns 73-80), the symbol comes from the atom name."""
    import biotite.structure as struc

    unique, inverse = np.unique(np.asarray(atoms.element, dtype=str), return_inverse=True)
    elements = np.char.upper(np.char.strip(unique))[inverse.ravel()]  # per distinct symbol: 1M atoms have few
    invalid = ~np.isin(elements, list(_ELEMENTS))
    if invalid.any():
        inferred = np.char.upper(np.asarray(struc.infer_elements(atoms.atom_name[invalid]), dtype=str))
        elements = elements.astype("<U2")
        elements[invalid] = inferred
    return elements
