"""`prosector info`: what a scene contains and what this machine will use to show it."""

from __future__ import annotations

import numpy as np

from renderer.deform.backend import choose_backend
from renderer.gpu.scene import model_matrix
from renderer.maths import transform_points
from renderer.scene.load import load_scene
from renderer.scene.model import text_in


def info_command(args) -> int:
    loaded = load_scene(args.scene, asset_roots=args.asset_root)
    if getattr(args, "json", False):
        from renderer.commands.info_json import print_json

        print_json(loaded, str(args.scene))
        return 0
    scene = loaded.scene
    title = text_in(scene.title, "en") or args.scene.stem
    print(f"scene: {title} ({args.scene})")
    print(f"parts: {len(scene.parts)}")
    boxes, total_bytes = [], 0
    for part_id, part in scene.parts.items():
        mesh = loaded.meshes[part_id]
        world = transform_points(model_matrix(part), mesh.positions.astype(np.float64))
        box = np.array([world.min(axis=0), world.max(axis=0)])
        boxes.append(box)
        total_bytes += mesh.nbytes
        size_cm = (box[1] - box[0]) * 100
        state = "" if part.visible else " (hidden)"
        print(
            f"  {part_id:<24} {mesh.triangle_count:>10,} triangles  {len(mesh.positions):>9,} vertices  "
            f"size {size_cm[0]:.1f} x {size_cm[1]:.1f} x {size_cm[2]:.1f} cm{state}"
        )
    boxes += _molecules(loaded)
    lo = np.min([b[0] for b in boxes], axis=0)
    hi = np.max([b[1] for b in boxes], axis=0)
    print(f"triangles: {loaded.triangle_count:,}")
    print(f"bounds (m): min {_fmt(lo)}  max {_fmt(hi)}")
    print(
        f"GPU memory estimate: {total_bytes / 2**20:.1f} MiB of geometry "
        "(+ about 40 bytes per pixel per view for render buffers)"
    )
    backend = choose_backend()
    print(f"array backend: {backend.name} on {backend.device} ({backend.reason})")
    return 0


def _fmt(v) -> str:
    return "(" + ", ".join(f"{x:+.3f}" for x in v) + ")"


def _molecules(loaded) -> list[np.ndarray]:
    """Print each molecule (atoms, bonds, chains, ligands, size in the scene); return their world boxes."""
    if not loaded.scene.molecules:
        return []
    from renderer.molecules.describe import describe_structure
    from renderer.scene.molecule_state import core_mask, molecule_matrix, world_points

    print(f"molecules: {len(loaded.scene.molecules)}")
    boxes = []
    for molecule_id, spec in loaded.scene.molecules.items():
        structure = loaded.structures[molecule_id]
        summary = describe_structure(structure)
        world = world_points(structure, molecule_matrix(spec, structure), core_mask(structure))
        box = np.array([world.min(axis=0), world.max(axis=0)])
        boxes.append(box)
        size_cm = (box[1] - box[0]) * 100
        state = "" if spec.visible else " (hidden)"
        print(f"  {molecule_id:<24} {summary.atoms:>10,} atoms  {summary.bonds:>9,} bonds  "
              f"{len(summary.chains)} chain(s)  size {size_cm[0]:.1f} x {size_cm[1]:.1f} x {size_cm[2]:.1f} cm"
              f" (1 Å = {spec.m_per_angstrom * 1000:g} mm){state}")  # fmt: skip
        for line in summary.lines()[1:]:
            print(f"    {line.strip()}")
    return boxes
