"""`prosector new`: a valid scene file from a teacher's own mesh files.

One part per file, or per named node inside a GLB/glTF; ids from the names; a material preset
guessed from the name where it is obvious; units guessed from the size (anatomy exported in
millimetres is common). Files outside the scene's folder are copied next to it, so the lesson is
one self-contained folder that can be shared. Never overwrites without --force.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np

from renderer.atomic_file import write_atomically
from renderer.errors import MeshError, ProsectorError
from renderer.scene.meshes import MESH_SUFFIXES, read_mesh_nodes

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


def make_id(name: str, taken: set[str]) -> str:
    base = re.sub(r"[^A-Za-z0-9_\-]+", "_", name).strip("_-") or "part"
    if not base[0].isalpha():
        base = "part_" + base
    base = base[:60]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    taken.add(candidate)
    return candidate


def scaffold_scene(scene_path: Path, sources: list[Path], force: bool = False) -> Path:
    if scene_path.suffix.lower() not in (".yaml", ".yml"):
        raise ProsectorError(f"{scene_path}: a scene file name ends in .yaml")
    if scene_path.exists() and not force:
        raise ProsectorError(f"{scene_path} already exists; choose another name or add --force to overwrite it")
    scene_dir = scene_path.resolve().parent
    if not scene_dir.is_dir():
        raise ProsectorError(f"folder {scene_path.parent} does not exist")
    entries, taken = [], set()
    for source in sources:
        if not source.is_file():
            raise ProsectorError(f"{source}: file not found")
        if source.suffix.lower() not in MESH_SUFFIXES:
            raise ProsectorError(f"{source}: not a mesh file (use {', '.join(sorted(MESH_SUFFIXES))})")
        pieces = read_mesh_nodes(source)  # raises MeshError naming the file
        relative = _place_next_to_scene(source, scene_dir)
        named = source.suffix.lower() in (".glb", ".gltf") and len(pieces) > 1
        for vertices, _faces, names in (
            pieces if named else [(np.concatenate([p[0] for p in pieces]), None, [source.stem])]
        ):
            if not np.isfinite(vertices).all():
                raise MeshError(source, "has vertices with non-finite coordinates (NaN or infinity)")
            extent = float((vertices.max(axis=0) - vertices.min(axis=0)).max())
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
    text = _render_yaml(scene_path.stem, entries)
    _write_atomically(scene_path, text)
    return scene_path


def _place_next_to_scene(source: Path, scene_dir: Path) -> str:
    resolved = source.resolve()
    if resolved.is_relative_to(scene_dir):
        return resolved.relative_to(scene_dir).as_posix()
    target_dir = scene_dir / "assets"
    target_dir.mkdir(exist_ok=True)
    target = target_dir / source.name
    if target.exists() and target.read_bytes() != resolved.read_bytes():
        raise ProsectorError(f"{target} exists and differs from {source}; rename one of them")
    if not target.exists():
        shutil.copy2(resolved, target)
        print(f"copied {source} to {target} so the lesson folder is self-contained")
    return target.relative_to(scene_dir).as_posix()


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _render_yaml(title: str, entries: list[tuple]) -> str:
    lines = [
        "# Prosector scene. Reference: docs/scene-format.md",
        "version: 1",
        f"title: {{en: {_quote(title)}}}",
        "parts:",
    ]
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


def _write_atomically(path: Path, text: str) -> None:
    write_atomically(path, lambda handle: handle.write(text.encode("utf-8")))
