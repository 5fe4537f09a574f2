"""The checked input of one mesh file: its bytes and the side files it names, before any parsing.

`checked_mesh_input` reads the file through renderer.scene.safe_read (inside the allowed roots, a
regular file, size bounded), then checks what each format declares against what the file holds,
so that trimesh never allocates for counts the bytes cannot back:
- GLB/glTF: renderer.scene.gltf_uris (buffers, images, accessors, nodes);
- binary STL: the triangle count in the header against the file size;
- PLY: element counts in the header against the body's size; its texture file (comment TextureFile);
- OFF: vertex and face counts against the file size;
- OBJ: `mtllib` files and the `map_*` textures they name, each read through safe_read.
Files named but missing or unsafe are reported; trimesh gets a resolver that serves only these.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

from renderer.scene import limits
from renderer.scene.gltf_uris import GltfCheckError, check_gltf
from renderer.scene.safe_read import MissingFileError, UnsafeFileError, read_checked, side_file

_PLY_SIZES = {
    "char": 1,
    "uchar": 1,
    "int8": 1,
    "uint8": 1,
    "short": 2,
    "ushort": 2,
    "int16": 2,
    "uint16": 2,
    "int": 4,
    "uint": 4,
    "int32": 4,
    "uint32": 4,
    "float": 4,
    "float32": 4,
    "double": 8,
    "float64": 8,
}
_MAX_SIDE_FILES = 64


class MeshInputError(ValueError):
    """The mesh file (or a file it names) cannot be used; the message says why."""


def checked_mesh_input(path: Path, roots) -> tuple[bytes, dict[str, bytes]]:
    """(the file's bytes, side files by reference name). `roots`: where side files may be."""
    try:
        data = read_checked(path, limits.MAX_MESH_FILE_BYTES, roots, what="mesh file")
        budget = limits.MAX_MESH_FILE_BYTES - len(data)
        suffix = path.suffix.lower()
        if not data:
            raise MeshInputError("the file is empty")
        if suffix in (".glb", ".gltf"):
            try:
                return data, check_gltf(path, data, roots, budget)
            except GltfCheckError as exc:
                raise MeshInputError(f"cannot be read as {suffix[1:].upper()}: {exc}") from None
        if suffix == ".stl":
            _check_stl(data)
        elif suffix == ".ply":
            return data, _ply_side_files(path, data, roots, budget)
        elif suffix == ".off":
            _check_off(data)
        elif suffix == ".obj":
            return data, _obj_side_files(path, data, roots, budget)
        return data, {}
    except (UnsafeFileError, GltfCheckError) as exc:
        raise MeshInputError(str(exc)) from None


def names_other_files(path: Path, roots) -> bool:
    """Whether the mesh at `path` may depend on files besides itself, so that a cached parse of its
    own bytes would not be the whole read (the side files could have changed, or lie outside this
    scene's roots). glTF and OBJ always may; a GLB when a buffer or image has a `uri` that is not a
    `data:` URI; a PLY naming a TextureFile. Anything that cannot be checked here counts as True:
    the full checked read then reports what is wrong."""
    suffix = path.suffix.lower()
    if suffix in (".gltf", ".obj"):
        return True
    try:
        if suffix == ".glb":
            header = read_checked(path, limits.MAX_MESH_FILE_BYTES, roots, what="mesh file", first=20)
            if len(header) < 20 or header[:4] != b"glTF":
                return True
            (json_length,) = struct.unpack_from("<I", header, 12)
            if json_length > limits.MAX_MESH_FILE_BYTES:
                return True
            prefix = read_checked(path, limits.MAX_MESH_FILE_BYTES, roots, what="mesh file", first=20 + json_length)
            tree = json.loads(prefix[20:].decode("utf-8"))
            items = [*tree.get("buffers", []), *tree.get("images", [])]
            return any(not isinstance(item, dict) or _external(item.get("uri")) for item in items)
        if suffix == ".ply":
            header = read_checked(path, limits.MAX_MESH_FILE_BYTES, roots, what="mesh file", first=1 << 16)
            return b"texturefile" in header.split(b"end_header", 1)[0].lower()
        read_checked(path, limits.MAX_MESH_FILE_BYTES, roots, what="mesh file", first=0)
        return False
    except (UnsafeFileError, ValueError, RecursionError, AttributeError, TypeError):
        return True


def _external(uri) -> bool:
    return uri is not None and not (isinstance(uri, str) and uri.startswith("data:"))


def _check_stl(data: bytes) -> None:
    if len(data) < 84:
        if not data.lstrip().lower().startswith(b"solid"):
            raise MeshInputError("is too short for an STL file")
        return
    (count,) = struct.unpack_from("<I", data, 80)
    if 84 + 50 * count == len(data):
        _bound_counts(count * 3, count)
        return
    if not data[:5].lower() == b"solid" and not data.lstrip()[:5].lower() == b"solid":
        raise MeshInputError(f"is a binary STL whose header promises {count:,} triangles ({84 + 50 * count:,} "
                             f"bytes), but the file has {len(data):,} bytes")  # fmt: skip


def _bound_counts(vertices: int, faces: int) -> None:
    if vertices > limits.MAX_VERTICES_PER_MESH or faces > limits.MAX_TRIANGLES_PER_SCENE:
        raise MeshInputError(f"declares {vertices:,} vertices and {faces:,} faces; the limits are "
                             f"{limits.MAX_VERTICES_PER_MESH:,} and {limits.MAX_TRIANGLES_PER_SCENE:,}")  # fmt: skip


def _ply_side_files(path: Path, data: bytes, roots, budget: int) -> dict[str, bytes]:
    end = data.find(b"end_header", 0, 1 << 16)
    if not data.startswith(b"ply") or end < 0:
        raise MeshInputError("is not a PLY file (no 'ply' ... 'end_header' header in its first 64 KiB)")
    header = data[:end].decode("latin-1").splitlines()
    body = len(data) - end - len("end_header")
    binary = any(line.startswith("format binary") for line in header)
    minimum, counts, textures = 0, {}, []
    element, row = None, 0
    for line in header:
        words = line.split()
        if words[:1] == ["comment"] and len(words) > 2 and words[1].lower() == "texturefile":
            textures.append(line.split(None, 2)[2].strip())
        if words[:1] == ["element"] and len(words) == 3:
            if element is not None:
                minimum += counts[element] * (row if binary else 2)
            if not words[2].isdigit():
                raise MeshInputError(f"PLY element '{words[1]}' has count {words[2][:20]!r}; expected a number")
            element, row = words[1], 0
            counts[element] = int(words[2])
        elif words[:1] == ["property"] and len(words) >= 3:
            if words[1] == "list" and len(words) >= 5:
                row += _PLY_SIZES.get(words[2], 1)  # a list is at least its length field
            else:
                row += _PLY_SIZES.get(words[1], 1)
    if element is not None:
        minimum += counts[element] * (row if binary else 2)
    if minimum > body:
        raise MeshInputError(f"its header declares {', '.join(f'{n:,} {e}' for e, n in counts.items())}, which need "
                             f"at least {minimum:,} bytes; the file holds {body:,} after the header")  # fmt: skip
    _bound_counts(counts.get("vertex", 0), counts.get("face", 0))
    return _side_files(path, textures, roots, budget)


def _check_off(data: bytes) -> None:
    words = data[:4096].split()
    if not words or not words[0].upper().endswith(b"OFF"):
        raise MeshInputError("is not an OFF file (it must start with 'OFF')")
    numbers = [w for w in words[1:4]]
    if len(numbers) < 2 or not all(w.isdigit() for w in numbers[:2]):
        raise MeshInputError("has no vertex and face counts after 'OFF'")
    vertices, faces = int(numbers[0]), int(numbers[1])
    if (vertices + faces) * 2 > len(data):
        raise MeshInputError(f"declares {vertices:,} vertices and {faces:,} faces; the file ({len(data):,} bytes) "
                             "cannot hold them")  # fmt: skip
    _bound_counts(vertices, faces)


_MTLLIB = re.compile(rb"^[ \t]*mtllib[ \t]+(.+?)[ \t]*$", re.MULTILINE)
_MAPS = re.compile(r"^[ \t]*(?:map_\w+|bump|disp|decal|refl)[ \t]+(.+?)[ \t]*$", re.MULTILINE | re.IGNORECASE)


def _obj_side_files(path: Path, data: bytes, roots, budget: int) -> dict[str, bytes]:
    """The material libraries an OBJ names, and the textures those name (the last word of a map_ line,
    after its options), each checked; unusable ones are reported."""
    libraries = [m.decode("utf-8", "replace") for m in _MTLLIB.findall(data)]
    side = _side_files(path, libraries, roots, budget)
    for name in list(side):
        text = side[name].decode("utf-8", "replace")
        maps = [m.split()[-1] for m in _MAPS.findall(text) if m.split()]
        side.update(_side_files(path, maps, roots, budget - sum(map(len, side.values())), present=side))
    return side


def _side_files(path: Path, names: list[str], roots, budget: int, present: dict | None = None) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for name in dict.fromkeys(names):
        if present and name in present:
            continue
        if len(files) + len(present or {}) >= _MAX_SIDE_FILES:
            raise MeshInputError(f"names more than {_MAX_SIDE_FILES} material and texture files")
        try:
            files[name] = side_file(path, name, roots, max(budget, 0), what=f"file '{name[:80]}' named by the mesh")
        except MissingFileError:
            continue  # as before: a material or texture that is not there is left out, the mesh still loads
        budget -= len(files[name])
    return files


def check_vertex_magnitude(path, positions_m) -> None:
    """Refuse a vertex farther than limits.MAX_VERTEX_DISTANCE_M from the origin on any axis (metres,
    after the part's unit): float32 positions and the camera's depth range break down there. Names it."""
    import numpy as np

    if len(positions_m) == 0:
        return
    extreme = np.abs(positions_m).max(axis=1)
    worst = int(np.argmax(extreme))
    if extreme[worst] > limits.MAX_VERTEX_DISTANCE_M:
        where = ", ".join(f"{v:.4g}" for v in positions_m[worst])
        raise MeshInputError(f"vertex {worst} is at ({where}) m, more than {limits.MAX_VERTEX_DISTANCE_M:g} m from "
                             "the origin; check the part's `unit:` or re-export the mesh")  # fmt: skip
