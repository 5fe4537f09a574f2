"""Scenes the start-up benchmarks share: the 1.3M-triangle sphere, the whole body from BodyParts3D,
and 1HPV's molecular surface as a mesh. Each is built once into a folder and reused; every scene
is a plain scene file plus mesh files, so the peers (PyVista, pyrender) can read the same meshes.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BODYPARTS3D = Path("/work/shared/data/bodyparts3d")
# Parts that BodyParts3D ships in another scale or frame (its README): they would sit far from the body.
MISPLACED = ("Ethmoid", "Vomer", "Manubrium", "Axis", "Atlas", "Mandible", "Sacrum", "Diaphragm")


@dataclass(frozen=True)
class BenchScene:
    """A scene file and the mesh files it draws, in metres once `scale` (file units -> m) and
    `z_up` (file Z up -> Y up) are applied; eye/target in metres (scene space), fov in degrees."""

    name: str
    scene: Path
    meshes: list[Path]
    scale: float = 1.0
    z_up: bool = False
    asset_roots: tuple[Path, ...] = ()


def sphere(folder: Path) -> BenchScene:
    folder.mkdir(parents=True, exist_ok=True)
    mesh, scene = folder / "sphere.glb", folder / "sphere.yaml"
    if not mesh.exists():
        import trimesh

        trimesh.creation.icosphere(subdivisions=8, radius=0.1).export(mesh)  # 1,310,720 triangles
    scene.write_text("version: 1\ncamera: {eye_m: [0, 0.1, 0.45], target_m: [0, 0, 0], vertical_fov_deg: 35}\n"
                     "parts:\n  ball: {mesh: sphere.glb, material: bone}\n")  # fmt: skip
    return BenchScene("1.3M-triangle sphere", scene, [mesh])


def whole_body(folder: Path) -> BenchScene | None:
    """Every BodyParts3D part that fits the shared body frame (507 files), scaffolded with `prosector
    new` and set to millimetres, Z up (the README's frame). None without the data set."""
    sources = sorted(p for p in BODYPARTS3D.glob("*/*.glb") if not p.stem.endswith(tuple(f"_{m}" for m in MISPLACED)))
    if not sources:
        return None
    folder.mkdir(parents=True, exist_ok=True)
    scene = folder / "scene.yaml"
    if not scene.exists():
        print(f"scaffolding the whole body from {len(sources)} BodyParts3D files ...", flush=True)
        subprocess.run([sys.executable, "-m", "renderer", "new", str(scene), "--force", "--from", *map(str, sources)],
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT)  # fmt: skip
        text = re.sub(r"unit: c?m?m  # guessed from the mesh size", "unit: mm\n    up_axis: z", scene.read_text())
        text = text.replace("\nparts:\n", "\ncamera: {eye_m: [0.0, 0.95, 2.6], target_m: [0.0, 0.95, 0.0], "
                                          "vertical_fov_deg: 40}\nparts:\n", 1)  # fmt: skip
        scene.write_text(text)
    meshes = sorted((folder / "assets").glob("*.glb"))
    return BenchScene(f"whole body ({len(meshes)} parts)", scene, meshes, scale=0.001, z_up=True)


def library_body() -> BenchScene:
    """The bundled whole-body library scene (scenes/whole-body.yaml, 513 parts, 0.9M triangles), as a
    teacher opens it; the peers read its GLBs (metres, Y up, no node transforms: assets/library)."""
    meshes = sorted((ROOT / "assets" / "library" / "parts").glob("*.glb"))
    return BenchScene(f"whole-body library scene ({len(meshes)} parts)", ROOT / "scenes" / "whole-body.yaml", meshes)


def hpv_surface(folder: Path) -> BenchScene:
    """1HPV's molecular surface (Prosector's own Gaussian surface, 1 Å = 1 cm) written as a GLB."""
    folder.mkdir(parents=True, exist_ok=True)
    mesh, scene = folder / "1hpv_surface.glb", folder / "1hpv.yaml"
    if not mesh.exists():
        import numpy as np
        import trimesh

        from renderer.molecules.io import read_structure
        from renderer.molecules.surface import molecular_surface

        structure = read_structure(ROOT / "assets" / "molecules" / "1hpv.pdb")
        radii = np.full(structure.atom_count, 1.7, np.float32)
        colours = np.ones((structure.atom_count, 3), np.float32)
        surface = molecular_surface(structure.positions_a, radii, colours, spacing_a=0.5)
        centre = surface.positions.mean(axis=0)
        vertices = (surface.positions - centre) * 0.01
        trimesh.Trimesh(vertices, surface.indices.reshape(-1, 3), process=False).export(mesh)
    scene.write_text("version: 1\ncamera: {eye_m: [0, 0, 0.9], target_m: [0, 0, 0], vertical_fov_deg: 35}\n"
                     "parts:\n  protease: {mesh: 1hpv_surface.glb, material: organ}\n")  # fmt: skip
    return BenchScene("1HPV surface mesh", scene, [mesh])


def hpv_molecule() -> BenchScene:
    """The bundled lesson's molecule read from the PDB file (cartoon): Prosector only."""
    return BenchScene("1HPV molecule (PDB, cartoon)", ROOT / "scenes" / "hiv-protease-lesson.yaml", [])


def brain() -> BenchScene:
    return BenchScene("default scene (brain)", ROOT / "scenes" / "brain.yaml", [])
