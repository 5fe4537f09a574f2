"""Reading triangle meshes (OBJ, STL, PLY, GLB/glTF) into plain arrays, with clear errors.

trimesh does the parsing; this module checks what came out (empty, non-finite, bad indices),
flattens GLB node transforms, selects named nodes, and converts units and up axes. Texture
coordinates are kept (GLB/glTF, OBJ) for alpha masks, and so is a glTF material's own mask
(`alphaMode: MASK`, see renderer/scene/alpha_masks.py).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from renderer.errors import MeshError
from renderer.scene.alpha_masks import AlphaMask, mask_from_gltf_material
from renderer.scene.mesh_cache import cached_read  # the on-disk cache of checked reads
from renderer.scene.mesh_data import MeshData  # noqa: F401  (re-exported: the type every reader returns)
from renderer.scene.mesh_input import MeshInputError, check_vertex_magnitude, checked_mesh_input, names_other_files
from renderer.scene.safe_read import CheckedResolver

MESH_SUFFIXES = {".obj", ".stl", ".ply", ".glb", ".gltf", ".off"}
UNIT_TO_METRES = {"m": 1.0, "cm": 0.01, "mm": 0.001}

# trimesh logs every parse hiccup at warning level; our own errors say what matters.
logging.getLogger("trimesh").setLevel(logging.ERROR)


@dataclass(frozen=True)
class MeshPiece:
    """One mesh node of a file: vertices (N, 3) float64 in file units with node transforms applied,
    faces (M, 3) int64, names [node name, geometry name, ancestor names...], uvs (N, 2) float64 or
    None, and the alpha mask of its glTF material (None unless alphaMode is MASK)."""

    vertices: np.ndarray
    faces: np.ndarray
    names: list[str]
    uvs: np.ndarray | None = None
    alpha_mask: AlphaMask | None = None


def load_mesh(path: Path, node: str | None = None, unit: str = "m", up_axis: str = "y",
              roots: tuple[Path, ...] = ()) -> MeshData:  # fmt: skip
    """Load `path` (optionally only node `node` of a GLB/glTF) as one mesh, in metres, Y up.
    `roots`: folders the files it names (buffers, textures) may be in; default: the mesh's folder."""
    stat = path.stat()
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size, node, unit, up_axis, tuple(roots))


@lru_cache(maxsize=64)
def _load_cached(path: str, _mtime: int, _size: int, node: str | None, unit: str, up_axis: str,
                 roots: tuple[Path, ...] = ()) -> MeshData:  # fmt: skip
    read = lambda: read_mesh(Path(path), node, unit, up_axis, roots)  # noqa: E731
    if names_other_files(Path(path), roots or (Path(path).resolve().parent,)):
        return read()  # its buffers, textures or materials are other files: the disk cache would not see them
    return cached_read(Path(path), node, unit, up_axis, read)


def read_mesh(path: Path, node: str | None = None, unit: str = "m", up_axis: str = "y",
              roots: tuple[Path, ...] = ()) -> MeshData:  # fmt: skip
    """Parse and check `path` (no caching): what `load_mesh` returns on a cache miss."""
    pieces = read_mesh_pieces(path, roots)
    if node is not None:
        selected = [p for p in pieces if node in p.names]
        if not selected:
            names = sorted({n for p in pieces for n in p.names[:1]})
            raise MeshError(path, f"has no node named '{node}'; nodes: {', '.join(names) or '(none)'}")
        pieces = selected
    vertices = [p.vertices for p in pieces]
    offsets = np.cumsum([0] + [len(v) for v in vertices[:-1]])
    faces = np.concatenate([p.faces + o for p, o in zip(pieces, offsets, strict=True)])
    positions = np.concatenate(vertices) * UNIT_TO_METRES[unit]
    if up_axis == "z":  # Z-up (CAD, many anatomy exports) -> Y-up, right-handed
        positions = positions[:, [0, 2, 1]] * np.array([1.0, 1.0, -1.0])
    mask = _common_mask(pieces, path)
    uvs = None
    if all(p.uvs is not None for p in pieces):
        uvs = np.concatenate([p.uvs for p in pieces])
    elif mask is not None:
        raise MeshError(path, "has an alpha-mask material (alphaMode MASK) but no texture coordinates")
    return _finish(Path(path).stem if node is None else node, positions, faces, path, uvs, mask)


def _common_mask(pieces: list[MeshPiece], path: str) -> AlphaMask | None:
    """The one alpha mask of the selected nodes. One part has one mask: nodes that mix masked and
    unmasked materials, or different masks, are refused with a hint to select one node."""
    masks = {id(p.alpha_mask): p.alpha_mask for p in pieces}
    if len(masks) == 1:
        return next(iter(masks.values()))
    names = sorted({p.names[0] for p in pieces if p.alpha_mask is not None})
    raise MeshError(path, f"nodes {', '.join(names)} have alpha-mask materials (alphaMode MASK) that the other "
                          "selected nodes do not share; a part has one mask: choose one node with `node:`")  # fmt: skip


def read_mesh_nodes(path: Path, roots: tuple[Path, ...] = ()) -> list[tuple[np.ndarray, np.ndarray, list[str]]]:
    """Every mesh node of a file: (vertices (N,3) float64 in file units with node transforms applied,
    faces (M,3) int64, names [node name, geometry name, ancestor names...])."""
    return [(p.vertices, p.faces, p.names) for p in read_mesh_pieces(path, roots)]


def read_mesh_pieces(path: Path, roots: tuple[Path, ...] = ()) -> list[MeshPiece]:
    """Every mesh node of a file, with its texture coordinates and glTF alpha mask. The file and the
    files it names are checked and read first (renderer.scene.mesh_input); trimesh parses only those
    bytes, through a resolver that cannot reach anything else."""
    import trimesh  # deferred: importing trimesh costs ~0.3 s, not needed for `validate --no-assets`

    if path.suffix.lower() not in MESH_SUFFIXES:
        raise MeshError(path, f"unsupported mesh format '{path.suffix}'; use one of {', '.join(sorted(MESH_SUFFIXES))}")
    try:
        data, side_files = checked_mesh_input(path, roots or (path.resolve().parent,))
    except MeshInputError as exc:
        raise MeshError(path, str(exc)) from None
    try:
        scene = trimesh.load(io.BytesIO(data), file_type=path.suffix.lower().lstrip("."), force="scene",
                             process=False, resolver=CheckedResolver(side_files))  # fmt: skip
    except Exception as exc:  # trimesh raises many kinds for corrupt input; all mean "cannot read"
        raise MeshError(
            path, f"cannot be read as {path.suffix.lstrip('.').upper()}: {exc or type(exc).__name__}"
        ) from None
    parents = _parent_map(scene)
    pieces, masks = [], {}  # masks by material identity: nodes sharing a material share the mask
    for node_name in scene.graph.nodes_geometry:
        transform, geometry_name = scene.graph[node_name]
        geometry = scene.geometry.get(geometry_name)
        faces = getattr(geometry, "faces", None)
        if faces is None or len(faces) == 0:
            continue  # point clouds and paths are not surfaces
        vertices = np.asarray(geometry.vertices, dtype=np.float64)
        if vertices.ndim != 2 or vertices.shape[1] != 3:  # an OBJ `v 1 2` line (fuzz cases 1169, 3281)
            raise MeshError(path, f"node '{node_name}' has vertices with {vertices.shape[-1]} coordinates; "
                                  "each vertex needs x, y and z")  # fmt: skip
        vertices = vertices @ transform[:3, :3].T + transform[:3, 3]
        names = [node_name, geometry_name, *_ancestors(node_name, parents)]
        uvs, mask = _texture_coordinates(geometry, len(vertices)), None
        material = getattr(getattr(geometry, "visual", None), "material", None)
        if material is not None:
            if id(material) not in masks:
                masks[id(material)] = mask_from_gltf_material(material, f"{path.name} ({names[0]})")
            mask = masks[id(material)]
        pieces.append(MeshPiece(vertices, np.asarray(faces, dtype=np.int64), names, uvs, mask))
    if not pieces:
        raise MeshError(path, "contains no triangles")
    return pieces


def _texture_coordinates(geometry, vertex_count: int) -> np.ndarray | None:
    """(N, 2) float64 texture coordinates of a trimesh geometry, or None (none, or not one per vertex)."""
    uv = getattr(getattr(geometry, "visual", None), "uv", None)
    if uv is None:
        return None
    uv = np.asarray(uv, dtype=np.float64)
    if uv.ndim != 2 or uv.shape[1] < 2 or len(uv) != vertex_count or not np.isfinite(uv).all():
        return None
    return uv[:, :2].copy()


def _parent_map(scene) -> dict[str, str]:
    parents = {}
    for parent, children in scene.graph.transforms.children.items():
        for child in children:
            parents[child] = parent
    return parents


def _ancestors(node: str, parents: dict[str, str]) -> list[str]:
    out = []
    while node in parents and len(out) < 256:
        node = parents[node]
        out.append(node)
    return out


def _finish(name: str, positions: np.ndarray, faces: np.ndarray, path: str, uvs: np.ndarray | None = None,
            mask: AlphaMask | None = None) -> MeshData:  # fmt: skip
    bad = ~np.isfinite(positions).all(axis=1)
    if bad.any():
        raise MeshError(
            path,
            f"has {int(bad.sum())} vertices with non-finite coordinates (NaN or infinity); "
            "re-export the mesh from your modelling program",
        )
    if len(faces) == 0:
        raise MeshError(path, "contains no triangles")
    try:
        check_vertex_magnitude(path, positions)
    except MeshInputError as exc:
        raise MeshError(path, str(exc)) from None
    if faces.min() < 0 or faces.max() >= len(positions):
        raise MeshError(path, "has triangles that refer to vertices that do not exist")
    positions, faces, uvs = _weld_if_unshared(positions, faces, uvs)
    if uvs is None:
        normals = vertex_normals(positions, faces)
    else:  # vertices split along texture seams: average normals over equal positions, so no seam shows
        unique, inverse = np.unique(positions, axis=0, return_inverse=True)
        inverse = inverse.reshape(-1)
        normals = vertex_normals(unique, inverse[faces])[inverse]
        uvs = uvs.astype(np.float32)
    return MeshData(name, positions.astype(np.float32), normals.astype(np.float32), faces.astype(np.uint32),
                    uvs, mask)  # fmt: skip


def _weld_if_unshared(positions: np.ndarray, faces: np.ndarray, uvs: np.ndarray | None = None):
    """STL and some OBJ files repeat each corner; weld equal corners (position and, when present,
    texture coordinates) so normals come out smooth. Returns (positions, faces, uvs)."""
    if len(positions) < 3 * len(faces):
        return positions, faces, uvs
    corners = positions if uvs is None else np.concatenate([positions, uvs], axis=1)
    unique, first, inverse = np.unique(corners, axis=0, return_index=True, return_inverse=True)
    faces = inverse.reshape(-1)[faces]
    return positions[first], faces, None if uvs is None else uvs[first]


def vertex_normals(positions: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals, (N, 3) float64, unit length (zero-area fans get +Y)."""
    corners = positions[faces]
    face_normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])  # length = 2 x area
    normals = np.zeros_like(positions)
    for axis in range(3):  # bincount is ~10x faster than np.add.at for scatter-adds
        for corner in range(3):
            normals[:, axis] += np.bincount(faces[:, corner], weights=face_normals[:, axis], minlength=len(positions))
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    fallback = np.array([0.0, 1.0, 0.0])
    return np.where(length > 1e-30, normals / np.maximum(length, 1e-30), fallback)
