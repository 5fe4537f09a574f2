"""The seeds the fuzzer mutates: every example scene, real meshes and real molecules (none made here).

- scenes: scenes/*.yaml of this repository (they name the bundled assets/);
- meshes: the bundled GLBs (assets/), a sample of BodyParts3D GLBs (/work/shared/data/bodyparts3d,
  or $PROSECTOR_BODYPARTS3D), and one BodyParts3D bone re-exported by trimesh as OBJ+MTL+texture, ASCII
  and binary STL, ASCII and binary PLY, OFF and glTF with an external .bin and .png, so every reader
  and every side-file path is exercised;
- molecules: assets/molecules and the PDB, SDF, MOL and MOL2 files of Debian's pymol-data, plus one
  entry converted to mmCIF by biotite.
Seeds are built once per campaign into a cache folder (`build_corpus`) and then only read.
"""

from __future__ import annotations

import io
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BODYPARTS3D = Path(os.environ.get("PROSECTOR_BODYPARTS3D", "/work/shared/data/bodyparts3d"))
PYMOL_DATA = Path("/usr/share/pymol")
MOLECULE_SUFFIXES = (".pdb", ".cif", ".sdf", ".mol", ".mol2")


@dataclass
class Corpus:
    scenes: dict[str, str] = field(default_factory=dict)  # name -> text
    meshes: dict[str, dict[str, bytes]] = field(default_factory=dict)  # seed -> {file: bytes}, the mesh first
    molecules: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes


def build_corpus(cache: Path, bodyparts: int = 12, seed: int = 0) -> Corpus:
    """Seeds, from the repository and the shared data sets; derived formats cached under `cache`."""
    corpus = Corpus()
    for path in sorted((ROOT / "scenes").glob("*.yaml")):
        corpus.scenes[path.name] = path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "assets").rglob("*.glb")):
        if path.stat().st_size < 600_000:  # the larger brain meshes only slow each case down
            corpus.meshes[path.name] = {path.name: path.read_bytes()}
    glbs = sorted(BODYPARTS3D.rglob("*.glb")) if BODYPARTS3D.is_dir() else []
    rng = random.Random(seed)
    small = [p for p in glbs if p.stat().st_size < 400_000]
    for path in rng.sample(small, min(bodyparts, len(small))):
        corpus.meshes[path.name] = {path.name: path.read_bytes()}
    if small:
        corpus.meshes.update(_derived_meshes(min(small, key=lambda p: p.stat().st_size), cache))
    for path in sorted((ROOT / "assets" / "molecules").iterdir()):
        if path.suffix.lower() in MOLECULE_SUFFIXES:
            corpus.molecules[path.name] = path.read_bytes()
    for path in sorted(PYMOL_DATA.rglob("*")) if PYMOL_DATA.is_dir() else []:
        if path.suffix.lower() in MOLECULE_SUFFIXES and path.is_file() and path.stat().st_size < 400_000 \
                and "chem_comp" not in path.name:  # fmt: skip
            corpus.molecules.setdefault(path.name, path.read_bytes())
    cif = _derived_cif(cache)
    if cif:
        corpus.molecules["1hpv.cif"] = cif
    return corpus


def _derived_meshes(source: Path, cache: Path) -> dict[str, dict[str, bytes]]:
    """One real bone in every other format trimesh writes, with a texture for OBJ and glTF."""
    folder = cache / "derived-meshes"
    if not (folder / "done").exists():
        folder.mkdir(parents=True, exist_ok=True)
        _export_formats(source, folder)
        (folder / "done").write_text(source.name)
    groups: dict[str, dict[str, bytes]] = {}
    for main, extras in (("bone.obj", ["bone.mtl", "bone_texture.png"]), ("bone_ascii.stl", []), ("bone.stl", []),
                         ("bone_ascii.ply", []), ("bone.ply", []), ("bone.off", []),
                         ("bone.gltf", ["bone.bin", "bone_texture.png"])):  # fmt: skip
        files = {main: (folder / main).read_bytes()}
        files.update({name: (folder / name).read_bytes() for name in extras if (folder / name).exists()})
        groups[main] = files
    return groups


def _export_formats(source: Path, folder: Path) -> None:
    import numpy as np
    import trimesh
    from PIL import Image

    mesh = trimesh.load(source, force="mesh", process=False)
    texture = Image.fromarray((np.indices((16, 16)).sum(axis=0) % 2 * 255).astype(np.uint8)).convert("RGBA")
    texture.save(folder / "bone_texture.png")
    uv = (mesh.vertices[:, :2] - mesh.vertices[:, :2].min(axis=0)) / np.ptp(mesh.vertices[:, :2], axis=0).max()
    mesh.export(folder / "bone_ascii.stl", file_type="stl_ascii")
    mesh.export(folder / "bone.stl", file_type="stl")
    (folder / "bone_ascii.ply").write_bytes(trimesh.exchange.ply.export_ply(mesh, encoding="ascii"))
    mesh.export(folder / "bone.ply", file_type="ply")
    mesh.export(folder / "bone.off", file_type="off")
    vertices = "".join(
        f"v {x:.6f} {y:.6f} {z:.6f}\nvt {u:.5f} {v:.5f}\n" for (x, y, z), (u, v) in zip(mesh.vertices, uv, strict=True)
    )
    faces = "".join(f"f {a + 1}/{a + 1} {b + 1}/{b + 1} {c + 1}/{c + 1}\n" for a, b, c in mesh.faces)
    (folder / "bone.obj").write_text(f"mtllib bone.mtl\nusemtl bone\n{vertices}{faces}")
    (folder / "bone.mtl").write_text("newmtl bone\nKd 0.9 0.85 0.8\nmap_Kd bone_texture.png\n")
    _write_gltf(mesh.vertices.astype(np.float32), mesh.faces.astype(np.uint32), uv.astype(np.float32), folder)


def _write_gltf(vertices, faces, uv, folder: Path) -> None:
    """A glTF 2.0 with an external buffer and an external texture (what exporters write for the web)."""
    blobs = [vertices.tobytes(), uv.tobytes(), faces.tobytes()]
    offsets = [0, len(blobs[0]), len(blobs[0]) + len(blobs[1])]
    (folder / "bone.bin").write_bytes(b"".join(blobs))
    tree = {
        "asset": {"version": "2.0"}, "scene": 0, "scenes": [{"nodes": [0]}], "nodes": [{"mesh": 0, "name": "bone"}],
        "meshes": [{"primitives": [{"attributes": {"POSITION": 0, "TEXCOORD_0": 1}, "indices": 2, "material": 0}]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorTexture": {"index": 0}}}],
        "textures": [{"source": 0}], "images": [{"uri": "bone_texture.png"}],
        "buffers": [{"uri": "bone.bin", "byteLength": sum(map(len, blobs))}],
        "bufferViews": [{"buffer": 0, "byteOffset": o, "byteLength": len(b)}
                        for o, b in zip(offsets, blobs, strict=True)],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": len(vertices), "type": "VEC3",
             "min": vertices.min(axis=0).tolist(), "max": vertices.max(axis=0).tolist()},
            {"bufferView": 1, "componentType": 5126, "count": len(uv), "type": "VEC2"},
            {"bufferView": 2, "componentType": 5125, "count": faces.size, "type": "SCALAR"},
        ],
    }  # fmt: skip
    (folder / "bone.gltf").write_text(json.dumps(tree, indent=1))


def _derived_cif(cache: Path) -> bytes | None:
    target = cache / "1hpv.cif"
    if not target.exists():
        try:
            import biotite.structure.io.pdb as pdb
            import biotite.structure.io.pdbx as pdbx
        except ImportError:
            return None
        atoms = pdb.PDBFile.read(str(ROOT / "assets" / "molecules" / "1hpv.pdb")).get_structure(model=1)
        cif = pdbx.CIFFile()
        pdbx.set_structure(cif, atoms)
        text = io.StringIO()
        cif.write(text)
        target.write_text(text.getvalue())
    return target.read_bytes()
