"""A minimal glTF 2.0 writer: JSON document plus one binary buffer, packed as GLB.

Only what the exporter needs: float/uint accessors with min/max for positions, meshes of one
primitive, nodes with matrices, materials as plain dicts. The layout follows the spec's rules
(4-byte alignment of every view and chunk, accessor bounds on POSITION).
"""

from __future__ import annotations

import json
import struct

import numpy as np

ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
COMPONENT = {np.dtype(np.float32): 5126, np.dtype(np.uint32): 5125, np.dtype(np.uint16): 5123,
             np.dtype(np.uint8): 5121}  # fmt: skip
TYPE = {1: "SCALAR", 2: "VEC2", 3: "VEC3", 4: "VEC4"}


class GltfBuilder:
    """Collects buffers, accessors, meshes, materials and nodes; `glb()` returns the file's bytes."""

    def __init__(self, generator: str):
        self.doc: dict = {"asset": {"version": "2.0", "generator": generator}, "scene": 0,
                          "scenes": [{"nodes": []}], "nodes": [], "meshes": [], "materials": [],
                          "accessors": [], "bufferViews": [], "buffers": []}  # fmt: skip
        self._blob = bytearray()
        self.extensions_used: set[str] = set()

    def accessor(self, array: np.ndarray, target: int | None = None, bounds: bool = False) -> int:
        """Index of a new accessor over `array` ((N,) or (N, C), float32/uint32/uint16/uint8)."""
        array = np.ascontiguousarray(array)
        columns = 1 if array.ndim == 1 else array.shape[1]
        while len(self._blob) % 4:
            self._blob.append(0)
        view = {"buffer": 0, "byteOffset": len(self._blob), "byteLength": array.nbytes}
        if target is not None:
            view["target"] = target
        self._blob += array.tobytes()
        self.doc["bufferViews"].append(view)
        accessor = {"bufferView": len(self.doc["bufferViews"]) - 1, "componentType": COMPONENT[array.dtype],
                    "count": len(array), "type": TYPE[columns]}  # fmt: skip
        if bounds:
            flat = array.reshape(len(array), columns)
            accessor["min"] = [float(v) for v in flat.min(axis=0)]
            accessor["max"] = [float(v) for v in flat.max(axis=0)]
        self.doc["accessors"].append(accessor)
        return len(self.doc["accessors"]) - 1

    def texture_png(self, png: bytes) -> int:
        """Index of a new texture over an embedded PNG (linear filtering, repeat wrap: glTF's defaults)."""
        while len(self._blob) % 4:
            self._blob.append(0)
        self.doc["bufferViews"].append({"buffer": 0, "byteOffset": len(self._blob), "byteLength": len(png)})
        self._blob += png
        self.doc.setdefault("images", []).append({"bufferView": len(self.doc["bufferViews"]) - 1,
                                                  "mimeType": "image/png"})  # fmt: skip
        self.doc.setdefault("samplers", [{"magFilter": 9729, "minFilter": 9987, "wrapS": 10497, "wrapT": 10497}])
        self.doc.setdefault("textures", []).append({"sampler": 0, "source": len(self.doc["images"]) - 1})
        return len(self.doc["textures"]) - 1

    def mesh(self, name: str, positions: np.ndarray, normals: np.ndarray, indices: np.ndarray, material: int,
             colors: np.ndarray | None = None, uvs: np.ndarray | None = None) -> int:  # fmt: skip
        """positions, normals: (V, 3) float32; indices: (T, 3) or (3T,) uint32; colors: (V, 3) linear RGB;
        uvs: (V, 2) glTF texture coordinates (v = 0 at the image's top)."""
        attributes = {"POSITION": self.accessor(positions.astype(np.float32), ARRAY_BUFFER, bounds=True),
                      "NORMAL": self.accessor(normals.astype(np.float32), ARRAY_BUFFER)}  # fmt: skip
        if colors is not None:
            attributes["COLOR_0"] = self.accessor(colors.astype(np.float32), ARRAY_BUFFER)
        if uvs is not None:
            attributes["TEXCOORD_0"] = self.accessor(uvs.astype(np.float32), ARRAY_BUFFER)
        flat = np.asarray(indices).reshape(-1)
        index_type = np.uint16 if len(positions) < 65536 else np.uint32
        primitive = {"attributes": attributes, "indices": self.accessor(flat.astype(index_type), ELEMENT_ARRAY_BUFFER),
                     "material": material, "mode": 4}  # fmt: skip
        self.doc["meshes"].append({"name": name, "primitives": [primitive]})
        return len(self.doc["meshes"]) - 1

    def material(self, material: dict) -> int:
        self.doc["materials"].append(material)
        self.extensions_used.update(material.get("extensions", {}))
        return len(self.doc["materials"]) - 1

    def node(self, name: str, mesh: int | None = None, matrix: np.ndarray | None = None, extras: dict | None = None,
             children: list[int] | None = None, root: bool = True) -> int:  # fmt: skip
        """matrix: (4, 4) float64 row-major (numpy convention); stored column-major as glTF asks."""
        node: dict = {"name": name}
        if mesh is not None:
            node["mesh"] = mesh
        if matrix is not None and not np.allclose(matrix, np.eye(4)):
            node["matrix"] = [float(v) for v in np.asarray(matrix).T.reshape(-1)]
        if extras:
            node["extras"] = extras
        if children:
            node["children"] = children
        self.doc["nodes"].append(node)
        index = len(self.doc["nodes"]) - 1
        if root:
            self.doc["scenes"][0]["nodes"].append(index)
        return index

    def glb(self, extras: dict | None = None) -> bytes:
        doc = dict(self.doc)
        if extras is not None:
            doc["scenes"] = [{**doc["scenes"][0], "extras": extras}]
        doc["buffers"] = [{"byteLength": len(self._blob)}]
        if self.extensions_used:
            doc["extensionsUsed"] = sorted(self.extensions_used)
        doc = {k: v for k, v in doc.items() if v != []}
        text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        text += b" " * (-len(text) % 4)
        blob = bytes(self._blob) + b"\0" * (-len(self._blob) % 4)
        total = 12 + 8 + len(text) + 8 + len(blob)
        return (struct.pack("<4sII", b"glTF", 2, total) + struct.pack("<I4s", len(text), b"JSON") + text
                + struct.pack("<I4s", len(blob), b"BIN\0") + blob)  # fmt: skip


def read_glb_json(data: bytes) -> dict:
    """The JSON chunk of a GLB file (for tests and the site writer)."""
    magic, version, _ = struct.unpack_from("<4sII", data, 0)
    if magic != b"glTF" or version != 2:
        raise ValueError("not a glTF 2.0 binary")
    length, kind = struct.unpack_from("<I4s", data, 12)
    if kind != b"JSON":
        raise ValueError("GLB without a JSON chunk first")
    return json.loads(data[20:20 + length].decode("utf-8"))


def triangle_count(doc: dict) -> int:
    """Triangles drawn by a glTF document: every triangle primitive of every mesh a node uses."""
    used = [node["mesh"] for node in doc.get("nodes", []) if "mesh" in node]
    total = 0
    for mesh in used:
        for primitive in doc["meshes"][mesh]["primitives"]:
            if primitive.get("mode", 4) != 4:
                continue
            if "indices" in primitive:
                total += doc["accessors"][primitive["indices"]]["count"] // 3
            else:
                total += doc["accessors"][primitive["attributes"]["POSITION"]]["count"] // 3
    return total
