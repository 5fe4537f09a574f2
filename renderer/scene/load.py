"""Load a scene file: read safely (with its includes), validate the model, check references and assets.

`load_scene` either returns a `LoadedScene` or raises `SceneError` listing every problem found,
each at FILE:LINE:COLUMN. It never writes to the teacher's files and raises nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from renderer import progress
from renderer.errors import MeshError, MoleculeError, Problem, SceneError, SelectionError
from renderer.library.expand import expand_library
from renderer.scene import limits
from renderer.scene.assets import AssetPathError, allowed_roots, resolve_asset
from renderer.scene.includes import read_document, read_scene_text
from renderer.scene.meshes import MESH_SUFFIXES, MeshData, load_mesh
from renderer.scene.model import Scene
from renderer.scene.molecule_spec import MOLECULE_SUFFIXES, MoleculeSpec, molecule_format
from renderer.scene.parallel_reads import parallel_reads
from renderer.scene.part_masks import load_part_masks, resolve_mask_paths
from renderer.scene.problems import validation_problems
from renderer.scene.references import check_references
from renderer.scene.yaml_source import SourceMap, format_path

__all__ = ["LoadedScene", "check_references", "load_scene", "read_scene_text"]


@dataclass
class LoadedScene:
    """A validated scene, where it came from, and (when loaded) each part's mesh by part id."""

    path: Path
    scene: Scene
    source: SourceMap
    asset_paths: dict[str, Path] = field(default_factory=dict)
    molecule_paths: dict[str, Path] = field(default_factory=dict)
    meshes: dict[str, MeshData] = field(default_factory=dict)
    mask_paths: dict[tuple, Path] = field(default_factory=dict)  # material location -> alpha-mask image
    masks: dict = field(default_factory=dict)  # part id -> renderer.scene.alpha_masks.AlphaMask (when loaded)
    structures: dict = field(default_factory=dict)  # molecule id -> renderer.molecules.structure.Structure
    roots: tuple[Path, ...] = ()  # folders its assets may be read from (renderer.scene.assets.allowed_roots)

    @property
    def triangle_count(self) -> int:
        return sum(m.triangle_count for m in self.meshes.values())


def load_scene(path: Path | str, load_assets: bool = True, asset_roots: list[Path] | None = None) -> LoadedScene:
    """Read, validate and (with `load_assets`) load the meshes of a scene file."""
    path = Path(path)
    _refuse_asset_given_as_scene(path)
    try:
        roots = allowed_roots(path, asset_roots)
    except (OSError, RuntimeError) as exc:
        raise SceneError([Problem(str(path), 1, 1, f"cannot use the scene's folder: {exc}")]) from None
    data, source = read_document(path, roots)
    if not isinstance(data, dict):
        raise SceneError([source.problem((), "a scene file is a block of keys, starting with `version: 1`")])
    problems = expand_library(data, source)  # library parts become ordinary parts (and groups) first
    problems += check_references(data, source)
    try:
        scene = Scene.model_validate(data)
    except ValidationError as exc:
        problems += _resolve_assets(data, source, roots, None)
        raise SceneError(_unique(validation_problems(exc, data, source, Scene) + problems)) from None
    except (RecursionError, ValueError, TypeError) as exc:  # a validator bug must still read as a scene problem
        raise SceneError([source.problem((), f"cannot validate the scene: {exc}")]) from None
    loaded = LoadedScene(path=path, scene=scene, source=source, roots=tuple(roots))
    problems += _resolve_assets(data, source, roots, loaded)
    if problems:
        raise SceneError(problems)
    if load_assets:
        problems = _load_meshes(loaded) + _load_molecules(loaded)
        problems += load_part_masks(loaded)
        if problems:
            raise SceneError(problems)
    return loaded


def _refuse_asset_given_as_scene(path: Path) -> None:
    """A mesh or molecule named where a scene goes (`prosector render 1hpv.pdb`) would otherwise be
    read as YAML and fail with a syntax error at some line of the PDB file."""
    suffix = path.suffix.lower()
    what = "molecule" if suffix in MOLECULE_SUFFIXES else "mesh" if suffix in MESH_SUFFIXES else None
    if what is not None:
        raise SceneError([Problem(str(path), 1, 1, f"this is a {what} file, not a scene: make a scene from it "
                                  f"with `prosector new scene.yaml --from {path}`, then give scene.yaml here")])


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _resolve_assets(data: dict, source: SourceMap, roots: list[Path], loaded: LoadedScene | None) -> list[Problem]:
    """Absolute paths of meshes and molecules, each relative to the file it was written in.

    Works on the plain document so that path problems are reported even when the model has others.
    """
    problems = []
    for section, key, what in (("parts", "mesh", "mesh file"), ("molecules", "path", "molecule file")):
        table = data.get(section)
        for item_id, item in (table.items() if isinstance(table, dict) else []):
            relative = item.get(key) if isinstance(item, dict) else None
            if not isinstance(relative, str):
                continue
            where = (section, item_id, key)
            try:
                resolved = resolve_asset(Path(source.file_of(where)), relative, roots, what=what)
            except AssetPathError as exc:
                problems.append(source.problem(where, f"{format_path(where)}: {exc}"))
                continue
            if loaded is not None:
                (loaded.asset_paths if section == "parts" else loaded.molecule_paths)[item_id] = resolved
    mask_paths, mask_problems = resolve_mask_paths(data, source, roots)
    problems += mask_problems
    if loaded is not None:
        loaded.mask_paths = mask_paths
    for molecule_id, spec in (loaded.scene.molecules.items() if loaded else []):
        if molecule_format(spec) is None:
            where = ("molecules", molecule_id, "path")
            problems.append(source.problem(where, f"{format_path(where)}: cannot tell the format of '{spec.path}' "
                                                  "from its name; add `format:` pdb, mmcif, sdf or mol2"))  # fmt: skip
    return problems


def _load_meshes(loaded: LoadedScene) -> list[Problem]:
    problems, total = [], 0
    parts = list(loaded.scene.parts.items())
    reads = parallel_reads(parts, lambda item: load_mesh(loaded.asset_paths[item[0]], item[1].node, item[1].unit,
                                                         item[1].up_axis, loaded.roots))  # fmt: skip
    for (part_id, part), read in progress.track(reads, "reading meshes", total=len(parts), unit="mesh"):
        where = ("parts", part_id, "node" if part.node else "mesh")
        try:
            mesh = read()
        except MeshError as exc:
            problems.append(loaded.source.problem(where, f"{format_path(where)}: mesh {exc}"))
            continue
        except OSError as exc:
            problems.append(loaded.source.problem(where, f"{format_path(where)}: cannot read the mesh: {exc.strerror}"))
            continue
        total += mesh.triangle_count
        if total > limits.MAX_TRIANGLES_PER_SCENE:
            problems.append(loaded.source.problem(where, f"{format_path(where)}: the scene exceeds "
                                                         f"{limits.MAX_TRIANGLES_PER_SCENE:,} triangles"))  # fmt: skip
            break
        loaded.meshes[part_id] = mesh
    return problems


def _load_molecules(loaded: LoadedScene) -> list[Problem]:
    """Read each molecule's structure and check that every selection written for it picks atoms."""
    if not loaded.scene.molecules:
        return []
    try:
        from renderer.molecules.io import read_structure  # noqa: F401  (read in _read_molecule)
        from renderer.molecules.representations import build_drawables  # noqa: F401  (drawing needs it too)
    except ImportError as exc:
        where = ("molecules", next(iter(loaded.scene.molecules)))
        message = f"this installation cannot read molecules ({exc}); reinstall: pip install --force-reinstall prosector"
        return [loaded.source.problem(where, f"{format_path(where)}: {message}")]
    problems, total = [], 0
    with progress.task("reading molecules", len(loaded.scene.molecules), unit="file") as bar:
        for molecule_id, spec in loaded.scene.molecules.items():
            bar.note(loaded.molecule_paths[molecule_id].name)
            problem, structure = _read_molecule(loaded, molecule_id, spec)
            bar.advance()
            if problem is not None:
                problems.append(problem)
                continue
            total += structure.atom_count
            if total > limits.MAX_ATOMS_PER_SCENE:
                where = ("molecules", molecule_id, "path")
                problems.append(loaded.source.problem(where, f"{format_path(where)}: the scene exceeds "
                                                             f"{limits.MAX_ATOMS_PER_SCENE:,} atoms"))  # fmt: skip
                break
            loaded.structures[molecule_id] = structure
            problems += _empty_selections(loaded, molecule_id, spec, structure)
            problems += _empty_cartoons(loaded, molecule_id, spec, structure)
    return problems


def _read_molecule(loaded: LoadedScene, molecule_id: str, spec: MoleculeSpec):
    """(None, the structure) or (the problem, None)."""
    from renderer.molecules.io import read_structure

    where = ("molecules", molecule_id, "path")
    try:
        return None, read_structure(loaded.molecule_paths[molecule_id], spec.model, fmt=molecule_format(spec))
    except MoleculeError as exc:
        at = ("molecules", molecule_id, "model") if "model" in exc.reason and "model" in spec.model_fields_set \
            else where  # fmt: skip
        return loaded.source.problem(at, f"{format_path(at)}: {exc}"), None


def _selections(molecule_id: str, spec: MoleculeSpec, scene) -> list[tuple[tuple, str]]:
    """(where, selection) of every selection written for one molecule, in the molecule and in steps."""
    found = []

    def collect(base: tuple, block) -> None:
        for index, representation in enumerate(block.representations or []):
            found.append(((*base, "representations", index, "select"), representation.select))
        for index, label in enumerate(block.labels or []):
            found.append(((*base, "labels", index, "selection"), label.selection))
        for index, measurement in enumerate(getattr(block, "measure", [])):
            found.extend(((*base, "measure", index, measurement.kind, k), text)
                         for k, text in enumerate(measurement.selections))  # fmt: skip
        if getattr(block, "highlight", None) is not None:
            found.append(((*base, "highlight"), block.highlight))

    collect(("molecules", molecule_id), spec)
    for number, step in enumerate(scene.lesson.steps if scene.lesson else []):
        if molecule_id in step.molecules:
            collect(("lesson", "steps", number, "molecules", molecule_id), step.molecules[molecule_id])
    return found


def _empty_selections(loaded: LoadedScene, molecule_id: str, spec: MoleculeSpec, structure) -> list[Problem]:
    from renderer.molecules.selection import select

    problems, name = [], Path(structure.source).name
    for where, text in _selections(molecule_id, spec, loaded.scene):
        try:
            picked = int(select(structure, text).sum())
        except SelectionError as exc:  # the syntax was checked on validation; kept for safety
            picked, message = -1, str(exc)
        if picked == 0:
            message = f"selection '{text}' picks no atoms in {name}; check chain names and residue numbers"
        if picked <= 0:
            problems.append(loaded.source.problem(where, f"{format_path(where)}: {message}"))
    return problems


def _empty_cartoons(loaded: LoadedScene, molecule_id: str, spec: MoleculeSpec, structure) -> list[Problem]:
    """A cartoon whose atoms hold no protein or nucleic-acid backbone would draw nothing at all."""
    from renderer.molecules.cartoon import cartoon_residue_count
    from renderer.molecules.selection import select

    problems, name = [], Path(structure.source).name
    blocks = [(("molecules", molecule_id), spec)]
    for number, step in enumerate(loaded.scene.lesson.steps if loaded.scene.lesson else []):
        if molecule_id in step.molecules:
            blocks.append((("lesson", "steps", number, "molecules", molecule_id), step.molecules[molecule_id]))
    for base, block in blocks:
        for index, representation in enumerate(block.representations or []):
            if representation.style != "cartoon":
                continue
            try:
                mask = select(structure, representation.select)
            except SelectionError:
                continue  # reported with the selection
            if mask.any() and cartoon_residue_count(structure, mask) == 0:
                where = (*base, "representations", index, "select")
                problems.append(loaded.source.problem(where, (
                    f"{format_path(where)}: a cartoon of '{representation.select}' draws nothing: those atoms of "
                    f"{name} hold no protein or DNA/RNA backbone; draw them with ball_and_stick or licorice")))
    return problems
