"""`prosector new`: a valid scene file from a teacher's own mesh and molecule files.

One part per mesh file, or per named node inside a GLB/glTF; ids from the names; a material preset
guessed from the name where it is obvious; units guessed from the size (anatomy exported in
millimetres is common). One molecule entry per PDB, mmCIF, SDF or MOL2 file, with the
representations `describe_molecule` suggests (cartoon, the ligand, its hydrogen bonds); next to
meshes, molecules are magnified to a size comparable to the anatomy and placed beside it. Files
outside the scene's folder are copied next to it, so the lesson is one self-contained folder that
can be shared. Never overwrites without --force.
"""

from __future__ import annotations

import filecmp
import re
from pathlib import Path

import numpy as np

from renderer.atomic_file import TargetError, check_target, copy_atomically, write_atomically
from renderer.errors import MeshError, ProsectorError
from renderer.scene.meshes import MESH_SUFFIXES, read_mesh_nodes
from renderer.scene.molecule_spec import MOLECULE_SUFFIXES
from renderer.scene.scaffold_check import check_generated_scene

UNIT_METRES = {"m": 1.0, "cm": 0.01, "mm": 0.001}

# Keyword -> preset, checked in order; the first keyword found in a lower-cased name wins.
_PRESET_KEYWORDS = [
    (("artery", "aorta", "arterial", "carotid"), "artery"),
    (("vein", "venous", "vena", "sinus"), "vein"),
    (("nerve", "plexus", "spinal_cord", "cord"), "nerve"),
    (("white_matter", "white", "wm"), "brain_white_matter"),
    (("pial", "cortex", "grey", "gray", "brain", "cerebr", "gyrus", "gm"), "brain_grey_matter"),
    (("cartilage", "meniscus", "disc"), "cartilage"),
    (("tendon",), "tendon"),
    (("ligament",), "ligament"),
    (("fat", "adipose"), "fat"),
    (("skin", "head", "face", "body"), "skin"),
    (
        (
            "muscle",
            "biceps",
            "triceps",
            "deltoid",
            "quadriceps",
            "gluteus",
            "pectoralis",
            "trapezius",
            "diaphragm",
            "myocardium",
        ),
        "muscle",
    ),
    (
        (
            "bone",
            "skull",
            "femur",
            "tibia",
            "fibula",
            "humerus",
            "radius",
            "ulna",
            "vertebra",
            "rib",
            "pelvis",
            "scapula",
            "clavicle",
            "mandible",
            "sternum",
            "patella",
            "skeleton",
            "cranium",
            "carpal",
            "tarsal",
        ),
        "bone",
    ),
    (("heart", "liver", "kidney", "lung", "spleen", "stomach", "pancreas", "intestine", "colon", "bladder"), "organ"),
    (("membrane", "pleura", "pericardium", "dura", "peritoneum"), "membrane"),
]


def guess_preset(name: str) -> str:
    words = name.lower().replace("-", "_").replace(" ", "_")
    for keywords, preset in _PRESET_KEYWORDS:
        if any(k in words for k in keywords):
            return preset
    return "organ"


def guess_unit(extent: float) -> str:
    """Unit from the largest extent of a mesh: a body part is 1 cm..2 m."""
    if extent > 20.0:
        return "mm"
    if extent > 3.0:
        return "cm"
    return "m"


def make_id(name: str, taken: set[str], kind: str = "part") -> str:
    base = re.sub(r"[^A-Za-z0-9_\-]+", "_", name).strip("_-") or kind
    if not base[0].isalpha():
        base = f"{kind}_" + base
    base = base[:60]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def scaffold_scene(scene_path: Path, sources: list[Path], force: bool = False) -> Path:
    if scene_path.suffix.lower() not in (".yaml", ".yml"):
        raise ProsectorError(f"{scene_path}: a scene file name ends in .yaml")
    check_target(scene_path, exclusive=not force)  # early and clear; the write itself is exclusive too
    scene_dir = scene_path.absolute().parent.resolve()
    entries, molecules, taken, boxes = [], [], set(), []
    for source in sources:
        if not source.is_file():
            raise ProsectorError(f"{source}: file not found")
        if _is_molecule(source):
            molecules.append(source)
            continue
        if source.suffix.lower() not in MESH_SUFFIXES:
            raise ProsectorError(f"{source}: not a mesh or molecule file (use "
                                 f"{', '.join(sorted({*MESH_SUFFIXES, *MOLECULE_SUFFIXES}))})")  # fmt: skip
        pieces = read_mesh_nodes(source)  # raises MeshError naming the file
        relative = _place_next_to_scene(source, scene_dir)
        named = source.suffix.lower() in (".glb", ".gltf") and len(pieces) > 1
        for vertices, _faces, names in (
            pieces if named else [(np.concatenate([p[0] for p in pieces]), None, [source.stem])]
        ):
            if not np.isfinite(vertices).all():
                raise MeshError(source, "has vertices with non-finite coordinates (NaN or infinity)")
            extent = float((vertices.max(axis=0) - vertices.min(axis=0)).max())
            boxes.append(np.array([vertices.min(axis=0), vertices.max(axis=0)]) * UNIT_METRES[guess_unit(extent)])
            label = names[0]
            entries.append(
                (
                    make_id(label, taken),
                    relative,
                    names[0] if named else None,
                    guess_preset(label),
                    guess_unit(extent),
                    label,
                )
            )
    anatomy = np.array([np.min([b[0] for b in boxes], axis=0), np.max([b[1] for b in boxes], axis=0)]) \
        if boxes else None  # fmt: skip
    molecule_entries = _molecule_entries(molecules, scene_dir, taken, anatomy)
    text = _render_yaml(scene_path.stem, entries) + _molecules_yaml(molecule_entries)
    check_generated_scene(scene_path, text)
    write_atomically(scene_path, lambda handle: handle.write(text.encode("utf-8")), exclusive=not force)
    return scene_path


def _place_next_to_scene(source: Path, scene_dir: Path) -> str:
    resolved = source.resolve()
    if resolved.is_relative_to(scene_dir):
        return resolved.relative_to(scene_dir).as_posix()
    target_dir = scene_dir / "assets"
    target_dir.mkdir(exist_ok=True)
    target = target_dir / source.name
    try:
        copy_atomically(resolved, target, exclusive=True)
        print(f"copied {source} to {target} so the lesson folder is self-contained")
    except TargetError:
        if not (target.is_file() and filecmp.cmp(resolved, target, shallow=False)):
            raise ProsectorError(f"{target} exists and differs from {source}; rename one of them") from None
    return target.relative_to(scene_dir).as_posix()


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_yaml(title: str, entries: list[tuple]) -> str:
    lines = [
        "# Prosector scene. Reference: docs/scene-format.md",
        "version: 1",
        f"title: {{en: {_quote(title)}}}",
    ]
    lines += ["parts:"] if entries else []
    for part_id, path, node, preset, unit, label in entries:
        lines.append(f"  {part_id}:")
        lines.append(f"    mesh: {_quote(path)}")
        if node:
            lines.append(f"    node: {_quote(node)}")
        if unit != "m":
            lines.append(f"    unit: {unit}  # guessed from the mesh size")
        lines.append(f"    name: {{en: {_quote(label.replace('_', ' '))}}}")
        lines.append(f"    material: {preset}")
    return "\n".join(lines) + "\n"


def _is_molecule(source: Path) -> bool:
    return any(source.name.lower().endswith(suffix) for suffix in MOLECULE_SUFFIXES)


def _round_down(value: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above `value` (> 0)."""
    power = 10.0 ** np.floor(np.log10(value))
    return float(max(m * power for m in (1.0, 2.0, 5.0) if m * power <= value * (1 + 1e-9)))


def _molecule_entries(sources: list[Path], scene_dir: Path, taken: set[str], anatomy: np.ndarray | None) -> list:
    """(id, relative path, summary, scale m/Å, translation m) per molecule file. Beside anatomy, each
    molecule is scaled to about 40% of the anatomy's size and put to its right, one after another."""
    from renderer.molecules.describe import describe_molecule

    out = []
    next_x = float(anatomy[1][0]) if anatomy is not None else 0.0
    for source in sources:
        summary = describe_molecule(source)  # raises MoleculeError naming the file and line
        relative = _place_next_to_scene(source, scene_dir)
        extent_a = max(float(np.ptp(np.asarray(summary.bounds_a), axis=0).max()), 1.0)
        if anatomy is None:
            scale, translation = 0.01, (0.0, 0.0, 0.0)
        else:
            size_m = float((anatomy[1] - anatomy[0]).max())
            scale = _round_down(0.4 * size_m / extent_a)
            half = extent_a * scale / 2
            translation = (next_x + 0.2 * size_m + half, float(anatomy.mean(axis=0)[1]), float(anatomy.mean(axis=0)[2]))
            next_x = translation[0] + half
        out.append((make_id(source.stem, taken, "molecule"), relative, summary, scale, translation))
    return out


def _molecules_yaml(entries: list) -> str:
    if not entries:
        return ""
    lines = ["molecules:"]
    for molecule_id, path, summary, scale, translation in entries:
        chains = ", ".join(f"{c.chain_id or '-'} ({c.kind}, {c.residues} residues)" for c in summary.chains)
        lines.append(f"  {molecule_id}:  # {summary.atoms} atoms, {summary.bonds} bonds; chains: {chains or 'none'}")
        lines.append(f"    path: {_quote(path)}")
        lines.append(f"    name: {{en: {_quote(summary.title or Path(path).stem.upper())}}}")
        lines.append(f"    scale_m_per_angstrom: {scale:g}  # 1 Å drawn as {scale * 1000:g} mm")
        if any(translation):
            lines.append(f"    transform: {{translation_m: [{', '.join(f'{v:.3f}' for v in translation)}]}}"
                         "  # beside the anatomy")  # fmt: skip
        if summary.models > 1:
            lines.append(f"    model: 1  # the file has {summary.models} models")
        lines.append("    representations:  # suggested from the file; see docs/scene-format.md")
        for rep in summary.suggested_representations():
            fields = ", ".join(f"{key}: {_quote(value)}" for key, value in rep.items())
            lines.append(f"      - {{{fields}}}")
        for ligand in summary.ligands:
            selection = _quote(ligand.selection)
            lines.append(f"    # ligand {ligand.res_name}: {ligand.atoms} atoms; select it with {selection}")
    return "\n".join(lines) + "\n"
