"""Selections, hydrogen bonds, colours and representation geometry on the real 1hpv entry."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from renderer.errors import SelectionError
from renderer.molecules.hbonds import hydrogen_bonds
from renderer.molecules.io import read_structure
from renderer.molecules.palette import SCHEMES, colors_for
from renderer.molecules.representations import HBOND_DASH_A, Representation, build_drawables, dashed_cylinders
from renderer.molecules.selection import select

HPV = Path(__file__).resolve().parent.parent / "assets" / "molecules" / "1hpv.pdb"


@pytest.fixture(scope="module")
def hpv():
    return read_structure(HPV)


def test_selections_match_the_records(hpv):
    records = [line for line in HPV.read_text().splitlines() if line.startswith(("ATOM  ", "HETATM"))]
    assert select(hpv, "chain A").sum() == sum(line[21] == "A" for line in records)
    in_range = sum(line[21] == "B" and 20 <= int(line[22:26]) <= 30 for line in records)
    assert select(hpv, "chain B and resi 20-30").sum() == in_range
    assert select(hpv, "resn ASP and resi 25 and name CG").sum() == 2
    assert select(hpv, "ligand or water").sum() == select(hpv, "hetero").sum() + select(hpv, "water").sum()
    assert select(hpv, "not (chain A or chain B)").sum() == select(hpv, "hetero or water").sum()


def test_within_matches_brute_force(hpv):
    ligand = hpv.is_ligand
    d = np.linalg.norm(hpv.positions_a[:, None, :] - hpv.positions_a[None, ligand, :], axis=-1).min(axis=1)
    assert np.array_equal(select(hpv, "within 5 of ligand"), d <= 5.0)
    whole = select(hpv, "byres within 5 of ligand")
    assert whole.sum() > (d <= 5.0).sum()


@pytest.mark.parametrize("text", ["", "chain", "resi 2x", "within five of ligand", "chain A and", "(chain A", "glue"])
def test_bad_selections_are_explained(hpv, text):
    with pytest.raises(SelectionError, match="selection"):
        select(hpv, text)


def _hbonds_by_loops(s, group):
    """The same heavy-atom criterion written as plain loops over atoms, independent of the
    vectorised k-d tree version (the donor/acceptor typing is taken from it; geometry is redone)."""
    from renderer.molecules.hbonds import _typing

    types = _typing(s)
    neighbours = {i: [] for i in range(s.atom_count)}
    for a, b in s.bonds.tolist():
        neighbours[a].append(b)
        neighbours[b].append(a)
    bonded = {(min(a, b), max(a, b)) for a, b in s.bonds.tolist()}
    polar = [i for i in range(s.atom_count) if s.elements[i] in ("N", "O")]
    found = set()
    for i in polar:
        if not group[i]:
            continue
        for j in polar:
            if group[j]:
                continue
            d = math.dist(s.positions_a[i], s.positions_a[j])
            residue_i = (s.chain_ids[i], s.res_ids[i], s.res_names[i])
            same_residue = residue_i == (s.chain_ids[j], s.res_ids[j], s.res_names[j])
            if not 2.5 <= d <= 3.5 or same_residue or (min(i, j), max(i, j)) in bonded:
                continue
            if not (types.donor[i] and types.acceptor[j] or types.donor[j] and types.acceptor[i]):
                continue
            ok = True
            for atom, other in ((i, j), (j, i)):
                if neighbours[atom]:
                    centroid = np.mean([s.positions_a[n] for n in neighbours[atom]], axis=0)
                    u, v = s.positions_a[other] - s.positions_a[atom], centroid - s.positions_a[atom]
                    angle = math.degrees(math.acos(float(np.dot(u, v) / np.linalg.norm(u) / np.linalg.norm(v))))
                    ok &= angle > (70 if len(neighbours[atom]) == 1 else 90)
            if ok:
                found.add((i, j))
    return found


def test_inhibitor_hydrogen_bonds(hpv):
    pairs = hydrogen_bonds(hpv, hpv.is_ligand)
    assert {tuple(p) for p in pairs.tolist()} == _hbonds_by_loops(hpv, hpv.is_ligand)
    partners = {(hpv.res_names[b], hpv.chain_ids[b], int(hpv.res_ids[b])) for _a, b in pairs}
    # The inhibitor's central hydroxyl binds both catalytic aspartates; the flap water 201 bridges it.
    assert {("ASP", "A", 25), ("ASP", "B", 25), ("HOH", "", 201)} <= partners
    assert len(pairs) == 9  # PyMOL 2.5 `distance mode=2` draws 8, 7 of them the same pairs (test_molecule_pymol)


def test_colour_schemes_cover_every_atom(hpv):
    for scheme in SCHEMES:
        colors = colors_for(hpv, scheme)
        assert colors.shape == (hpv.atom_count, 3) and np.all((colors >= 0) & (colors <= 1)), scheme
    by_chain = colors_for(hpv, "chain")
    assert not np.allclose(by_chain[select(hpv, "chain A")][0], by_chain[select(hpv, "chain B")][0])
    secondary = colors_for(hpv, "secondary")
    helix, strand = select(hpv, "chain A and resi 88 and name CA"), select(hpv, "chain A and resi 12 and name CA")
    assert not np.allclose(secondary[helix], secondary[strand])
    with pytest.raises(ValueError, match="unknown colour scheme"):
        colors_for(hpv, "rainbow-ish")


def test_representations_build_expected_primitives(hpv):
    ligand_bonds = int(np.sum(hpv.is_ligand[hpv.bonds[:, 0]] & hpv.is_ligand[hpv.bonds[:, 1]]))
    d = build_drawables(hpv, [Representation("ball_and_stick", "ligand")])
    assert d.spheres.count == 35 and d.cylinders.count == ligand_bonds
    d = build_drawables(hpv, [Representation("spacefill", "protein")])
    assert d.spheres.count == hpv.is_amino_acid.sum() and d.cylinders.count == 0
    d = build_drawables(hpv, [Representation("cartoon", "protein", "secondary"), Representation("surface", "ligand")])
    assert len(d.meshes) == 2 and all(m.mesh.triangle_count > 1000 for m in d.meshes)
    d = build_drawables(hpv, [Representation("hbonds", "ligand")])
    assert len(d.hbond_pairs) == 9 and d.cylinders.count >= 9 * 4


def test_dashes_stay_on_the_segment():
    starts = np.array([[0, 0, 0], [1, 1, 1]], np.float32)
    ends = np.array([[3, 0, 0], [1, 1, 4]], np.float32)
    dashes = dashed_cylinders(starts, ends, np.ones(3, np.float32))
    lengths = np.linalg.norm(dashes.ends_a - dashes.starts_a, axis=1)
    assert np.allclose(lengths, HBOND_DASH_A, atol=1e-5) and dashes.count == 12
    assert dashes.starts_a[:, 0].min() >= 0 and dashes.ends_a[:6, 0].max() <= 3.0


def test_describe_for_scaffolding():
    from renderer.molecules.describe import describe_molecule

    summary = describe_molecule(HPV)
    assert [(c.chain_id, c.kind, c.residues) for c in summary.chains] == [("A", "protein", 99), ("B", "protein", 99)]
    assert [(lig.res_name, lig.atoms) for lig in summary.ligands] == [("478", 35)] and summary.waters == 80
    styles = [r["style"] for r in summary.suggested_representations()]
    assert styles == ["cartoon", "ball_and_stick", "hbonds"]
    s = read_structure(HPV)
    assert select(s, summary.ligands[0].selection).sum() == 35
