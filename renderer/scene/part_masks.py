"""Each part's alpha mask at load time: image paths written in materials, resolved and checked like
mesh paths, then read and matched with the part's mesh (which must have texture coordinates).

A scene material's `alpha_mask` wins over a GLB material's own mask (alphaMode MASK); a scene
material's explicit `alpha_cutoff` applies to either.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from renderer.errors import MaskImageError, Problem
from renderer.scene.alpha_masks import MAX_MASK_TEXELS_PER_SCENE, AlphaMask, read_mask_image
from renderer.scene.assets import AssetPathError, resolve_asset
from renderer.scene.materials import Material, resolve
from renderer.scene.part_materials import material_origin, part_material
from renderer.scene.yaml_source import SourceMap, format_path


def material_blocks(data: dict) -> list[tuple[tuple, dict]]:
    """(where, block) of every material written as a block of keys: scene materials, and inline
    materials of parts and groups."""
    found = []
    table = data.get("materials")
    for name, block in (table.items() if isinstance(table, dict) else []):
        found.append((("materials", name), block))
    for section in ("parts", "groups"):
        table = data.get(section)
        for item_id, item in (table.items() if isinstance(table, dict) else []):
            block = item.get("material") if isinstance(item, dict) else None
            found.append(((section, item_id, "material"), block))
    return [(where, block) for where, block in found if isinstance(block, dict)]


def resolve_mask_paths(data: dict, source: SourceMap, roots: list[Path]) -> tuple[dict[tuple, Path], list[Problem]]:
    """Absolute paths of the `alpha_mask` images, by the material's location; each relative to the
    file it is written in and inside the allowed asset roots."""
    paths, problems = {}, []
    for where, block in material_blocks(data):
        relative = block.get("alpha_mask")
        if not isinstance(relative, str):
            continue
        at = (*where, "alpha_mask")
        try:
            paths[where] = resolve_asset(Path(source.file_of(at)), relative, roots, what="mask image")
        except AssetPathError as exc:
            problems.append(source.problem(at, f"{format_path(at)}: {exc}"))
    return paths, problems


def load_part_masks(loaded) -> list[Problem]:
    """Fill `loaded.masks` (part id -> AlphaMask) for parts whose material or mesh file has a mask.
    `loaded` is a LoadedScene with its meshes loaded; returns the problems found."""
    scene, problems, images, texels = loaded.scene, [], {}, {}
    for part_id, mesh in loaded.meshes.items():
        origin = material_origin(scene, part_id)
        material: Material = resolve(part_material(scene, part_id), scene.materials)
        mask = mesh.alpha_mask
        if origin in loaded.mask_paths:
            at = (*origin, "alpha_mask")
            path = loaded.mask_paths[origin]
            try:
                if path not in images:
                    images[path] = read_mask_image(path)
            except MaskImageError as exc:
                problems.append(loaded.source.problem(at, f"{format_path(at)}: {exc.reason} ({path.name})"))
                continue
            except OSError as exc:
                problems.append(loaded.source.problem(at, f"{format_path(at)}: cannot read {path.name}: "
                                                          f"{exc.strerror}"))  # fmt: skip
                continue
            mask = AlphaMask(images[path], material.alpha_cutoff, path.name)
        elif mask is not None and "alpha_cutoff" in material.model_fields_set:
            mask = mask.with_cutoff(material.alpha_cutoff)
        if mask is None:
            continue
        mask = _shared(mask, images)
        if mesh.uvs is None:
            where = ("parts", part_id, "node" if scene.parts[part_id].node else "mesh")
            problems.append(loaded.source.problem(where, f"{format_path(where)}: the alpha mask {mask.source} needs "
                                                         "texture coordinates (UVs), and this mesh has none; export "
                                                         "it with UVs (GLB, glTF or OBJ)"))  # fmt: skip
            continue
        texels[id(mask.alpha)] = mask.alpha.size
        if sum(texels.values()) > MAX_MASK_TEXELS_PER_SCENE:
            where = (*origin, "alpha_mask") if origin in loaded.mask_paths else ("parts", part_id, "mesh")
            problems.append(loaded.source.problem(where, f"{format_path(where)}: the scene's alpha masks exceed "
                                                         f"{MAX_MASK_TEXELS_PER_SCENE // 2**20} Mi texels; use "
                                                         "smaller mask images"))  # fmt: skip
            break
        loaded.masks[part_id] = mask
    return problems


def _shared(mask: AlphaMask, images: dict) -> AlphaMask:
    """Masks with the same texels share one array (one atlas slot), even when each part's mesh file
    was read separately (cached or parallel reads give each read its own arrays)."""
    import dataclasses
    import hashlib

    key = ("texels", mask.alpha.shape, hashlib.sha1(np.ascontiguousarray(mask.alpha).tobytes()).hexdigest())
    first = images.setdefault(key, mask.alpha)
    return mask if first is mask.alpha else dataclasses.replace(mask, alpha=first)
