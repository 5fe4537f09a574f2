"""Molecules as scene-file assets: validation at FILE:LINE:COLUMN, lesson-step state (representations,
visibility, labels, scale bar), GPU buffers kept by id without leaks, and the scale bar measured in
the image; `prosector new --from FILE.pdb` and `prosector info` for molecules."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest

from renderer.cli import main
from renderer.errors import SceneError
from renderer.scene.load import load_scene
from renderer.scene.molecule_state import nice_length_nm
from renderer.scene.step_state import scene_state
from tests.conftest import ASSETS, SCENES, save_png

HPV = ASSETS / "molecules" / "1hpv.pdb"
MOL2 = """@<TRIPOS>MOLECULE
ethanol
3 2
SMALL
NO_CHARGES

@<TRIPOS>ATOM
1 C1 0.000 0.000 0.000 C.3 1 ETH 0.0
2 C2 1.520 0.000 0.000 C.3 1 ETH 0.0
3 O1 2.000 1.350 0.000 O.3 1 ETH 0.0
@<TRIPOS>BOND
1 1 2 1
2 2 3 1
"""


def write_scene(folder, body: str, molecule: str = "1hpv.pdb"):
    shutil.copy(HPV, folder / "1hpv.pdb")
    (folder / "ethanol.mol2").write_text(MOL2)
    path = folder / "scene.yaml"
    path.write_text("version: 1\nmolecules:\n  hiv:\n    path: " + molecule + "\n" + body)
    return path


def problems_of(path, load_assets=True) -> list[str]:
    with pytest.raises(SceneError) as caught:
        load_scene(path, load_assets=load_assets)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("    representations:\n      - {style: cartoon, select: chain A and}\n",
         "6:34: molecules.hiv.representations[0].select: selection 'chain A and': ends too early (word 4)"),
        ("    representations:\n      - {style: cartoons}\n",
         "6:17: molecules.hiv.representations[0].style: 'cartoons' is not allowed; expected 'cartoon', "
         "'ball_and_stick', 'spacefill', 'licorice', 'surface' or 'hbonds'; did you mean 'cartoon'?"),
        ("    representations: [{style: cartoon, color: chians}]\n",
         "5:47: molecules.hiv.representations[0].color: unknown colour scheme 'chians'; did you mean 'chain'? "
         "(schemes: element, chain, residue, secondary, bfactor, hydrophobicity; or a colour like '#ff8800')"),
        ("    style: spacefill\n    representations: [{style: cartoon}]\n",
         "4:5: molecules.hiv: give either `style` (one line) or `representations` (a list), not both"),
        ("    transform: {scale: [1, 2, 1]}\n",
         "5:16: molecules.hiv.transform: a molecule's `scale` is one number, so that atoms stay round"),
        ("lesson:\n  steps:\n    - title: One\n      molecules: {hiv2: {style: spacefill}}\n",
         "8:25: lesson.steps[0].molecules.hiv2: unknown molecule 'hiv2'; did you mean 'hiv'?"),
        ("lesson:\n  steps:\n    - title: One\n      hide: [hvi]\n",
         "8:14: lesson.steps[0].hide[0]: unknown part, group or molecule 'hvi'; did you mean 'hiv'?"),
        ("lesson:\n  steps:\n    - {title: One, molecules: {hiv: {labels: [{selection: 'resi 25-', text: x}]}}}\n",
         "7:59: lesson.steps[0].molecules.hiv.labels[0].selection: selection 'resi 25-': '25-' is not a residue "
         "number or range such as 20-30 (word 2)"),
    ],
)
def test_scene_mistakes_are_reported_where_they_are_written(tmp_path, body, expected):
    path = write_scene(tmp_path, body)
    assert problems_of(path, load_assets=False) == [f"{path}:{expected}"]


def test_selections_that_pick_no_atoms_and_broken_files_are_reported_on_loading(tmp_path):
    path = write_scene(tmp_path, "    labels: [{selection: chain Q, text: Nothing}]\n")
    (found,) = problems_of(path)
    assert found == (f"{path}:5:26: molecules.hiv.labels[0].selection: selection 'chain Q' picks no atoms in "
                     "1hpv.pdb; check chain names and residue numbers")  # fmt: skip
    lines = HPV.read_text().splitlines()
    lines[299] = lines[299][:30] + "   12.x5" + lines[299][38:]
    (tmp_path / "broken.pdb").write_text("\n".join(lines) + "\n")
    (found,) = problems_of(write_scene(tmp_path, "", molecule="broken.pdb"))
    assert found.startswith(f"{tmp_path / 'scene.yaml'}:4:11: molecules.hiv.path: {tmp_path / 'broken.pdb'}:300: ")
    (found,) = problems_of(write_scene(tmp_path, "    model: 3\n"))
    assert found.startswith(f"{tmp_path / 'scene.yaml'}:5:12: molecules.hiv.model: ") and "the file has 1" in found


def test_mol2_molecules_load_without_any_part(tmp_path):
    loaded = load_scene(write_scene(tmp_path, "    style: ball_and_stick\n", molecule="ethanol.mol2"))
    assert loaded.scene.parts == {} and loaded.structures["hiv"].atom_count == 3
    state = scene_state(loaded)
    (representation,) = state.molecules["hiv"].representations
    assert representation.style == "ball_and_stick" and representation.select == "not water"
    assert state.molecules["hiv"].scale_bar is not None  # 1 nm drawn as 1 cm by default


def test_steps_show_hide_and_override_molecules(tmp_path):
    path = write_scene(tmp_path, (
        "    scale_m_per_angstrom: 0.001\n"
        "    transform: {translation_m: [1, 2, 3], rotation_deg: [0, 90, 0], scale: 2}\n"
        "    labels: [{selection: ligand, text: {en: Drug, zh: 药物}}]\n"
        "lesson:\n  steps:\n"
        "    - {title: Default}\n"
        "    - {title: Gone, hide: [hiv]}\n"
        "    - title: Pocket\n"
        "      highlight: [hiv]\n"
        "      label: [hiv]\n"
        "      opacity: {hiv: 0.5}\n"
        "      molecules: {hiv: {representations: [{style: surface, select: protein}, {style: spacefill, "
        "select: ligand}], labels: [], scale_bar: false}}\n"
    ))  # fmt: skip
    loaded = load_scene(path)
    default, gone, pocket = (scene_state(loaded, i, "zh") for i in range(3))
    hiv = default.molecules["hiv"]
    assert hiv.shown and not gone.molecules["hiv"].shown and [r.style for r in hiv.representations] == [
        "cartoon", "ball_and_stick", "hbonds"]  # suggested from the file: protein, ligand, its H-bonds
    # Placement: transform @ scale @ centring; the ligand's centre lands where the matrix says.
    core = loaded.structures["hiv"].positions_a[~loaded.structures["hiv"].is_water].astype(float)
    centre = (core.min(axis=0) + core.max(axis=0)) / 2
    assert np.allclose(hiv.matrix @ [*centre, 1.0], [1, 2, 3, 1])
    assert np.allclose(hiv.matrix[:3, :3], [[0, 0, 0.002], [0, 0.002, 0], [-0.002, 0, 0]], atol=1e-12)
    texts = [label.text for label in default.labels]
    assert texts == ["药物", "1 nm"] and [label.text for label in gone.labels] == []
    ligand = loaded.structures["hiv"].is_ligand
    drug = default.labels[0].anchor_m
    assert np.allclose(drug, (hiv.matrix @ [*loaded.structures["hiv"].positions_a[ligand].mean(axis=0), 1])[:3])
    assert [r.style for r in pocket.molecules["hiv"].representations] == ["surface", "spacefill"]
    assert pocket.molecules["hiv"].highlighted and pocket.molecules["hiv"].opacity == 0.5
    assert pocket.molecules["hiv"].scale_bar is None and [label.text for label in pocket.labels] == ["hiv"]


@pytest.mark.parametrize(("extent_nm", "length_nm"), [(6.0, 1.0), (2.5, 1.0), (100.0, 20.0), (0.8, 0.2)])
def test_scale_bar_length_is_round_and_readable(extent_nm, length_nm):
    assert nice_length_nm(extent_nm) == length_nm


def test_scale_bar_is_on_only_when_magnified(tmp_path):
    tiny = load_scene(write_scene(tmp_path, "    scale_m_per_angstrom: 0.00001\n"))  # 1 nm = 0.1 mm
    assert scene_state(tiny).molecules["hiv"].scale_bar is None
    forced = load_scene(write_scene(tmp_path, "    scale_m_per_angstrom: 0.00001\n    scale_bar: true\n"))
    assert scene_state(forced).molecules["hiv"].scale_bar.length_nm == 1.0


@pytest.mark.gl
def test_gpu_scene_follows_steps_and_releases_what_it_no_longer_draws(headless, tmp_path):
    path = write_scene(tmp_path, "lesson:\n  steps:\n    - {title: A}\n"
                                 "    - {title: B, molecules: {hiv: {style: spacefill}}}\n")  # fmt: skip
    import trimesh

    trimesh.creation.icosphere(radius=0.1).export(tmp_path / "ball.glb")
    (tmp_path / "ball.yaml").write_text("version: 1\nparts: {ball: {mesh: ball.glb}}\n")
    ball = load_scene(tmp_path / "ball.yaml")
    headless.load(ball)
    registry = headless.context.resources
    before = registry.live_counts()
    loaded = load_scene(path)
    headless.load(loaded)
    assert set(headless.scene.molecules) == {"hiv", "hiv:scale-bar"}
    cartoon = headless.scene.molecules["hiv"]
    headless.scene.apply(scene_state(loaded, 0))
    assert headless.scene.molecules["hiv"] is cartoon  # same look: nothing rebuilt
    headless.scene.apply(scene_state(loaded, 1))
    spacefill = headless.scene.molecules["hiv"]
    assert spacefill is not cartoon and spacefill.sphere_count == loaded.structures["hiv"].atom_count - 80
    for _ in range(3):
        for step in (0, 1):
            headless.scene.apply(scene_state(loaded, step))
    headless.load(ball)
    assert headless.scene.molecules == {}
    assert registry.live_counts() == before


@pytest.mark.gl
def test_scale_bar_is_drawn_one_nanometre_long(headless, tmp_path, output_dir):
    fov = 30.0
    path = write_scene(tmp_path, (
        "    visible: true\n"
        "    representations: [{style: spacefill, select: ligand}]\n"
        "render: {background: '#000000', ambient_occlusion: 'off'}\n"
        f"camera: {{eye_m: [0, 0, 1.2], target_m: [0, 0, 0], vertical_fov_deg: {fov}}}\n"
    ))  # fmt: skip
    loaded = load_scene(path)
    state = scene_state(loaded)
    bar = state.molecules["hiv"].scale_bar
    headless.load(loaded)
    headless.scene.apply(state)
    size = 400
    image = headless.render(size, size, options=headless.options(labels=False))
    save_png(output_dir / "scale-bar.png", image)
    depth = 1.2 - bar.start_m[2]
    pixels_per_metre = size / (2 * depth * math.tan(math.radians(fov) / 2))
    row = int(round(size / 2 - bar.start_m[1] * pixels_per_metre))
    lit = np.flatnonzero(image[row - 1 : row + 2].max(axis=(0, 2)) > 60)
    measured_m = (lit.max() - lit.min() + 1) / pixels_per_metre
    radius_m = 0.035 * bar.length_m  # rounded ends reach one radius past each end
    assert measured_m == pytest.approx(bar.length_m + 2 * radius_m, rel=0.04)
    assert (lit.min() + 0.5 - size / 2) / pixels_per_metre == pytest.approx(bar.start_m[0] - radius_m, abs=0.004)


@pytest.mark.gl
def test_highlighted_molecule_is_tinted(headless, tmp_path, output_dir):
    path = write_scene(tmp_path, (
        "    representations: [{style: spacefill, select: protein, color: '#3050f0'}]\n"
        "    scale_bar: false\n"
        "render: {background: '#000000', highlight_color: '#ffc740'}\n"
        "lesson:\n  steps:\n    - {title: Plain}\n    - {title: Glow, highlight: [hiv]}\n"
    ))  # fmt: skip
    loaded = load_scene(path)
    headless.load(loaded)
    images = []
    for step in (0, 1):
        headless.scene.apply(scene_state(loaded, step))
        images.append(headless.render(160, 160, options=headless.options(labels=False)).astype(float))
    save_png(output_dir / "glow.png", images[1].astype(np.uint8))
    atoms = images[0].max(axis=2) > 20
    plain, glow = images[0][atoms].mean(axis=0), images[1][atoms].mean(axis=0)
    assert glow[0] - plain[0] > 30 and glow[2] < plain[2], (plain, glow)


def test_new_scaffolds_molecules_alone_and_beside_meshes(tmp_path, capsys):
    import trimesh

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    shutil.copy(HPV, downloads / "1hpv.pdb")
    (downloads / "ethanol.mol2").write_text(MOL2)
    trimesh.creation.capsule(height=0.25, radius=0.03).export(downloads / "biceps.obj")
    lesson = tmp_path / "lesson"
    lesson.mkdir()
    alone = lesson / "alone.yaml"
    assert main(["new", str(alone), "--from", str(downloads / "1hpv.pdb")]) == 0
    text = alone.read_text()
    assert "molecule_1hpv:" in text and "parts:" not in text and "scale_m_per_angstrom: 0.01" in text
    assert '{style: "cartoon", select: "protein", color: "chain"}' in text and 'select: "ligand"' in text
    loaded = load_scene(alone)
    assert [r.style for r in loaded.scene.molecules["molecule_1hpv"].representations] == [
        "cartoon", "ball_and_stick", "hbonds"]  # fmt: skip
    mixed = lesson / "mixed.yaml"
    assert main(["new", str(mixed), "--from", str(downloads / "biceps.obj"), str(downloads / "1hpv.pdb"),
                 str(downloads / "ethanol.mol2")]) == 0  # fmt: skip
    loaded = load_scene(mixed)
    assert set(loaded.scene.parts) == {"biceps"} and set(loaded.scene.molecules) == {"molecule_1hpv", "ethanol"}
    first, second = (loaded.scene.molecules[i].transform.translation_m[0] for i in ("molecule_1hpv", "ethanol"))
    assert 0.03 < first < second  # beside the anatomy, one after another
    capsys.readouterr()
    assert main(["info", str(mixed)]) == 0
    out = capsys.readouterr().out
    assert "molecules: 2" in out and "1,631 atoms" in out and "1,579 bonds" in out and "chain A: protein" in out


def test_example_scenes_use_molecules():
    lesson = load_scene(SCENES / "hiv-protease-lesson.yaml")
    assert len(lesson.scene.lesson.steps) == 5 and lesson.structures["protease"].atom_count == 1631
    muscle = load_scene(SCENES / "muscle-and-molecule.yaml")
    assert muscle.meshes["right_long_head_of_biceps_brachii"].triangle_count > 0  # a library part
    assert "right_short_head_of_biceps_brachii" in muscle.scene.groups["biceps"].parts
    assert scene_state(muscle, 0).molecules["protease"].scale_bar.length_nm == 1.0


def test_new_summarises_an_assembly_of_many_chains_in_readable_comments(tmp_path, capsys):
    """A tiled assembly (16 copies of 1hpv: 32 chains, 16 ligands): the molecule's comment counts the
    chains by kind instead of a line of 32 entries, and lists a dozen ligands, not all of them."""
    import sys

    sys.path.insert(0, str(ASSETS.parent / "benchmarks"))
    from tiled_mmcif import tiled_mmcif

    atoms = tiled_mmcif(16 * 1631, tmp_path / "assembly.cif")
    scene = tmp_path / "assembly.yaml"
    assert main(["new", str(scene), "--from", str(tmp_path / "assembly.cif")]) == 0
    text = scene.read_text()
    assert max(len(line) for line in text.splitlines()) < 200
    assert f"# {atoms} atoms" in text and "chains: 32 (32 protein): A0, B0, A1, B1," in text
    assert text.count("# ligand 478:") == 12 and "# ... and 4 more ligands" in text
    assert "scale_m_per_angstrom: 0.002  # 1 Å drawn as 2 mm" in text  # about 34 cm wide, not 1.7 m
    assert set(load_scene(scene).scene.molecules) == {"assembly"}


def test_a_molecule_or_mesh_named_as_the_scene_says_how_to_make_one(capsys):
    for command in (["validate", str(HPV)], ["info", str(HPV)], ["render", str(HPV), "-o", "unused.png"]):
        assert main(command) == 1
        err = capsys.readouterr().err
        assert "this is a molecule file, not a scene" in err and f"prosector new scene.yaml --from {HPV}" in err
        assert "YAML" not in err
    assert main(["validate", str(ASSETS / "library" / "parts" / "occipital_bone.glb")]) == 1
    assert "this is a mesh file, not a scene" in capsys.readouterr().err
