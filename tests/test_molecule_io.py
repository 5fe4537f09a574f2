"""Reading real PDB entries and small-molecule files: counts checked against independent counts of
the records themselves (no biotite), and malformed files give FILE:LINE errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from renderer.errors import MoleculeError
from renderer.molecules.io import read_structure

ROOT = Path(__file__).resolve().parent.parent
HPV = ROOT / "assets" / "molecules" / "1hpv.pdb"
PYMOL = Path("/usr/share/pymol")
needs_pymol = pytest.mark.skipif(not PYMOL.is_dir(), reason="Debian package pymol-data not installed")


def _records(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line.startswith(("ATOM  ", "HETATM"))]


def test_1hpv_atoms_match_its_records():
    structure = read_structure(HPV)
    records = _records(HPV)
    assert structure.atom_count == len(records) == 1631
    assert structure.model_count == 1
    assert sorted(set(structure.chain_ids[~structure.hetero])) == ["A", "B"]
    het_names = {line[17:20].strip() for line in records if line.startswith("HETATM")}
    assert set(structure.res_names[structure.hetero]) == het_names == {"478", "HOH"}
    assert structure.is_water.sum() == sum(line[17:20] == "HOH" for line in records)
    assert structure.is_ligand.sum() == sum(line[17:20] == "478" for line in records) == 35
    # Elements come from atom names in this pre-1996 file (columns 77-78 hold an id, not elements).
    assert set(np.unique(structure.elements)) == {"C", "N", "O", "S"}


def test_ligand_bonds_match_conect_records():
    structure = read_structure(HPV)
    serial_to_index = {int(line[6:11]): i for i, line in enumerate(_records(HPV))}
    conect = set()
    for line in HPV.read_text().splitlines():
        if line.startswith("CONECT"):
            fields = [int(line[c : c + 5]) for c in range(6, 31, 5) if line[c : c + 5].strip()]
            for partner in fields[1:]:
                a, b = serial_to_index[fields[0]], serial_to_index[partner]
                conect.add((min(a, b), max(a, b)))
    ligand = np.flatnonzero(structure.is_ligand)
    ours = {tuple(b) for b in structure.bonds.tolist() if b[0] in ligand and b[1] in ligand}
    assert ours == conect and len(conect) == 37


def test_protein_bonds_match_brute_force_distances():
    """Template bonds of the protein equal an O(N^2) covalent-distance count done with plain NumPy."""
    structure = read_structure(HPV)
    protein = np.flatnonzero(structure.is_amino_acid)
    p = structure.positions_a[protein].astype(np.float64)
    radii = np.where(np.isin(structure.elements[protein], ("C", "N", "O")), 0.72, 1.05)  # S: larger
    d = np.sqrt(((p[:, None, :] - p[None, :, :]) ** 2).sum(-1))
    brute = np.triu((d < radii[:, None] + radii[None, :] + 0.25) & (d > 0.4), k=1)
    ours = structure.bonds[np.isin(structure.bonds[:, 0], protein) & np.isin(structure.bonds[:, 1], protein)]
    assert len(ours) == int(brute.sum())
    index = {atom: i for i, atom in enumerate(protein)}
    assert all(brute[index[a], index[b]] for a, b in ours.tolist())


@needs_pymol
def test_alternate_locations_keep_one_conformer_per_residue():
    path = PYMOL / "test/dat/3al1.pdb"
    records = _records(path)
    first_letter: dict = {}
    for line in records:
        if line[16] != " ":
            first_letter.setdefault((line[21], line[22:27]), line[16])
    expected = sum(line[16] == " " or line[16] == first_letter[(line[21], line[22:27])] for line in records)
    assert read_structure(path, altloc="first").atom_count == expected
    by_occupancy = read_structure(path)  # the most occupied conformer of each residue
    sites = list(zip(by_occupancy.chain_ids, by_occupancy.res_ids, by_occupancy.atom_names, strict=True))
    assert len(sites) == len(set(sites)) < len(records)


@needs_pymol
def test_hydrogens_with_old_names_bond_by_distance():
    structure = read_structure(PYMOL / "test/dat/il2.pdb")
    degree = np.bincount(structure.bonds.ravel(), minlength=structure.atom_count)
    hydrogens = structure.elements == "H"
    assert hydrogens.sum() > 500 and np.all(degree[hydrogens] == 1)


def test_several_models(tmp_path):
    lines = HPV.read_text().splitlines()
    atoms = [line for line in lines if line.startswith(("ATOM  ", "HETATM"))][:50]
    moved = [f"{line[:30]}{float(line[30:38]) + 10:8.3f}{line[38:]}" for line in atoms]
    path = tmp_path / "two.pdb"
    path.write_text("\n".join(["MODEL        1", *atoms, "ENDMDL", "MODEL        2", *moved, "ENDMDL", "END"]) + "\n")
    first, second = read_structure(path, model=1), read_structure(path, model=2)
    assert first.model_count == second.model_count == 2
    np.testing.assert_allclose(second.positions_a[:, 0] - first.positions_a[:, 0], 10.0, atol=1e-3)
    with pytest.raises(MoleculeError, match="model 3 requested"):
        read_structure(path, model=3)


def test_mmcif_reads_the_same_atoms(tmp_path):
    import biotite.structure.io.pdbx as pdbx

    structure = read_structure(HPV)
    cif = pdbx.CIFFile()
    pdbx.set_structure(cif, structure.extra["atoms"])
    cif.write(str(tmp_path / "1hpv.cif"))
    again = read_structure(tmp_path / "1hpv.cif")
    assert again.atom_count == structure.atom_count
    np.testing.assert_allclose(again.positions_a, structure.positions_a, atol=1e-3)
    assert again.bond_count == structure.bond_count


@needs_pymol
def test_sdf_and_mol2_counts_from_their_headers():
    sdf = PYMOL / "test/dat/ligs3d.sdf"
    counts = sdf.read_text().splitlines()[3]
    structure = read_structure(sdf)
    assert (structure.atom_count, structure.bond_count) == (int(counts[0:3]), int(counts[3:6]))
    assert structure.model_count == sdf.read_text().count("$$$$")
    mol2 = PYMOL / "test/dat/small03.mol2"
    header = mol2.read_text().splitlines()[2].split()
    structure = read_structure(mol2)
    assert (structure.atom_count, structure.bond_count) == (int(header[0]), int(header[1]))


def _broken(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _pdb_with(line_number: int, replacement: str) -> str:
    lines = HPV.read_text().splitlines()
    lines[line_number - 1] = replacement
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "make", "line", "words"),
    [
        ("bad.pdb", lambda: _pdb_with(300, _record_at(300)[:30] + "   12.x5" + _record_at(300)[38:]), 300,
         "x coordinate"),
        ("short.pdb", lambda: _pdb_with(400, _record_at(400)[:40]), 400, "columns 31-54"),
        ("bad.sdf", lambda: "name\n  prog\n\n  3  1  0  0  0  0  0  0  0  0999 V2000\n"
                            "    0.0000    0.0000    0.0000 C   0  0\n    1.5000    0.0000    0.0000 C   0  0\n"
                            "    oops      0.0000    0.0000 O   0  0\n  1  2  1  0\n$$$$\n", 7, "x coordinate"),
        ("bond.sdf", lambda: "name\n  prog\n\n  2  1  0  0  0  0  0  0  0  0999 V2000\n"
                             "    0.0000    0.0000    0.0000 C   0  0\n    1.5000    0.0000    0.0000 C   0  0\n"
                             "  1  5  1  0\n$$$$\n", 7, "outside 1..2"),
        ("bad.mol2", lambda: "@<TRIPOS>MOLECULE\nx\n2 1\nSMALL\n\n@<TRIPOS>ATOM\n1 C1 0 0 0 C.3\n2 C2 1.5 0 0 C.3\n"
                             "@<TRIPOS>BOND\n1 1 3 1\n", 10, "does not define"),
        ("bad.cif", lambda: "data_x\nloop_\n_atom_site.group_PDB\n_atom_site.id\n_atom_site.Cartn_x\n"
                            "_atom_site.Cartn_y\n_atom_site.Cartn_z\nATOM 1 1.0 2.0 3.0\nATOM 2 1.0 2.0\n#\n", 9,
         "4 values for 5 columns"),  # fmt: skip
    ],
)
def test_malformed_files_name_the_line(tmp_path, name, make, line, words):
    path = _broken(tmp_path, name, make())
    with pytest.raises(MoleculeError) as caught:
        read_structure(path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ") and words in str(caught.value)


def _record_at(line_number: int) -> str:
    line = HPV.read_text().splitlines()[line_number - 1]
    assert line.startswith(("ATOM", "HETATM")), line
    return line


def test_unreadable_files_give_clear_errors(tmp_path):
    cases = {
        "missing.pdb": None,
        "empty.pdb": "",
        "binary.pdb": "ATOM\x00\x01\x02",
        "text.pdb": "HEADER only a header\n",
        "thing.xyz": "1\n",
    }
    for name, text in cases.items():
        path = tmp_path / name
        if text is not None:
            path.write_text(text)
        with pytest.raises(MoleculeError) as caught:
            read_structure(path)
        assert str(caught.value).startswith(str(path)), caught.value
