"""`prosector new`: a valid scene file from a teacher's own mesh and molecule files.

One part per mesh file, or per named node inside a GLB/glTF (node transforms applied). One unit and
up axis for the whole batch, from the set's combined size and shape, written as `defaults:` with the
reason (scaffold_frame); clean names and ids with dataset ids kept as `ids:` (scaffold_names); tissue
from an anatomical vocabulary, folders and dataset metadata (scaffold_tissue); groups by system and
region (scaffold_groups). One molecule entry per PDB, mmCIF, SDF or MOL2 file, with the
representations `describe_molecule` suggests (cartoon, the ligand, its hydrogen bonds); next to
meshes, molecules are magnified to a size comparable to the anatomy and placed beside it. Files
outside the scene's folder are copied next to it, so the lesson is one self-contained folder that
can be shared. Never overwrites without --force.
"""

from __future__ import annotations

import filecmp
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from renderer import progress
from renderer.atomic_file import TargetError, check_target, copy_atomically, write_atomically
from renderer.errors import MeshError, ProsectorError
from renderer.scene.meshes import MESH_SUFFIXES, read_mesh_nodes
from renderer.scene.molecule_spec import MOLECULE_SUFFIXES
from renderer.scene.scaffold_check import check_generated_scene
from renderer.scene.scaffold_frame import combined, decide_frame, detached_files
from renderer.scene.scaffold_groups import plan_groups
from renderer.scene.scaffold_names import clean_name, find_metadata, make_id
from renderer.scene.scaffold_tissue import guess_preset, guess_tissue
from renderer.scene.scaffold_yaml import PartEntry, defaults_yaml, groups_yaml, header, parts_yaml, quote

__all__ = ["guess_preset", "guess_unit", "make_id", "scaffold_scene"]

UNIT_METRES = {"m": 1.0, "cm": 0.01, "mm": 0.001}
# Files that come with meshes (`--from downloads/*` picks them up too): skipped, not refused.
COMPANION_SUFFIXES = {".mtl", ".bin", ".png", ".jpg", ".jpeg", ".ktx2", ".webp", ".json", ".txt", ".md"}
MOLECULE_ALONE_MAX_M = 0.6  # a molecule scaffolded alone is at most this wide (a 1M-atom assembly: 5 m at 10 mm/Å)
LISTED_MAX = 12  # chains and ligands named one by one in a molecule's comments; past this, counts


def guess_unit(extent: float) -> str:
    """Unit of one mesh from its largest extent (file units); a batch is decided by `decide_frame`."""
    return decide_frame([np.array([[0.0, 0.0, 0.0], [extent, extent, extent]])]).unit


def scaffold_scene(scene_path: Path, sources: list[Path], force: bool = False) -> Path:
    if scene_path.suffix.lower() not in (".yaml", ".yml"):
        raise ProsectorError(f"{scene_path}: a scene file name ends in .yaml")
    check_target(scene_path, exclusive=not force)  # early and clear; the write itself is exclusive too
    scene_dir = scene_path.absolute().parent.resolve()
    meshes, molecules = [], []
    for source in sources:
        if not source.is_file():
            raise ProsectorError(f"{source}: file not found")
        if _is_molecule(source):
            molecules.append(source)
        elif source.suffix.lower() in COMPANION_SUFFIXES:
            print(f"skipped {source}: read with the meshes it belongs to (materials, textures, metadata)",
                  file=sys.stderr)  # fmt: skip
        elif source.suffix.lower() in MESH_SUFFIXES:
            meshes.append(source)
        else:
            raise ProsectorError(f"{source}: not a mesh or molecule file (use "
                                 f"{', '.join(sorted({*MESH_SUFFIXES, *MOLECULE_SUFFIXES}))})")  # fmt: skip
    taken: set[str] = set()
    entries, frame, anatomy, groups = _mesh_entries(meshes, scene_dir, taken)
    molecule_entries = _molecule_entries(molecules, scene_dir, taken, anatomy)
    single = {e.preset for e in entries}
    grouped = {part_id for _g, _n, preset, ids in groups if preset for part_id in ids}
    lines = header(scene_path.stem)
    lines += defaults_yaml(frame, next(iter(single)) if len(single) == 1 else None)
    lines += parts_yaml(entries, grouped | (set(e.part_id for e in entries) if len(single) == 1 else set()))
    lines += groups_yaml(groups)
    text = "\n".join(lines) + "\n" + _molecules_yaml(molecule_entries)
    check_generated_scene(scene_path, text)
    write_atomically(scene_path, lambda handle: handle.write(text.encode("utf-8")), exclusive=not force)
    if frame is not None:
        _summarise(entries, frame)
    return scene_path


def _summarise(entries: list[PartEntry], frame) -> None:
    """What was guessed, in a few lines, so a teacher knows what to check in the file."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.preset] = counts.get(entry.preset, 0) + 1
    tissues = ", ".join(f"{n} {preset}" for preset, n in sorted(counts.items(), key=lambda item: -item[1]))
    print(f"{len(entries)} part(s), unit {frame.unit}, up axis {frame.up_axis} for the whole set; {tissues}")
    hidden = [e.part_id for e in entries if e.hidden_why]
    if hidden:
        print(f"left hidden, in another scale or frame than the rest: {', '.join(hidden)} (see their comments)")


def _mesh_entries(meshes: list[Path], scene_dir: Path, taken: set[str]):
    """(part entries, batch frame or None, (2, 3) anatomy box in metres or None, groups)."""
    if not meshes:
        return [], None, None, []
    metadata = find_metadata(meshes)
    pieces_by_file, boxes = [], []
    for source in progress.track(meshes, "reading meshes", unit="file"):
        pieces = read_mesh_nodes(source)  # raises MeshError naming the file
        for vertices, _faces, _names in pieces:
            if not np.isfinite(vertices).all():
                raise MeshError(source, "has vertices with non-finite coordinates (NaN or infinity)")
        everything = np.concatenate([p[0] for p in pieces])
        pieces_by_file.append(pieces)
        boxes.append(np.array([everything.min(axis=0), everything.max(axis=0)]))
    frame = decide_frame(boxes)
    units = [frame.overrides.get(i, (frame.unit, ""))[0] for i in range(len(meshes))]
    boxes_m = [box * UNIT_METRES[unit] for box, unit in zip(boxes, units, strict=True)]
    hidden = detached_files(boxes_m)
    entries = []
    for index, (source, pieces) in enumerate(zip(meshes, pieces_by_file, strict=True)):
        relative = _place_next_to_scene(source, scene_dir)
        info = metadata.get(source)
        folders = [source.resolve().parent.name, source.resolve().parent.parent.name]
        named = source.suffix.lower() in (".glb", ".gltf") and len(pieces) > 1
        for _vertices, _faces, names in pieces if named else [(None, None, [source.stem])]:
            raw = names[0]
            name, ids = clean_name(raw)
            if info is not None and not named:
                name, ids = (info.label or name), {**ids, **info.ids}
            groups = [*(info.groups if info else []), *folders]
            preset, tissue_why = guess_tissue(name, groups)
            entry = PartEntry(make_id(name, taken), relative, raw if named else None, name, preset, ids,
                              tissue_why=tissue_why)  # fmt: skip
            if index in frame.overrides:
                entry.unit, entry.unit_why = frame.overrides[index]
            entry.hidden_why = hidden.get(index)
            entries.append(entry)
    shown = [b for i, b in enumerate(boxes_m) if i not in hidden] or boxes_m
    anatomy = _to_scene_axes(combined(shown), frame.up_axis)
    groups = plan_groups([(e.part_id, e.preset, e.name) for e in entries])
    return entries, frame, anatomy, groups


def _to_scene_axes(box: np.ndarray, up_axis: str) -> np.ndarray:
    """A (2, 3) box in file axes as a box in scene axes (Y up), as `load_mesh` turns meshes."""
    if up_axis != "z":
        return box
    corners = np.array([[x, y, z] for x in box[:, 0] for y in box[:, 1] for z in box[:, 2]])
    turned = corners[:, [0, 2, 1]] * np.array([1.0, 1.0, -1.0])
    return np.array([turned.min(axis=0), turned.max(axis=0)])


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


def _is_molecule(source: Path) -> bool:
    return any(source.name.lower().endswith(suffix) for suffix in MOLECULE_SUFFIXES)


def _round_down(value: float) -> float:
    """The largest 1, 2 or 5 times a power of ten not above `value` (> 0)."""
    power = 10.0 ** np.floor(np.log10(value))
    return float(max(m * power for m in (1.0, 2.0, 5.0) if m * power <= value * (1 + 1e-9)))


def _molecule_entries(sources: list[Path], scene_dir: Path, taken: set[str], anatomy: np.ndarray | None) -> list:
    """(id, relative path, summary, scale m/Å, translation m) per molecule file. Alone, 1 Å is drawn as
    10 mm (a protein the size of a head), or smaller for an assembly that would otherwise be metres
    wide; beside anatomy, each molecule is scaled to about 40% of the anatomy's size and put to its
    right, one after another."""
    from renderer.molecules.describe import describe_molecule

    out = []
    next_x = float(anatomy[1][0]) if anatomy is not None else 0.0
    with progress.task("reading molecules", len(sources), unit="file") as bar:
        summaries = []
        for source in sources:
            bar.note(source.name)
            summaries.append(describe_molecule(source))  # raises MoleculeError naming the file and line
            bar.advance()
    for source, summary in zip(sources, summaries):
        relative = _place_next_to_scene(source, scene_dir)
        extent_a = max(float(np.ptp(np.asarray(summary.bounds_a), axis=0).max()), 1.0)
        if anatomy is None:
            scale, translation = min(0.01, _round_down(MOLECULE_ALONE_MAX_M / extent_a)), (0.0, 0.0, 0.0)
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
        lines.append(f"  {molecule_id}:  # {summary.atoms} atoms, {summary.bonds} bonds; chains: {_chains_text(summary)}")
        lines.append(f"    path: {quote(path)}")
        lines.append(f"    name: {{en: {quote(summary.title or Path(path).stem.upper())}}}")
        lines.append(f"    scale_m_per_angstrom: {scale:g}  # 1 Å drawn as {scale * 1000:g} mm")
        if any(translation):
            lines.append(f"    transform: {{translation_m: [{', '.join(f'{v:.3f}' for v in translation)}]}}"
                         "  # beside the anatomy")  # fmt: skip
        if summary.models > 1:
            lines.append(f"    model: 1  # the file has {summary.models} models")
        lines.append("    representations:  # suggested from the file; see docs/scene-format.md")
        for rep in summary.suggested_representations():
            fields = ", ".join(f"{key}: {quote(value)}" for key, value in rep.items())
            lines.append(f"      - {{{fields}}}")
        for ligand in summary.ligands[:LISTED_MAX]:
            selection = quote(ligand.selection)
            lines.append(f"    # ligand {ligand.res_name}: {ligand.atoms} atoms; select it with {selection}")
        if len(summary.ligands) > LISTED_MAX:
            lines.append(f"    # ... and {len(summary.ligands) - LISTED_MAX} more ligands (`prosector info` of this scene lists them all)")
    return "\n".join(lines) + "\n"


def _chains_text(summary) -> str:
    """The chains for the molecule's comment line: each one for a protein or two, counts by kind for
    an assembly of hundreds (a line a teacher can still read)."""
    if not summary.chains:
        return "none"
    if len(summary.chains) <= LISTED_MAX:
        return ", ".join(f"{c.chain_id or '-'} ({c.kind}, {c.residues} residues)" for c in summary.chains)
    counts = ", ".join(f"{count} {kind}" for kind, count in Counter(c.kind for c in summary.chains).items())
    first = ", ".join(c.chain_id or "-" for c in summary.chains[:LISTED_MAX])
    return f"{len(summary.chains)} ({counts}): {first}, ..."
