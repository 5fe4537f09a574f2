"""Load a scene file: read safely, validate the model, check references and assets.

`load_scene` either returns a `LoadedScene` or raises `SceneError` listing every problem found,
each at FILE:LINE:COLUMN. It never writes to the teacher's file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from renderer.errors import MeshError, Problem, SceneError
from renderer.scene import limits
from renderer.scene.assets import AssetPathError, allowed_roots, resolve_asset
from renderer.scene.materials import PRESETS, Material
from renderer.scene.meshes import MeshData, load_mesh
from renderer.scene.model import Scene
from renderer.scene.problems import did_you_mean, validation_problems
from renderer.scene.yaml_source import SourceMap, format_path, load_yaml_text


@dataclass
class LoadedScene:
    """A validated scene, where it came from, and (when loaded) each part's mesh by part id."""

    path: Path
    scene: Scene
    source: SourceMap
    asset_paths: dict[str, Path] = field(default_factory=dict)
    meshes: dict[str, MeshData] = field(default_factory=dict)

    @property
    def triangle_count(self) -> int:
        return sum(m.triangle_count for m in self.meshes.values())


def read_scene_text(path: Path) -> str:
    file = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SceneError([Problem(file, 1, 1, "scene file not found")]) from None
    except OSError as exc:
        raise SceneError([Problem(file, 1, 1, f"cannot read the scene file: {exc.strerror}")]) from None
    if not path.is_file():
        raise SceneError([Problem(file, 1, 1, "not a file")])
    if size > limits.MAX_SCENE_FILE_BYTES:
        raise SceneError(
            [
                Problem(
                    file,
                    1,
                    1,
                    f"scene file is {size // 1024} KiB; the limit is {limits.MAX_SCENE_FILE_BYTES // 1024} KiB",
                )
            ]
        )
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SceneError([Problem(file, 1, 1, f"not UTF-8 text (byte {exc.start}); save the file as UTF-8")]) from None
    except OSError as exc:
        raise SceneError([Problem(file, 1, 1, f"cannot read the scene file: {exc.strerror}")]) from None


def load_scene(path: Path | str, load_assets: bool = True, asset_roots: list[Path] | None = None) -> LoadedScene:
    """Read, validate and (with `load_assets`) load the meshes of a scene file."""
    path = Path(path)
    data, source = load_yaml_text(read_scene_text(path), str(path))
    if not isinstance(data, dict):
        raise SceneError([source.problem((), "a scene file is a block of keys, starting with `version: 1`")])
    try:
        scene = Scene.model_validate(data)
    except ValidationError as exc:
        raise SceneError(validation_problems(exc, data, source, Scene)) from None
    loaded = LoadedScene(path=path, scene=scene, source=source)
    problems = check_references(scene, source)
    problems += _resolve_assets(loaded, allowed_roots(path, asset_roots))
    if problems:
        raise SceneError(problems)
    if load_assets:
        problems = _load_meshes(loaded)
        if problems:
            raise SceneError(problems)
    return loaded


def check_references(scene: Scene, source: SourceMap) -> list[Problem]:
    """Names that must refer to something: materials and presets."""
    problems = []
    if len(scene.parts) > limits.MAX_PARTS:
        problems.append(source.problem(("parts",), f"parts: {len(scene.parts)} parts; the limit is {limits.MAX_PARTS}"))
    known_materials = [*scene.materials, *PRESETS]
    for name, material in scene.materials.items():
        problems += _check_preset(material, ("materials", name), source)
    for part_id, part in scene.parts.items():
        where = ("parts", part_id, "material")
        if isinstance(part.material, Material):
            problems += _check_preset(part.material, where, source)
        elif part.material not in known_materials:
            problems.append(
                source.problem(
                    where,
                    f"{format_path(where)}: unknown material '{part.material}'"
                    f"{did_you_mean(part.material, known_materials)} "
                    f"(presets: {', '.join(PRESETS)})",
                )
            )
    return problems


def _check_preset(material: Material, where: tuple, source: SourceMap) -> list[Problem]:
    if material.preset is None or material.preset in PRESETS:
        return []
    at = (*where, "preset")
    return [
        source.problem(
            at,
            f"{format_path(at)}: unknown material preset '{material.preset}'"
            f"{did_you_mean(material.preset, PRESETS)} (presets: {', '.join(PRESETS)})",
        )
    ]


def _resolve_assets(loaded: LoadedScene, roots: list[Path]) -> list[Problem]:
    problems = []
    for part_id, part in loaded.scene.parts.items():
        where = ("parts", part_id, "mesh")
        try:
            loaded.asset_paths[part_id] = resolve_asset(loaded.path, part.mesh, roots)
        except AssetPathError as exc:
            problems.append(loaded.source.problem(where, f"{format_path(where)}: {exc}"))
    return problems


def _load_meshes(loaded: LoadedScene) -> list[Problem]:
    problems, total = [], 0
    for part_id, part in loaded.scene.parts.items():
        where = ("parts", part_id, "node" if part.node else "mesh")
        try:
            mesh = load_mesh(loaded.asset_paths[part_id], part.node, part.unit, part.up_axis)
        except MeshError as exc:
            problems.append(loaded.source.problem(where, f"{format_path(where)}: mesh {exc}"))
            continue
        except OSError as exc:
            problems.append(loaded.source.problem(where, f"{format_path(where)}: cannot read the mesh: {exc.strerror}"))
            continue
        total += mesh.triangle_count
        if total > limits.MAX_TRIANGLES_PER_SCENE:
            problems.append(
                loaded.source.problem(
                    where, f"{format_path(where)}: the scene exceeds {limits.MAX_TRIANGLES_PER_SCENE:,} triangles"
                )
            )
            break
        loaded.meshes[part_id] = mesh
    return problems
