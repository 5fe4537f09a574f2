#!/usr/bin/env python
"""Build Prosector's real-anatomy library (assets/library) from the BodyParts3D GLBs.

Usage::

    python tools/build_library.py [--source ../shared/data/bodyparts3d] [--out assets/library]
                                  [--budget-triangles 900000]

For each source part: read its vertices (millimetres; stored Y up, +X the patient's left, the
face toward +Z: Prosector's convention already, once the file's +90 degree node rotation about X
is left out), bring the eight parts stored in another frame back into the body (`odd_frame.py`),
decimate it to a share of the triangle budget proportional to its surface (bones get twice the
density of muscles: their ridges and foramina carry the detail), convert to metres and write one
GLB per part plus `catalogue.json` (ids, names, FMA ids, tissue, region, system, side, source
file, triangles, bounds) and README.md. One file per part: any glTF tool opens a part, a scene
loads only what it names, and a rebuild changes only the parts that changed.

Deterministic: the same source gives byte-identical files. Needs trimesh, fast-simplification.
"""

from __future__ import annotations

import argparse
import json
import struct
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import library_vocabulary as vocabulary  # noqa: E402
import odd_frame  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# the shared data folder beside the checkout (../shared), or beside a folder of worktrees (../../shared)
_CANDIDATES = [p / "shared" / "data" / "bodyparts3d" for p in (ROOT.parent, ROOT.parent.parent)]
DEFAULT_SOURCE = next((p for p in _CANDIDATES if p.is_dir()), _CANDIDATES[0])
BONE_DENSITY = 2.0  # bones keep twice the triangles per square millimetre of muscles
MIN_TRIANGLES = 120


def read_source(source: Path) -> list[dict]:
    """Every part of meta.json whose file exists: label, group, fma, file, vertices (N,3) mm, faces (M,3)."""
    import trimesh

    parts = []
    for entry in json.loads((source / "meta.json").read_text(encoding="utf-8")):
        path = source / entry["filename"]
        if not path.is_file():
            print(f"  skipped {entry['label']}: {entry['filename']} is not in the source", file=sys.stderr)
            continue
        scene = trimesh.load(str(path), force="scene", process=False)
        (geometry,) = scene.geometry.values()  # one node per file (README of the source)
        parts.append({**entry, "vertices": np.asarray(geometry.vertices, np.float64),
                      "faces": np.asarray(geometry.faces, np.int64)})  # fmt: skip
    return parts


def surface_mm2(vertices: np.ndarray, faces: np.ndarray) -> float:
    c = vertices[faces]
    return float(np.linalg.norm(np.cross(c[:, 1] - c[:, 0], c[:, 2] - c[:, 0]), axis=1).sum() / 2)


def triangle_targets(parts: list[dict], budget: int) -> list[int]:
    """Per-part triangle counts summing to about `budget`: density x surface, within [MIN, source]."""
    weights = np.array([surface_mm2(p["vertices"], p["faces"]) * (BONE_DENSITY if p["tissue"] == "bone" else 1.0)
                        for p in parts])  # fmt: skip
    sources = np.array([len(p["faces"]) for p in parts])
    low, high = 0.0, float(budget) / weights.sum() * 100
    for _ in range(60):  # bisect the density so that the clamped counts meet the budget
        density = (low + high) / 2
        total = np.clip(weights * density, MIN_TRIANGLES, sources).sum()
        low, high = (density, high) if total < budget else (low, density)
    return [int(t) for t in np.clip(weights * low, MIN_TRIANGLES, sources).round()]


def decimate(vertices: np.ndarray, faces: np.ndarray, target: int) -> tuple[np.ndarray, np.ndarray]:
    import fast_simplification

    if target >= len(faces):
        return vertices, faces
    points, triangles = fast_simplification.simplify(vertices.astype(np.float32), faces.astype(np.int32),
                                                     target_reduction=1.0 - target / len(faces))  # fmt: skip
    used = np.unique(triangles)  # drop vertices the simplification orphaned
    remap = np.full(len(points), -1, np.int64)
    remap[used] = np.arange(len(used))
    return np.asarray(points, np.float64)[used], remap[triangles]


def glb_bytes(name: str, positions: np.ndarray, faces: np.ndarray) -> bytes:
    """A minimal glTF 2.0 binary: one node `name`, one mesh, float32 positions (metres), uint16/32 indices."""
    positions = np.ascontiguousarray(positions, np.float32)
    index_type, index_code = (np.uint16, 5123) if len(positions) < 65536 else (np.uint32, 5125)
    indices = np.ascontiguousarray(faces.reshape(-1), index_type).tobytes()
    indices += b"\0" * (-len(indices) % 4)
    blob = indices + positions.tobytes()
    gltf = {
        "asset": {"version": "2.0", "generator": "prosector tools/build_library.py"},
        "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"name": name, "mesh": 0}],
        "meshes": [{"name": name, "primitives": [{"attributes": {"POSITION": 1}, "indices": 0}]}],
        "buffers": [{"byteLength": len(blob)}],
        "bufferViews": [{"buffer": 0, "byteOffset": 0, "byteLength": faces.size * np.dtype(index_type).itemsize,
                         "target": 34963},
                        {"buffer": 0, "byteOffset": len(indices), "byteLength": positions.nbytes, "target": 34962}],
        "accessors": [{"bufferView": 0, "componentType": index_code, "count": int(faces.size), "type": "SCALAR"},
                      {"bufferView": 1, "componentType": 5126, "count": len(positions), "type": "VEC3",
                       "min": positions.min(axis=0).tolist(), "max": positions.max(axis=0).tolist()}],
    }  # fmt: skip
    text = json.dumps(gltf, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 4)
    chunks = struct.pack("<II", len(text), 0x4E4F534A) + text + struct.pack("<II", len(blob), 0x004E4942) + blob
    return struct.pack("<III", 0x46546C67, 2, 12 + len(chunks)) + chunks


def classify(part: dict) -> None:
    label = part["label"]
    part["id"] = vocabulary.part_id(label)
    part["tissue"], part["system"] = vocabulary.tissue_and_system(label, part["group"])
    part["region"], part["side"] = vocabulary.region_of(label), vocabulary.side_of(label)
    part["keywords"] = vocabulary.keywords_of(label)


def build(source: Path, out: Path, budget: int) -> dict:
    started = time.perf_counter()
    print(f"reading {source} ...", flush=True)
    parts = read_source(source)
    for part in parts:
        classify(part)
    fixed, excluded = odd_frame.repair(parts)
    parts = [p for p in parts if p["label"] not in excluded]
    targets = triangle_targets(parts, budget)
    (out / "parts").mkdir(parents=True, exist_ok=True)
    for old in (out / "parts").glob("*.glb"):
        old.unlink()
    entries = []
    for number, (part, target) in enumerate(zip(parts, targets, strict=True), 1):
        vertices, faces = decimate(part["vertices"], part["faces"], target)
        positions = vertices / 1000.0  # mm -> m; the axes already match (see the module docstring)
        file = f"parts/{part['id']}.glb"
        (out / file).write_bytes(glb_bytes(part["id"], positions, faces))
        entries.append({
            "id": part["id"], "name": {"en": part["label"]}, "fma": f"FMA{part['fma']}", "tissue": part["tissue"],
            "region": part["region"], "system": part["system"], "side": part["side"], "keywords": part["keywords"],
            "file": file, "source": part["filename"], "triangles": int(len(faces)),
            "source_triangles": int(len(part["faces"])),
            "bounds_m": np.round([positions.min(axis=0), positions.max(axis=0)], 5).tolist(),
            **({"frame_fix": fixed[part["label"]]} if part["label"] in fixed else {}),
        })  # fmt: skip
        if number % 50 == 0 or number == len(parts):
            print(f"  {number}/{len(parts)} parts ({time.perf_counter() - started:.0f} s)", flush=True)
    entries.sort(key=lambda e: e["id"])
    catalogue = {"format": 1, "source": "BodyParts3D (c) DBCLS, CC BY-SA 2.1 JP", "unit": "m", "up_axis": "y",
                 "excluded": sorted(excluded), "parts": entries}  # fmt: skip
    (out / "catalogue.json").write_text(json.dumps(catalogue, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return catalogue


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out", type=Path, default=ROOT / "assets" / "library")
    parser.add_argument("--budget-triangles", type=int, default=900_000)
    args = parser.parse_args(argv)
    catalogue = build(args.source, args.out, args.budget_triangles)
    import library_readme

    library_readme.write(args.out, catalogue, args.budget_triangles)
    size = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    triangles = sum(p["triangles"] for p in catalogue["parts"])
    print(f"wrote {len(catalogue['parts'])} parts, {triangles:,} triangles, {size / 2**20:.1f} MiB to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
