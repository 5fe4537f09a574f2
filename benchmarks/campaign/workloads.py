"""The scenes the campaign renders: the default scene, the whole-body scene, a dense mesh and a tiled molecule.

Each workload is a `Workload`: a scene file to load, plus an optional `decorate(headless)` that adds what a
scene file cannot hold at that size (a million atoms). Sizes come from the campaign's profile (full on the
GPU, tiny for the smoke run on llvmpipe). Everything is built from what the repository ships, since the
device machine has nothing else.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Workload:
    name: str
    scene: Path | None  # None: skipped (see `skipped`)
    title: str
    decorate: Callable | None = None  # decorate(headless) after load: adds molecules, returns a note dict
    skipped: str = ""
    frame_everything: bool = False  # camera framing the GPU scene's bounds, not the scene file's camera
    build_s: float = 0.0  # time spent generating the scene's files


def brain() -> Workload:
    return Workload("brain", ROOT / "scenes" / "brain.yaml", "the default scene (scenes/brain.yaml)")


def whole_body(scene: Path | None) -> Workload:
    """The whole-body library scene; skipped with the reason when this checkout does not ship it."""
    path = scene or ROOT / "scenes" / "whole-body.yaml"
    if not path.is_file():
        return Workload("whole-body", None, "the whole-body scene",
                        skipped=f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path} is not in this "
                                "checkout (the bundled anatomy library has not landed yet)")  # fmt: skip
    return Workload("whole-body", path, f"the whole-body scene ({path.name})")


def dense_mesh(folder: Path, triangles: int, parts: int = 4) -> Workload:
    """`parts` closed tubes (renderer/deform/benchmark.py's `tube`) side by side, `triangles` in all, as GLBs:
    a mesh-bound scene (vertex and raster work) that stays quick to generate at 5M triangles."""
    import trimesh

    from renderer.deform.benchmark import tube

    started = time.perf_counter()
    positions, faces = tube(max(64, triangles // (2 * parts)))
    mesh = trimesh.Trimesh(positions, faces, process=False)
    mesh.export(folder / "dense.glb")
    lines = ["version: 1", "camera: {eye_m: [0.0, 0.05, 0.75], target_m: [0, 0, 0], vertical_fov_deg: 40}", "parts:"]
    for k in range(parts):
        x = (k - (parts - 1) / 2) * 0.3
        y = 0.08 * (k % 2)
        lines.append(f"  tube{k}: {{mesh: dense.glb, material: muscle, transform: {{translation_m: [{x:.3f}, "
                     f"{y:.3f}, 0], rotation_deg: [{20 * k}, 0, 90]}}}}")  # fmt: skip
    scene = folder / "dense.yaml"
    scene.write_text("\n".join(lines) + "\n")
    total = parts * len(faces)
    title = f"{total / 1e6:.2f}M triangles in {parts} parts"
    return Workload("dense", scene, title, build_s=time.perf_counter() - started)


def tiled_atoms(folder: Path, atoms: int) -> Workload:
    """1hpv (HIV-1 protease, waters removed) tiled in a lattice to at least `atoms` atoms, spacefill, over a
    floor part (benchmarks/bench_molecules.py's lattice, benchmarks/shading_passes.py's floor)."""
    from bench_molecules import lattice_for  # benchmarks/ is on sys.path (see gpu_campaign.py)
    from shading_passes import atoms_scene

    scene = atoms_scene(folder)
    note: dict = {}

    def decorate(headless) -> dict:
        from structure_cache import read_1hpv

        from renderer.molecules.render import show
        from renderer.molecules.representations import Representation, build_drawables

        started = time.perf_counter()
        single, source = read_1hpv()
        single = single.subset(~single.is_water)
        counts = lattice_for(single.atom_count, atoms)
        big = single.replicate_lattice(counts) if math.prod(counts) > 1 else single
        drawables = build_drawables(big, [Representation("spacefill", "all", "chain")])
        lo, hi = big.bounds()
        scale = 0.4 / float(np.max(hi - lo))  # as wide as the floor (40 cm), standing on it
        from renderer import maths

        matrix = maths.translation((0.0, 0.2, 0.0)) @ maths.scaling(scale) @ maths.translation(-(lo + hi) / 2)
        show(headless, "atoms", drawables, matrix)
        note.update(
            atoms=int(big.atom_count),
            structure_source=source,
            lattice=list(counts),
            build_s=round(time.perf_counter() - started, 2),
        )
        return note

    return Workload(
        "atoms", scene, f"1hpv tiled to {atoms:,}+ atoms, spacefill", decorate=decorate, frame_everything=True
    )
