"""Checking a glTF/GLB before trimesh sees it: its JSON, every buffer and image it names, every count.

We parse the GLB container and the JSON ourselves, then:
- every buffer and image URI is either an embedded `data:` URI or a relative path to a regular file
  inside the allowed roots, read through renderer.scene.safe_read (no FIFOs, devices, sockets;
  sizes checked before reading; absolute paths and URLs refused);
- each buffer holds at least its `byteLength`; each buffer view lies inside its buffer; each accessor
  (count x element size, offset, stride) inside its view, so nothing allocates more than the file holds;
- vertex and triangle counts and texture sizes are bounded; the node hierarchy is a forest.
The checked bytes are returned by reference name for trimesh's resolver (safe_read.CheckedResolver).
"""

from __future__ import annotations

import base64
import io
import json
import struct
from pathlib import Path

from renderer.scene import limits
from renderer.scene.safe_read import MissingFileError, UnsafeFileError, side_file

_COMPONENT_BYTES = {5120: 1, 5121: 1, 5122: 2, 5123: 2, 5125: 4, 5126: 4}
_TYPE_COMPONENTS = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4, "MAT2": 4, "MAT3": 9, "MAT4": 16}
_MAX_JSON_VALUES = 2_000_000  # commas and colons: bounds the objects json.loads would build


class GltfCheckError(ValueError):
    """The glTF is malformed or names something unsafe; the message says what, for the scene's author."""


def check_gltf(path: Path, data: bytes, roots, budget: int) -> dict[str, bytes]:
    """Check the glTF (`.gltf` JSON) or GLB in `data` (the content of `path`); return the side files
    it names (reference -> bytes). `budget`: bytes that side files may add up to."""
    if path.suffix.lower() == ".glb" or data[:4] == b"glTF":
        document, binary = _glb_chunks(data)
    else:
        document, binary = data, None
    tree = _json(document)
    side: dict[str, bytes] = {}
    buffer_sizes = []
    for index, buffer in enumerate(_list(tree, "buffers")):
        where = f"buffers[{index}]"
        length = _count(buffer, "byteLength", where, required=True)
        uri = buffer.get("uri")
        if uri is None:
            if index != 0 or binary is None:
                raise GltfCheckError(f"{where} has no uri and is not the GLB's binary chunk")
            held = len(binary)
        else:
            held = len(_referenced(path, uri, where, roots, budget, side))
            budget -= held
        if held < length:
            raise GltfCheckError(f"{where} promises {length:,} bytes; its data holds {held:,}")
        buffer_sizes.append(length)
    views = _views(tree, buffer_sizes)
    vertices, triangles = _accessors(tree, views)
    if vertices > limits.MAX_VERTICES_PER_MESH or triangles > limits.MAX_TRIANGLES_PER_SCENE:
        raise GltfCheckError(f"it declares {vertices:,} vertices and {triangles:,} triangles; the limits are "
                             f"{limits.MAX_VERTICES_PER_MESH:,} and {limits.MAX_TRIANGLES_PER_SCENE:,}")  # fmt: skip
    for index, image in enumerate(_list(tree, "images")):
        where = f"images[{index}]"
        if "uri" in image:
            try:
                blob = _referenced(path, image["uri"], where, roots, budget, side, optional=True)
            except MissingFileError:
                continue  # trimesh goes without a texture that is not there
            budget -= len(blob)
            _check_texture(blob, where)
        elif "bufferView" in image:
            view = _index(image, "bufferView", len(views), where)
            _check_texture_view(tree, views[view], binary, side, where)
    _check_nodes(tree)
    return side


def _glb_chunks(data: bytes) -> tuple[bytes, bytes | None]:
    if len(data) < 20:
        raise GltfCheckError("the file is too short for a GLB (binary glTF) file")
    magic, version, length = struct.unpack_from("<4sII", data, 0)
    if magic != b"glTF":
        raise GltfCheckError("the file does not start with the GLB signature 'glTF'")
    if version != 2:
        raise GltfCheckError(f"it is GLB version {version}; only glTF 2.0 is supported")
    if length > len(data):
        raise GltfCheckError(f"its header says {length:,} bytes; the file holds {len(data):,} (truncated?)")
    json_length, json_type = struct.unpack_from("<II", data, 12)
    if json_type != 0x4E4F534A or 20 + json_length > length:
        raise GltfCheckError("there is no valid JSON chunk after its header")
    document = data[20 : 20 + json_length]
    offset = 20 + json_length + (-json_length % 4)
    binary = None
    if offset + 8 <= length:
        bin_length, bin_type = struct.unpack_from("<II", data, offset)
        if bin_type == 0x004E4942:
            if offset + 8 + bin_length > length:
                raise GltfCheckError(f"its binary chunk promises {bin_length:,} bytes; the file ends first")
            binary = data[offset + 8 : offset + 8 + bin_length]
    return document, binary


def _json(document: bytes) -> dict:
    if document.count(b",") + document.count(b":") > _MAX_JSON_VALUES:
        raise GltfCheckError(f"its JSON has more than {_MAX_JSON_VALUES:,} values")
    try:
        tree = json.loads(document.decode("utf-8"))
    except RecursionError:
        raise GltfCheckError("its JSON nests too deeply") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise GltfCheckError(f"its JSON cannot be read: {str(exc)[:120]}") from None
    if not isinstance(tree, dict):
        raise GltfCheckError("its JSON is not an object")
    return tree


def _list(tree: dict, key: str) -> list[dict]:
    value = tree.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise GltfCheckError(f"'{key}' must be a list of objects")
    return value


def _count(item: dict, key: str, where: str, required: bool = False, default: int = 0) -> int:
    value = item.get(key, None if required else default)
    if type(value) is not int or not 0 <= value <= 1 << 40:
        raise GltfCheckError(f"{where}.{key} must be a whole number >= 0, got {str(value)[:40]}")
    return value


def _index(item: dict, key: str, size: int, where: str) -> int:
    value = item.get(key)
    if type(value) is not int or not 0 <= value < size:
        raise GltfCheckError(f"{where}.{key} is {str(value)[:40]}; there are {size} to choose from")
    return value


def _referenced(path: Path, uri, where: str, roots, budget: int, side: dict[str, bytes],
                optional: bool = False) -> bytes:  # fmt: skip
    """The bytes a URI names: decoded `data:` URIs, else a checked file next to the glTF."""
    if not isinstance(uri, str):
        raise GltfCheckError(f"{where}.uri must be text")
    if uri in side:
        return side[uri]
    if uri.startswith("data:"):
        comma = uri.find(",")
        if comma < 0 or ";base64" not in uri[:comma]:
            raise GltfCheckError(f"{where}.uri is a data: URI without base64 content")
        if (len(uri) - comma) * 3 // 4 > budget:
            raise GltfCheckError(f"{where}.uri embeds more data than the limit of {limits.MAX_MESH_FILE_BYTES:,} bytes")
        try:
            return base64.b64decode(uri[comma + 1 :], validate=False)
        except ValueError:
            raise GltfCheckError(f"{where}.uri has malformed base64 content") from None
    try:
        side[uri] = side_file(path, uri, roots, max(budget, 0), what=f"file for {where}")
    except MissingFileError:
        if optional:
            raise
        raise GltfCheckError(f"{where}.uri names {uri[:80]!r}, which is not next to the glTF") from None
    except UnsafeFileError as exc:
        raise GltfCheckError(str(exc)) from None
    return side[uri]


def _views(tree: dict, buffer_sizes: list[int]) -> list[tuple[int, int, int, int]]:
    """(buffer, offset, length, stride) of each buffer view, each checked to lie inside its buffer."""
    views = []
    for index, view in enumerate(_list(tree, "bufferViews")):
        where = f"bufferViews[{index}]"
        buffer = _index(view, "buffer", len(buffer_sizes), where)
        offset, length = _count(view, "byteOffset", where), _count(view, "byteLength", where, required=True)
        stride = _count(view, "byteStride", where)
        if offset + length > buffer_sizes[buffer]:
            raise GltfCheckError(f"{where} reaches byte {offset + length:,} of buffer {buffer}, which has "
                                 f"{buffer_sizes[buffer]:,}")  # fmt: skip
        views.append((buffer, offset, length, stride))
    return views


def _accessors(tree: dict, views: list) -> tuple[int, int]:
    """Check every accessor against its view; return the declared vertex and triangle counts."""
    accessors = _list(tree, "accessors")
    counts = []
    for index, accessor in enumerate(accessors):
        where = f"accessors[{index}]"
        count = _count(accessor, "count", where, required=True)
        component, kind = accessor.get("componentType"), accessor.get("type")
        if type(component) is not int or component not in _COMPONENT_BYTES or type(kind) is not str \
                or kind not in _TYPE_COMPONENTS:  # fmt: skip
            raise GltfCheckError(f"{where} has an unknown componentType or type")
        element = _COMPONENT_BYTES[accessor["componentType"]] * _TYPE_COMPONENTS[accessor["type"]]
        if "bufferView" in accessor:
            _, _, length, stride = views[_index(accessor, "bufferView", len(views), where)]
            end = _count(accessor, "byteOffset", where) + (stride or element) * max(count - 1, 0) + element
            if count and end > length:
                raise GltfCheckError(f"{where}: {count:,} elements need {end:,} bytes; its buffer view has {length:,}")
        elif count * element > limits.MAX_MESH_FILE_BYTES:
            raise GltfCheckError(f"{where}: {count:,} elements without data would need {count * element:,} bytes")
        if "sparse" in accessor:
            raise GltfCheckError(f"{where} is a sparse accessor; export the mesh without sparse accessors")
        counts.append(count)
    vertices = triangles = 0
    for m, mesh in enumerate(_list(tree, "meshes")):
        for p, primitive in enumerate(_list(mesh, "primitives")):
            where = f"meshes[{m}].primitives[{p}]"
            attributes = primitive.get("attributes", {})
            if not isinstance(attributes, dict) or not all(type(a) is int for a in attributes.values()):
                raise GltfCheckError(f"{where}.attributes must map names to accessor numbers")
            for name in attributes:
                _index(attributes, name, len(counts), f"{where}.attributes")
            if "POSITION" in attributes:
                vertices += counts[attributes["POSITION"]]
            if "indices" in primitive:
                triangles += counts[_index(primitive, "indices", len(counts), where)] // 3
            elif "POSITION" in attributes:
                triangles += counts[attributes["POSITION"]] // 3
    return vertices, triangles


def _check_texture(blob: bytes, where: str) -> None:
    """Width x height from the image header (nothing decoded); bounded like alpha masks."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(blob)) as image:
            width, height = image.size
    except Exception:  # noqa: BLE001  an unreadable texture is left to trimesh, which skips it
        return
    if width * height > limits.MAX_TEXTURE_PIXELS:
        raise GltfCheckError(f"{where} is a {width}x{height} texture; the limit is {limits.MAX_TEXTURE_PIXELS:,} "
                             "pixels (8192x8192)")  # fmt: skip


def _check_texture_view(tree: dict, view: tuple, binary: bytes | None, side: dict, where: str) -> None:
    buffer, offset, length, _ = view
    source = binary if buffer == 0 and "uri" not in tree["buffers"][0] else None
    if source is None:
        uri = tree["buffers"][buffer].get("uri", "")
        source = side.get(uri) if not uri.startswith("data:") else None
    if source is not None:
        _check_texture(source[offset : offset + length], where)


def _check_nodes(tree: dict) -> None:
    """Children indices valid, each node with at most one parent, no node its own ancestor."""
    nodes = _list(tree, "nodes")
    parent: dict[int, int] = {}
    for index, node in enumerate(nodes):
        children = node.get("children", [])
        if not isinstance(children, list):
            raise GltfCheckError(f"nodes[{index}].children must be a list")
        for child in children:
            if type(child) is not int or not 0 <= child < len(nodes) or child in parent or child == index:
                raise GltfCheckError(f"nodes[{index}].children names node {str(child)[:20]}, which is invalid, "
                                     "itself or already another node's child")  # fmt: skip
            parent[child] = index
    depth: dict[int, int] = {}
    for start in parent:
        path, on_path, node = [], set(), start
        while node in parent and node not in depth:
            if node in on_path:
                raise GltfCheckError(f"nodes form a cycle through node {node}")
            on_path.add(node)
            path.append(node)
            node = parent[node]
        level = depth.get(node, 0)
        for member in reversed(path):
            level += 1
            depth[member] = level
        if level > 1000:
            raise GltfCheckError("nodes nest more than 1,000 levels deep")
