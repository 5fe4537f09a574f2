"""PDBx/mmCIF: the array reader gives what biotite's parser gives, secondary structure comes from
struct_conf / struct_sheet_range, errors name the line; chain kinds; `prosector info --json`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from renderer.errors import MoleculeError
from renderer.molecules.io import read_structure

ROOT = Path(__file__).resolve().parent.parent
HPV = ROOT / "assets" / "molecules" / "1hpv.pdb"
sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.fixture(scope="module")
def hpv_cif(tmp_path_factory) -> Path:
    """1hpv as mmCIF written by biotite, with its HELIX/SHEET records as struct_conf rows."""
    from tiled_mmcif import tiled_mmcif

    path = tmp_path_factory.mktemp("cif") / "1hpv.cif"
    tiled_mmcif(1, path)
    return path


def test_mmcif_secondary_structure_from_struct_conf(hpv_cif):
    pdb, cif = read_structure(HPV), read_structure(hpv_cif)
    ca_pdb = pdb.atom_names == "CA"
    assert (pdb.secondary[ca_pdb] == "a").sum() == 8  # HELIX 87-90 in both chains
    # biotite renamed chains A, B to A0, B0 in the file; residues and ranges are the same.
    assert (cif.secondary[cif.atom_names == "CA"] == pdb.secondary[ca_pdb]).all()


def test_array_reader_matches_biotite(hpv_cif):
    import biotite.structure.io.pdbx as pdbx

    ours = read_structure(hpv_cif)
    theirs = pdbx.get_structure(pdbx.CIFFile.read(str(hpv_cif)), model=1, altloc="occupancy", include_bonds=True)
    assert ours.atom_count == theirs.array_length() == 1631
    np.testing.assert_allclose(ours.positions_a, theirs.coord, atol=1e-4)
    assert (ours.atom_names == theirs.atom_name).all() and (ours.res_ids == theirs.res_id).all()
    assert (ours.chain_ids == theirs.chain_id).all() and (ours.hetero == theirs.hetero).all()
    reference = {tuple(sorted(b[:2])): b[2] for b in theirs.bonds.as_array().tolist()}
    mine = {tuple(b): int(o) for b, o in zip(ours.bonds.tolist(), ours.bond_orders.tolist(), strict=True)}
    assert set(reference) <= set(mine)  # plus the distance bonds of ligand 478, which no template has
    assert all(mine[k] == v for k, v in reference.items())


def test_struct_conn_links_read_by_the_array_reader(tmp_path):
    """4p5j (a real riboswitch entry) as mmCIF: its LINK records become struct_conn rows (the
    O3'-P link to the modified nucleotide A23, Mg2+ to phosphate oxygens and waters), which the
    array reader must bond as biotite's parser does; no distance rule would bond a metal."""
    import warnings

    import biotite.structure.io.pdb as pdb
    import biotite.structure.io.pdbx as pdbx

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        atoms = pdb.PDBFile.read(str(ROOT / "assets" / "molecules" / "4p5j.pdb")).get_structure(
            model=1, include_bonds=True, extra_fields=["b_factor", "occupancy"])  # fmt: skip
        cif = pdbx.CIFFile()
        pdbx.set_structure(cif, atoms)
        path = tmp_path / "4p5j.cif"
        cif.write(str(path))
        theirs = pdbx.get_structure(pdbx.CIFFile.read(str(path)), model=1, include_bonds=True)
    assert path.read_text().count("covale") >= 10  # the file does carry the links
    ours = read_structure(path)
    mine = {tuple(b): int(o) for b, o in zip(ours.bonds.tolist(), ours.bond_orders.tolist(), strict=True)}
    reference = {tuple(sorted(b[:2])): b[2] for b in theirs.bonds.as_array().tolist()}
    assert set(reference) <= set(mine)
    # Between residues, orders as biotite's (within A23, biotite takes the file's own chem_comp_bond
    # rows, order unknown as written from PDB; the array reader takes the CCD's orders).
    residue = np.cumsum(np.r_[True, ours.res_ids[1:] != ours.res_ids[:-1]])
    between = [k for k in reference if residue[k[0]] != residue[k[1]]]
    assert len(between) > 90 and all(mine[k] == reference[k] for k in between)
    names = ours.res_names
    metal = [b for b in mine if "MG" in (names[b[0]], names[b[1]])]
    assert len(metal) == 12  # the 12 LINK records naming MG (a phosphate oxygen, waters)
    o3_p = [b for b in mine if {ours.atom_names[b[0]], ours.atom_names[b[1]]} == {"O3'", "P"}
            and {names[b[0]], names[b[1]]} == {"C", "A23"}]  # fmt: skip
    assert len(o3_p) == 1


COLUMNS = ("group_PDB", "id", "type_symbol", "label_atom_id", "label_comp_id", "label_asym_id", "label_seq_id",
           "pdbx_PDB_ins_code", "pdbx_PDB_model_num", "Cartn_x", "Cartn_y", "Cartn_z")  # fmt: skip


def _cif(rows: list[str], columns=COLUMNS) -> str:
    return "data_x\nloop_\n" + "".join(f"_atom_site.{c}\n" for c in columns) + "".join(r + "\n" for r in rows) + "#\n"


GOOD = ["ATOM 1 N N GLY A 1 ? 1 0.0 0.0 0.0", "ATOM 2 C CA GLY A 1 ? 1 1.45 0.0 0.0",
        "ATOM 3 C C GLY A 1 ? 1 2.0 1.4 0.0"]


@pytest.mark.parametrize(
    ("rows", "line", "words"),
    [
        ([GOOD[0], "ATOM 2 C CA GLY A 1 ? 1 1.45 abc 0.0", GOOD[2]], 16, "Cartn_y 'abc' is not a number"),
        ([GOOD[0], GOOD[1], "ATOM 3 C C GLY A 1 ? 1 2.0 1.4 inf"], 17, "Cartn_z is not finite"),
        ([GOOD[0], "ATOM 2 C CA GLY A 1 ? 1 1.45 0.0", GOOD[2]], 16, "values for 12 columns"),
        ([GOOD[0], "ATOM 2 C 'CA GLY A 1 ? 1 1.45 0.0 0.0", GOOD[2]], 16, "unbalanced quote"),
    ],
)
def test_mmcif_errors_name_the_line(tmp_path, rows, line, words):
    path = tmp_path / "bad.cif"
    path.write_text(_cif(rows))
    with pytest.raises(MoleculeError) as caught:
        read_structure(path)
    assert caught.value.line == line and words in str(caught.value), str(caught.value)


def test_quoted_names_and_wrapped_rows_read_alike(tmp_path):
    """Nucleic-acid atom names come quoted ("O5'"); CIF rows may wrap: both paths agree."""
    quoted = ["ATOM 1 O \"O5'\" A B 1 ? 1 0.0 0.0 0.0", "ATOM 2 C \"C5'\" A B 1 ? 1 1.4 0.0 0.0"]
    wrapped = ["ATOM 1 O \"O5'\" A B 1 ? 1", "0.0 0.0 0.0", "ATOM 2 C \"C5'\" A B 1 ? 1 1.4 0.0 0.0"]
    (tmp_path / "q.cif").write_text(_cif(quoted))
    (tmp_path / "w.cif").write_text(_cif(wrapped))
    fast, careful = read_structure(tmp_path / "q.cif"), read_structure(tmp_path / "w.cif")
    assert list(fast.atom_names) == list(careful.atom_names) == ["O5'", "C5'"]
    np.testing.assert_allclose(fast.positions_a, careful.positions_a)


def test_chain_kinds():
    from renderer.molecules.chains import polymer_kind, residue_name_kinds

    names = np.array(["ALA", "MSE", "A", "DG", "PSU", "HOH", "ATP", "HEM"])
    kinds = residue_name_kinds(names)
    assert list(kinds) == ["protein", "protein", "nucleic", "nucleic", "nucleic", "water", "ligand", "ligand"]
    hetero = residue_name_kinds(names, np.array([0, 0, 0, 0, 1, 1, 1, 1], bool))
    assert hetero[4] == "ligand"  # a HETATM nucleotide on its own is a ligand, not a chain
    assert polymer_kind(np.array(["nucleic"] * 5 + ["protein"])) == "nucleic"


def test_info_json_reports_molecules_and_parts():
    out = subprocess.run([sys.executable, "-m", "renderer", "info", str(ROOT / "scenes/hiv-protease-lesson.yaml"),
                          "--json"], capture_output=True, text=True, check=True, cwd=ROOT)  # fmt: skip
    report = json.loads(out.stdout)
    (lo, hi) = report["bounds_m"]
    assert all(a < b for a, b in zip(lo, hi, strict=True))
    molecule = report["molecules"][0]
    assert (molecule["atoms"], molecule["bonds"]) == (1631, 1579)
    kinds = {(c["id"], c["kind"]) for c in molecule["chains"]}
    assert {("A", "protein"), ("B", "protein"), ("", "ligand"), ("", "water")} <= kinds
    assert molecule["secondary"] == {"helix": 8, "strand": 95, "coil": 95}  # 1hpv's HELIX/SHEET records
    assert molecule["hbonds"]["ligand"] >= 6 and molecule["hbonds"]["total"] > 200
    assert molecule["ligands"][0]["name"] == "478"
    for part in report["parts"]:
        assert {"id", "name", "material", "triangles", "bounds_m", "source"} <= set(part)


def test_far_atoms_are_warned_about(tmp_path, caplog):
    lines = HPV.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith("ATOM") and line[12:16] == " CA ")
    lines[index] = lines[index][:30] + f"{1250.0:8.3f}" + lines[index][38:]  # 125.0 typed as 1250.0
    path = tmp_path / "typo.pdb"
    path.write_text("\n".join(lines) + "\n")
    with caplog.at_level("WARNING"):
        read_structure(path)
    assert "lie far from the rest" in caplog.text and "PRO 1 CA" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING"):
        read_structure(HPV)
    assert "far from" not in caplog.text


def test_dna_chains_are_nucleic():
    """1bna (the Dickerson dodecamer, bundled) has two DNA chains: named nucleic, not "other"."""
    from renderer.commands.info_json import molecule_report
    from renderer.molecules.describe import describe_structure

    structure = read_structure(ROOT / "assets" / "molecules" / "1bna.pdb")
    assert [(c.chain_id, c.kind, c.residues) for c in describe_structure(structure).chains] == \
        [("A", "nucleic", 12), ("B", "nucleic", 12)]  # fmt: skip
    kinds = {(c["id"], c["kind"]) for c in molecule_report(structure)["chains"]}
    assert {("A", "nucleic"), ("B", "nucleic")} <= kinds and ("A", "water") in kinds


def test_large_structures_are_read_once(hpv_cif, tmp_path, monkeypatch, caplog):
    """The structure cache (renderer/molecules/structure_cache.py), with its size floor lowered to
    1hpv's: a second read gives the same arrays from the cache, warns as a read does, a damaged
    entry is read again, and an edited file misses."""
    from dataclasses import fields

    from renderer.molecules import structure_cache

    monkeypatch.setenv("PROSECTOR_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(structure_cache, "MIN_ATOMS", 1)
    text = hpv_cif.read_text()
    lines = text.splitlines()
    columns = [line.split(".", 1)[1].strip() for line in lines if line.startswith("_atom_site.")]
    index = next(i for i, line in enumerate(lines) if line.startswith("ATOM") and " CA " in line)
    values = lines[index].split()
    x = columns.index("Cartn_x")
    values[x] = f"{float(values[x]) * 10 + 1000:.3f}"  # a far atom: a typo in the first CA's x
    lines[index] = " ".join(values)
    typo = "\n".join(lines) + "\n"
    path = tmp_path / "typo.cif"
    path.write_text(typo)
    first = read_structure(path)
    entries = list((tmp_path / "cache" / "molecules" / "structures").glob("*.npz"))
    assert len(entries) == 1
    caplog.clear()
    with caplog.at_level("WARNING"):
        again = read_structure(path)
    assert "lie far from the rest" in caplog.text and "CA" in caplog.text
    for field in fields(first):
        if field.name != "extra":
            mine, cached = getattr(first, field.name), getattr(again, field.name)
            assert np.array_equal(mine, cached) if isinstance(mine, np.ndarray) else mine == cached, field.name
    entries[0].write_bytes(b"not an npz")
    assert read_structure(path).bond_count == first.bond_count  # read again, entry replaced
    assert np.load(entries[0])["bonds"].shape == first.bonds.shape
    path.write_text(text)  # edited: the old entry is not used
    assert read_structure(path).positions_a[index_of_first_ca(first)][0] != first.positions_a[index_of_first_ca(first)][0]
    assert len(list(entries[0].parent.glob("*.npz"))) == 2


def index_of_first_ca(structure) -> int:
    return int(np.flatnonzero(structure.atom_names == "CA")[0])


def test_a_non_ascii_byte_in_atom_site_is_read_like_the_careful_path(tmp_path):
    """Fuzz case 6039 (seed 3): a Latin-1 byte in a type_symbol made the array path raise
    UnicodeDecodeError (an internal error). Such a file now goes to the careful reader, which
    decodes it as it decodes PDB files (UTF-8, else Latin-1)."""
    rows = [GOOD[0].replace(" N N ", " \u00dd N ", 1), GOOD[1].replace("GLY", "G\u00ddY", 1), GOOD[2]]
    path = tmp_path / "latin1.cif"
    path.write_bytes(_cif(rows).encode("latin-1"))
    structure = read_structure(path)
    assert list(structure.atom_names) == ["N", "CA", "C"]
    assert structure.positions_a.shape == (3, 3)
