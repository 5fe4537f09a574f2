"""`prosector info SCENE --json`: what a scene holds, as one JSON object for scripts and checks.

    {"scene", "title", "language", "triangles",
     "bounds_m": [[x, y, z], [x, y, z]]           scene space, metres, Y up, visible or not,
     "parts": [{"id", "name", "material", "triangles", "vertices", "visible", "bounds_m",
                "source": {"file", "node"}}],
     "molecules": [{"id", "name", "source": {"file", "model"}, "atoms", "bonds", "residues", "waters",
                    "chains": [{"id", "kind", "residues", "atoms"}], "secondary": {"helix", "strand", "coil"},
                    "hbonds": {"total", "ligand"}, "ligands": [{"name", "chain", "residue", "atoms"}],
                    "bounds_m", "visible"}]}

`material` is the preset's name (bone, muscle...) or "custom" (a scene material or an inline one);
`name` is in the scene's language. Chain kinds: protein, nucleic, ligand, water (a chain id may
appear once per kind: chain A's protein and chain A's waters). Secondary counts are residues.
"""

from __future__ import annotations

import json

import numpy as np

from renderer.gpu.scene import model_matrix
from renderer.maths import transform_points
from renderer.scene.fields import text_in
from renderer.scene.materials import PRESETS


def scene_report(loaded, source: str) -> dict:
    scene = loaded.scene
    language = scene.language
    parts, boxes = [], []
    for part_id, part in scene.parts.items():
        mesh = loaded.meshes[part_id]
        world = transform_points(model_matrix(part), mesh.positions.astype(np.float64))
        box = _box(world)
        boxes.append(box)
        material = part.material if isinstance(part.material, str) and part.material in PRESETS else "custom"
        parts.append({"id": part_id, "name": text_in(part.name, language) or part_id, "material": material,
                      "triangles": int(mesh.triangle_count), "vertices": int(len(mesh.positions)),
                      "visible": bool(part.visible), "bounds_m": _list(box),
                      "source": {"file": part.mesh, "node": part.node}})  # fmt: skip
    molecules = []
    for molecule_id, spec in scene.molecules.items():
        report, box = _molecule(molecule_id, spec, loaded.structures[molecule_id], language)
        molecules.append(report)
        boxes.append(box)
    bounds = [np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)] if boxes else None
    return {"scene": source, "title": text_in(scene.title, language), "language": language,
            "triangles": int(loaded.triangle_count), "bounds_m": _list(bounds) if bounds else None,
            "parts": parts, "molecules": molecules}  # fmt: skip


def molecule_report(structure) -> dict:
    """Counts of one structure (renderer.molecules.structure.Structure): atoms, bonds, residues,
    chains with kinds, secondary structure residue counts, hydrogen bonds, ligands."""
    from renderer.molecules.chains import atom_kinds
    from renderer.molecules.hbonds import hbond_count
    from renderer.molecules.structure import residue_keys

    s = structure
    keys = residue_keys(s)
    kinds = atom_kinds(s)
    chains = []
    if s.atom_count:
        chain_kind = np.char.add(np.char.add(s.chain_ids.astype(str), "\t"), kinds)
        _, first = np.unique(chain_kind, return_index=True)
        for index in np.sort(first).tolist():
            mask = (s.chain_ids == s.chain_ids[index]) & (kinds == kinds[index])
            chains.append({"id": str(s.chain_ids[index]), "kind": str(kinds[index]),
                           "residues": int(len(np.unique(keys[mask]))), "atoms": int(mask.sum())})  # fmt: skip
    first_of_residue = np.ones(s.atom_count, bool)
    first_of_residue[1:] = keys[1:] != keys[:-1]
    per_residue = s.secondary[first_of_residue]
    ligand = s.is_ligand
    ligands = []
    for key in np.unique(keys[ligand]).tolist():
        atoms = np.flatnonzero(keys == key)
        ligands.append({"name": str(s.res_names[atoms[0]]), "chain": str(s.chain_ids[atoms[0]]),
                        "residue": int(s.res_ids[atoms[0]]), "atoms": int(len(atoms))})  # fmt: skip
    return {
        "atoms": int(s.atom_count), "bonds": int(s.bond_count), "residues": int(keys[-1] + 1) if s.atom_count else 0,
        "waters": int(len(np.unique(keys[s.is_water]))), "chains": chains,
        "secondary": {"helix": int((per_residue == "a").sum()), "strand": int((per_residue == "b").sum()),
                      "coil": int((per_residue == "c").sum())},
        "hbonds": {"total": hbond_count(s), "ligand": hbond_count(s, ligand) if ligand.any() else 0},
        "ligands": ligands,
    }  # fmt: skip


def _molecule(molecule_id, spec, structure, language) -> tuple[dict, np.ndarray]:
    from renderer.scene.molecule_state import core_mask, molecule_matrix, world_points

    world = world_points(structure, molecule_matrix(spec, structure), core_mask(structure))
    box = _box(world)
    report = {"id": molecule_id, "name": text_in(spec.name, language) or molecule_id,
              "source": {"file": spec.path, "model": int(spec.model)}}  # fmt: skip
    report.update(molecule_report(structure))
    report.update({"bounds_m": _list(box), "visible": bool(spec.visible)})
    return report, box


def _box(points: np.ndarray) -> np.ndarray:
    if len(points) == 0:
        return np.zeros((2, 3))
    return np.array([points.min(axis=0), points.max(axis=0)])


def _list(box) -> list:
    return [[round(float(v), 6) for v in corner] for corner in box]


def print_json(loaded, source: str) -> None:
    print(json.dumps(scene_report(loaded, source), indent=2, ensure_ascii=False))
