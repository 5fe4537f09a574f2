"""Side by side with PyMOL 2.5 and DSSP on real entries (Debian's pymol-data): atoms, bonds,
secondary structure, hydrogen bonds.

PyMOL's counts are stored, measured with Debian's pymol 2.5.0 (`python3 -m pymol -cq script.py`):
atoms `cmd.count_atoms`, bonds `len(cmd.get_model().bond)`, H-bonds the distances that
`cmd.distance("hb", "(LIGAND)", "not (LIGAND)", mode=2)` draws (counted from `cmd.get_session`), after
`cmd.remove("not alt ''+A")` where the entry has alternate locations (PyMOL keeps them all; we
keep one). DSSP: mkdssp 4.2 (Debian package `dssp`) run in the test when installed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from renderer.molecules.hbonds import _typing, hydrogen_bonds
from renderer.molecules.io import read_structure

ROOT = Path(__file__).resolve().parent.parent
HPV = ROOT / "assets" / "molecules" / "1hpv.pdb"
DAT = Path("/usr/share/pymol")
TII, IL2, AL1 = DAT / "data/demo/1tii.pdb", DAT / "data/demo/il2.pdb", DAT / "test/dat/3al1.pdb"
needs_pymol_data = pytest.mark.skipif(not DAT.is_dir(), reason="Debian package pymol-data not installed")

PYMOL_COUNTS = {HPV: (1631, 1579), TII: (5684, 5575), IL2: (2084, 2099)}  # (atoms, bonds), PyMOL 2.5


@needs_pymol_data
@pytest.mark.parametrize("path", list(PYMOL_COUNTS), ids=lambda p: p.stem)
def test_atoms_and_bonds_match_pymol(path):
    structure = read_structure(path)
    assert (structure.atom_count, structure.bond_count) == PYMOL_COUNTS[path]


@needs_pymol_data
def test_il2_disulfide_found_by_distance():
    """il2 records no SSBOND; PyMOL bonds Cys58 SG-Cys105 SG (2.05 Å) by distance, and so do we."""
    s = read_structure(IL2)
    sg = {int(s.res_ids[i]): i for i in np.flatnonzero((s.atom_names == "SG") & (s.res_names == "CYS"))}
    bonds = {tuple(b) for b in s.bonds.tolist()}
    assert tuple(sorted((sg[58], sg[105]))) in bonds
    assert np.linalg.norm(s.positions_a[sg[58]] - s.positions_a[sg[105]]) == pytest.approx(2.05, abs=0.05)


@needs_pymol_data
def test_bond_orders_from_templates_and_files():
    from biotite.structure import BondType

    protein = read_structure(HPV)
    phe = (protein.res_names == "PHE") & (protein.chain_ids == "A")
    ring = phe[protein.bonds[:, 0]] & phe[protein.bonds[:, 1]]
    kinds = set(protein.bond_orders[ring].tolist())
    assert {BondType.AROMATIC_SINGLE, BondType.AROMATIC_DOUBLE} <= kinds  # CCD's Kekulé ring
    carbonyl = (protein.atom_names[protein.bonds[:, 0]] == "C") & (protein.atom_names[protein.bonds[:, 1]] == "O")
    assert (protein.bond_orders[carbonyl] == BondType.DOUBLE).all()
    sdf = read_structure(DAT / "test/dat/ligs3d.sdf")
    assert (sdf.bond_orders == BondType.AROMATIC).sum() == 17 and (sdf.bond_orders == BondType.DOUBLE).sum() == 2
    mol2 = read_structure(DAT / "test/dat/small03.mol2")
    assert set(mol2.bond_orders.tolist()) <= {0, 1, 2, 3, 9}


@needs_pymol_data
@pytest.mark.skipif(not __import__("shutil").which("mkdssp"), reason="mkdssp (Debian package dssp) not installed")
@pytest.mark.parametrize("path", [HPV, TII, IL2, AL1], ids=lambda p: p.stem)
def test_dssp_agrees_with_mkdssp(path, tmp_path):
    import biotite.structure as struc
    import biotite.structure.io.pdb as pdb
    from dssp_reference import mkdssp_codes

    from renderer.molecules.dssp import three_state
    from renderer.molecules.secondary import dssp_per_atom

    atoms = pdb.PDBFile.read(str(path)).get_structure(model=1, altloc="occupancy")
    reference = mkdssp_codes(atoms, tmp_path)
    amino = struc.filter_amino_acids(atoms)
    ours = dssp_per_atom(atoms, amino)
    ca = np.flatnonzero(amino & (atoms.atom_name == "CA"))
    keys = [(str(atoms.chain_id[i]), int(atoms.res_id[i])) for i in ca]
    assert all(k in reference for k in keys)
    theirs = three_state(np.array([reference[k] for k in keys]))
    agreement = float((ours[ca] == theirs).mean())
    assert agreement >= 0.95, agreement
    assert (theirs == "a").any()  # every entry here has helices: the comparison is not all-coil


HBOND_CASES = [  # (file, group, PyMOL's count); only the heavy atoms of each pair are compared
    (HPV, "ligand", 8),
    (AL1, "ligand", 7),  # ACE, ETA, MPD: PyMOL's "organic"; 20 with all alternate locations kept
    (AL1, "water", 23),
]


@needs_pymol_data
@pytest.mark.parametrize(("path", "group", "pymol"), HBOND_CASES, ids=lambda v: getattr(v, "stem", str(v)))
def test_hbond_counts_near_pymol(path, group, pymol):
    s = read_structure(path, altloc="first")
    mask = s.is_ligand if group == "ligand" else s.is_water
    pairs = hydrogen_bonds(s, mask)
    assert abs(len(pairs) - pymol) <= 2, len(pairs)
    types = _typing(s)
    a, b = pairs[:, 0], pairs[:, 1]
    assert ((types.donor[a] & types.acceptor[b]) | (types.donor[b] & types.acceptor[a])).all()


@needs_pymol_data
def test_partial_hydrogens_keep_water_and_ligand_hbonds():
    """3al1's protein carries hydrogens, its waters and MPD hydroxyls none: their H-bonds stay."""
    s = read_structure(AL1, altloc="first")
    assert np.isin(s.elements, ("H",)).sum() > 200
    assert len(hydrogen_bonds(s, s.is_water)) >= 18
    mpd = hydrogen_bonds(s, s.res_names == "MPD")
    assert len(mpd) >= 1 and set(s.res_names[mpd[:, 1]]) == {"HOH"}


@needs_pymol_data
def test_no_two_donor_pairs():
    """Backbone amide nitrogens neither accept nor pair with each other."""
    s = read_structure(TII)
    pairs = hydrogen_bonds(s, s.is_amino_acid, s.is_amino_acid)
    names = s.atom_names[pairs]
    assert len(pairs) > 300
    assert not ((names[:, 0] == "N") & (names[:, 1] == "N")).any()
