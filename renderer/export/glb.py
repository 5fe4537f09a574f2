"""Build the scene's glTF binary: parts as named nodes, materials, molecules as meshes, lesson in extras.

Node names are part ids (and molecule ids), so a viewer, the web page or a teacher's own tool can find
`cortex_left` by name. Deformable parts are written at rest. The lesson (every step's state, labels,
texts in every language) lies in `scenes[0].extras.prosector`; each node's extras say what it is.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from renderer import __version__
from renderer.export.budgets import MOLECULE_SHARE, DeviceBudget
from renderer.export.gltf_builder import GltfBuilder
from renderer.export.lesson_data import lesson_json
from renderer.export.materials import gltf_material, is_glass, vertex_material
from renderer.export.tessellate import tessellate_atoms
from renderer.scene.colors import srgb_to_linear
from renderer.scene.load import LoadedScene
from renderer.scene.materials import resolve
from renderer.scene.molecule_state import molecule_states
from renderer.scene.part_materials import part_material
from renderer.scene.step_state import base_matrix


@dataclass
class GlbResult:
    """data: the GLB bytes (uncompressed); triangles: how many it holds; notes: what was simplified."""

    data: bytes
    triangles: int
    notes: list[str]
    lesson: dict


def molecule_variants(loaded: LoadedScene) -> dict[tuple, str]:
    """{(molecule id, representations): node name} for every look a molecule takes in any step."""
    scene = loaded.scene
    steps = [None, *(scene.lesson.steps if scene.lesson else [])]
    variants: dict[tuple, str] = {}
    for step in steps:
        for molecule_id, state in molecule_states(scene, loaded.structures, step).items():
            key = (molecule_id, state.representations)
            if key not in variants:
                count = sum(1 for k in variants if k[0] == molecule_id)
                variants[key] = molecule_id if count == 0 else f"{molecule_id}~{count + 1}"
    return variants


def build_glb(loaded: LoadedScene, budget: DeviceBudget) -> GlbResult:
    scene = loaded.scene
    gltf = GltfBuilder(f"Prosector {__version__}")
    notes: list[str] = []
    triangles = 0
    for part_id, mesh in loaded.meshes.items():
        part = scene.parts[part_id]
        chosen = part_material(scene, part_id)
        glass = is_glass(chosen) or (isinstance(chosen, str) and chosen in scene.materials
                                     and scene.materials[chosen].preset == "glass")  # fmt: skip
        described = gltf_material(part_id, resolve(chosen, scene.materials), part.opacity, glass)
        mask = loaded.masks.get(part_id) or mesh.alpha_mask
        uvs = None
        if mask is not None and mesh.uvs is not None:
            described["pbrMetallicRoughness"]["baseColorTexture"] = {"index": gltf.texture_png(mask_png(mask))}
            described.update(alphaMode="MASK", alphaCutoff=float(mask.cutoff))
            uvs = np.column_stack([mesh.uvs[:, 0], 1.0 - mesh.uvs[:, 1]])  # glTF: v = 0 at the top
        material = gltf.material(described)
        index = gltf.mesh(part_id, mesh.positions, mesh.normals, mesh.indices, material, uvs=uvs)
        gltf.node(part_id, index, base_matrix(part), extras={"prosector": {"kind": "part", "id": part_id}})
        triangles += mesh.triangle_count
        if part.deform:
            notes.append(f"{part_id}: written at rest (its deformers run only in Prosector)")
        if mask is not None:
            notes.append(f"{part_id}: alpha mask {Path(mask.source).name} as a base colour texture (alphaMode MASK)"
                         if uvs is not None else f"{part_id}: no texture coordinates, so its alpha mask is left out")
    variants = molecule_variants(loaded)
    if variants:
        share = int(budget.max_triangles * MOLECULE_SHARE / len(variants))
        for (molecule_id, representations), node_name in variants.items():
            triangles += _molecule_node(gltf, loaded, molecule_id, representations, node_name, share, notes)
    lesson = lesson_json(loaded, variants)
    return GlbResult(gltf.glb(extras={"prosector": lesson}), triangles, notes, lesson)


def _molecule_node(gltf: GltfBuilder, loaded: LoadedScene, molecule_id: str, representations: tuple,
                   node_name: str, budget_triangles: int, notes: list[str]) -> int:  # fmt: skip
    """One node per molecule look with child meshes (atoms and bonds; each cartoon or surface)."""
    from renderer.molecules.representations import build_drawables

    structure = loaded.structures[molecule_id]
    drawables = build_drawables(structure, list(representations))
    mesh_triangles = sum(m.mesh.triangle_count for m in drawables.meshes)
    children, triangles = [], 0
    if drawables.spheres.count or drawables.cylinders.count:
        atoms_budget = max(budget_triangles - mesh_triangles, budget_triangles // 4)  # cartoons must not starve atoms
        atoms, detail = tessellate_atoms(drawables.spheres, drawables.cylinders, atoms_budget)
        notes.append(f"{node_name}: {drawables.spheres.count:,} atoms and {drawables.cylinders.count:,} bonds as "
                     f"{atoms.triangle_count:,} triangles ({detail})")  # fmt: skip
        material = gltf.material(vertex_material(f"{node_name} atoms"))
        mesh = gltf.mesh(f"{node_name} atoms", atoms.positions, atoms.normals, atoms.indices, material,
                         _linear(atoms.colors))  # fmt: skip
        children.append(gltf.node(f"{node_name} atoms", mesh, root=False))
        triangles += atoms.triangle_count
    for number, drawable in enumerate(drawables.meshes):
        m = drawable.mesh
        name = f"{node_name} mesh {number + 1}"
        material = gltf.material(vertex_material(name, roughness=0.5, opacity=drawable.opacity))
        mesh = gltf.mesh(name, m.positions, m.normals, m.indices.reshape(-1, 3), material, _linear(m.colors))
        children.append(gltf.node(name, mesh, root=False))
        triangles += m.triangle_count
    matrix = molecule_states(loaded.scene, {molecule_id: structure}, None)[molecule_id].matrix
    gltf.node(node_name, None, matrix, extras={"prosector": {"kind": "molecule", "id": molecule_id}},
              children=children)  # fmt: skip
    return triangles


def mask_png(mask) -> bytes:
    """The mask as an RGBA PNG: white, with the mask as alpha (multiplied by the base colour factor)."""
    from PIL import Image

    alpha = mask.alpha
    rgba = np.dstack([np.full_like(alpha, 255)] * 3 + [alpha])
    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def _linear(srgb: np.ndarray) -> np.ndarray:
    return srgb_to_linear(np.clip(srgb, 0.0, 1.0)).astype(np.float32)
