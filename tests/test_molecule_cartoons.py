"""Cartoon and bond geometry measured on real structures (no GL): nucleic-acid cartoons of an RNA and
a DNA, smooth flat strand arrows, helix cylinders around their CAs, double and aromatic bonds from the
CCD's bond types."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from renderer.molecules import cartoon
from renderer.molecules.bond_orders import AROMATIC, DOUBLE, bond_kinds, valence_sticks
from renderer.molecules.io import read_structure
from renderer.molecules.nucleic_cartoon import nucleotide_table
from renderer.molecules.palette import colors_for
from renderer.molecules.representations import Representation, build_drawables
from renderer.molecules.structure import Structure

ROOT = Path(__file__).resolve().parent.parent
MOLECULES = ROOT / "assets" / "molecules"
PYMOL_NAMES = Path("/usr/share/pymol/test/dat/names.pdb")  # 4 nucleotides with old (C1*) and new names


def ccd_structure(name: str) -> Structure:
    """A Chemical Component Dictionary entry (biotite's copy) with its bond types."""
    import biotite.structure.info as info

    atoms = info.residue(name)
    table = atoms.bonds.as_array()
    n = atoms.array_length()
    return Structure(positions_a=atoms.coord.astype(np.float32), elements=np.char.upper(atoms.element.astype(str)),
                     atom_names=atoms.atom_name.astype(str), res_names=atoms.res_name.astype(str),
                     res_ids=np.ones(n, np.int32), chain_ids=np.full(n, "A"), hetero=np.ones(n, bool),
                     b_factors=np.zeros(n, np.float32), bonds=np.sort(table[:, :2], axis=1).astype(np.int32),
                     bond_orders=table[:, 2].astype(np.uint8), secondary=np.full(n, "", "<U1"))  # fmt: skip


@pytest.fixture(scope="module")
def rna():
    return read_structure(MOLECULES / "4p5j.pdb")


@pytest.fixture(scope="module")
def hpv():
    return read_structure(MOLECULES / "1hpv.pdb")


def _biotite_nucleotide_count(path: Path) -> int:
    import biotite.structure as struc
    import biotite.structure.io.pdb as pdb

    atoms = pdb.PDBFile.read(str(path)).get_structure(model=1)
    return struc.get_residue_count(atoms[struc.filter_nucleotides(atoms)])


@pytest.mark.parametrize("name", ["4p5j.pdb", "1bna.pdb"])
def test_every_nucleotide_gets_a_base_slab_and_a_rod(name):
    structure = read_structure(MOLECULES / name)
    everything = np.ones(structure.atom_count, bool)
    table = nucleotide_table(structure, everything)
    assert len(table["C4'"]) == _biotite_nucleotide_count(MOLECULES / name)
    mesh = cartoon.cartoon_mesh(structure, everything, colors_for(structure, "residue"))
    assert mesh.triangle_count > 0
    # Each base slab is flat-shaded: its top face's vertices share one normal. Count slabs by their
    # purine (9-corner) and pyrimidine (6-corner) outlines: 4 x corners triangles per slab.
    purines, pyrimidines = table["purine"].sum(), (~table["purine"]).sum()
    slab_triangles = 4 * 9 * purines + 4 * 6 * pyrimidines
    assert mesh.triangle_count > slab_triangles
    # Slabs lie on the base atoms: each ring atom has a slab vertex half a slab thickness away.
    from scipy.spatial import cKDTree

    ring = np.concatenate([table[name] for name in ("N1", "C2", "N3", "C4", "C5", "C6")])
    distance, _ = cKDTree(mesh.positions).query(structure.positions_a[ring[ring >= 0]])
    assert np.percentile(distance, 95) < 0.45


def test_old_primed_names_and_a_missing_5_prime_phosphate_still_draw():
    structure = read_structure(PYMOL_NAMES)  # C1* names in residue 15, which also has no P
    table = nucleotide_table(structure, np.ones(structure.atom_count, bool))
    assert len(table["C4'"]) == 4 and table["P"][0] == -1 and (table["P"][1:] >= 0).all()
    mesh = cartoon.cartoon_mesh(structure, np.ones(structure.atom_count, bool), colors_for(structure, "residue"))
    assert mesh.triangle_count > 0


def test_rna_cartoon_is_not_empty_for_the_default_selection_words(rna):
    drawables = build_drawables(rna, [Representation("cartoon", "nucleic", "residue")])
    assert drawables.meshes and drawables.meshes[0].mesh.triangle_count > 10_000
    # Bases are coloured by their nucleotide: four different colours on the mesh.
    assert len(np.unique(np.round(drawables.meshes[0].mesh.colors, 3), axis=0)) >= 4


def _strand_segments(structure: Structure):
    """[(CA indices)] of strands with at least 5 residues."""
    ca = np.flatnonzero(structure.is_amino_acid & (structure.atom_names == "CA"))
    out = []
    for first, last in cartoon.runs(structure.secondary[ca], "b"):
        if last - first >= 4:
            out.append(ca[first : last + 1])
    return out


def _principal_frame(points: np.ndarray):
    centre = points.mean(axis=0)
    return centre, np.linalg.svd(points - centre)[2]


def _sheet_frame(structure: Structure, atoms: np.ndarray):
    """Centre and (along, across, normal) axes of a strand: along its CAs' principal axis, across
    it in the mean peptide-plane direction (CA -> O), normal to both (the pleat's direction)."""
    from renderer.molecules.structure import residue_keys

    keys = residue_keys(structure)
    oxygen = np.array([np.flatnonzero((keys == keys[a]) & (structure.atom_names == "O"))[0] for a in atoms])
    ca = structure.positions_a[atoms].astype(np.float64)
    centre, axes = _principal_frame(ca)
    along = axes[0] * np.sign((ca[-1] - ca[0]) @ axes[0])
    _, side = cartoon.smooth_strands(ca, cartoon._side_vectors(ca, oxygen, structure), np.full(len(ca), "b"))
    across = side.mean(axis=0) - along * (side.mean(axis=0) @ along)
    across /= np.linalg.norm(across)
    return centre, np.array([along, across, np.cross(along, across)])


def test_strands_are_flat_smooth_arrows_wider_at_the_head(hpv):
    strands = _strand_segments(hpv)
    assert len(strands) >= 4
    ratios, thickness, pleats = [], [], []
    for atoms in strands:
        mask = np.zeros(hpv.atom_count, bool)
        mask[atoms] = True
        mesh = cartoon.protein_cartoon_mesh(hpv, mask, np.ones((hpv.atom_count, 3), np.float32))
        ca = hpv.positions_a[atoms].astype(np.float64)
        centre, (along, across, normal) = _sheet_frame(hpv, atoms)
        guide, _ = cartoon.smooth_strands(ca, np.zeros_like(ca), np.full(len(ca), "b"))
        # The pleat (CAs alternating about 1 Å above and below the sheet) is filtered out of the guide.
        pleats.append(np.ptp((guide[1:-1] - centre) @ normal) / np.ptp((ca - centre) @ normal))
        vertices = mesh.positions.astype(np.float64) - centre
        t, w, h = vertices @ along, vertices @ across, vertices @ normal
        edges = np.linspace(t.min(), t.max(), 13)
        slab_widths = np.array([np.ptp(w[(t >= a) & (t < b)]) if ((t >= a) & (t < b)).sum() > 10 else 0.0
                                for a, b in zip(edges[:-1], edges[1:], strict=True)])  # fmt: skip
        body = slab_widths[2:-4]
        ratios.append(slab_widths[-4:].max() / np.median(body[body > 0]))  # the arrowhead is at the C end
        thickness.append(np.ptp(h[np.abs(t) < (t.max() - t.min()) / 6]))
    assert np.median(pleats) < 0.6, pleats
    assert np.median(ratios) > 1.4, ratios
    assert np.median(thickness) < 1.5, thickness  # flat: a 0.44 Å ribbon, twisted a little along the slab


def test_helix_cylinders_are_straight_and_hold_their_cas():
    structure = read_structure("/usr/share/pymol/test/dat/1tii.pdb")
    ca = np.flatnonzero(structure.is_amino_acid & (structure.atom_names == "CA"))
    helices = [(f, last) for f, last in cartoon.runs(structure.secondary[ca], "a") if last - f >= 6]
    assert len(helices) >= 5
    positions = structure.positions_a[ca].astype(np.float64)
    for first, last in helices:
        axis = cartoon.helix_axis_points(positions, first, last)
        centre, axes = _principal_frame(axis)
        assert np.abs((axis - centre) @ axes[1:].T).max() < 1e-6  # a straight line
        distance = np.linalg.norm(positions[first : last + 1] - axis, axis=1)
        assert np.median(distance) == pytest.approx(2.3, abs=0.35)  # the CA helix radius
    mask = np.ones(structure.atom_count, bool)
    colors = np.ones((structure.atom_count, 3), np.float32)
    ribbon = cartoon.cartoon_mesh(structure, mask, colors, "ribbon")
    cylinders = cartoon.cartoon_mesh(structure, mask, colors, "cylinder")
    assert cylinders.triangle_count > ribbon.triangle_count  # the coil tube runs on inside each cylinder
    with pytest.raises(ValueError, match="helix style"):
        cartoon.cartoon_mesh(structure, mask, colors, "barrel")


def test_double_bonds_are_two_parallel_sticks_in_the_molecules_plane():
    aspirin = ccd_structure("AIN")
    kinds = bond_kinds(aspirin.bond_orders)
    assert (kinds == DOUBLE).sum() == 2 and (kinds == AROMATIC).sum() == 6
    radius = 0.16
    starts, ends, radii, owner = valence_sticks(aspirin.positions_a, aspirin.bonds, aspirin.bond_orders, radius)
    _, axes = _principal_frame(aspirin.positions_a[aspirin.elements != "H"].astype(np.float64))
    for bond in np.flatnonzero(kinds == DOUBLE):
        mine = np.flatnonzero(owner == bond)
        assert len(mine) == 2 and np.allclose(radii[mine], radius * 0.55)
        a, b = aspirin.positions_a[aspirin.bonds[bond]]
        axis = (b - a) / np.linalg.norm(b - a)
        for k in mine:
            stick = (ends[k] - starts[k]) / np.linalg.norm(ends[k] - starts[k])
            assert stick @ axis > 0.9999  # parallel to the bond
        offset = (starts[mine[0]] + ends[mine[0]]) / 2 - (starts[mine[1]] + ends[mine[1]]) / 2
        assert np.linalg.norm(offset) == pytest.approx(2 * radius, rel=1e-3)
        assert abs(offset @ axes[2]) / np.linalg.norm(offset) < 0.2  # side by side in the ring's plane


def test_aromatic_rings_get_a_dashed_line_inside_the_ring():
    phenylalanine = ccd_structure("PHE")
    kinds = bond_kinds(phenylalanine.bond_orders)
    ring = np.flatnonzero(kinds == AROMATIC)
    assert len(ring) == 6
    starts, ends, _, owner = valence_sticks(phenylalanine.positions_a, phenylalanine.bonds,
                                            phenylalanine.bond_orders, 0.16)  # fmt: skip
    ring_atoms = np.unique(phenylalanine.bonds[ring])
    centre = phenylalanine.positions_a[ring_atoms].mean(axis=0)
    for bond in ring:
        mine = np.flatnonzero(owner == bond)
        assert len(mine) == 4  # the bond itself plus three dashes
        middle = phenylalanine.positions_a[phenylalanine.bonds[bond]].mean(axis=0)
        dashes = [k for k in mine if np.linalg.norm(ends[k] - starts[k]) < 0.5]
        assert len(dashes) == 3
        for k in dashes:
            assert np.linalg.norm((starts[k] + ends[k]) / 2 - centre) < np.linalg.norm(middle - centre)


def test_bond_orders_can_be_switched_off():
    aspirin = ccd_structure("AIN")
    with_orders = build_drawables(aspirin, [Representation("ball_and_stick")])
    plain = build_drawables(aspirin, [Representation("ball_and_stick", bond_orders=False)])
    assert plain.cylinders.count == aspirin.bond_count
    assert with_orders.cylinders.count == aspirin.bond_count + 2 + 6 * 3  # two double bonds, six aromatic
