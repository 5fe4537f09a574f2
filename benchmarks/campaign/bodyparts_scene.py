"""A whole-body-like scene from BodyParts3D (515 GLBs), for measuring draw calls before the bundled library's
scenes/whole-body.yaml lands; and the same anatomy merged into one part per material, to measure in the same
run what merging static parts would save.

    python benchmarks/campaign/bodyparts_scene.py /work/shared/data/bodyparts3d OUT_DIR [--merged]

Writes OUT_DIR/whole-body-like.yaml (one part per file, material by group: bone, muscle, tendon, organ) and
with --merged also OUT_DIR/whole-body-merged.yaml (one part per material, the same triangles). The eight
files the data's README names as in another frame or scale are left out. Copies the meshes into OUT_DIR,
since a scene may only read files under its own folder. Needs the data folder, so it runs on this machine,
not on the GPU machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import numpy as np

MATERIALS = {"bones": "bone", "muscles": "muscle", "tendons": "tendon", "other": "organ"}
MISPLACED = ("ethmoid", "vomer", "manubrium", "axis", "atlas", "mandible", "sacrum", "diaphragm")  # README


def entries(source: Path) -> list[dict]:
    meta = json.loads((source / "meta.json").read_text())
    keep = [e for e in meta if (source / e["filename"]).is_file()
            and not any(word in e["label"].lower().split() for word in MISPLACED)]  # fmt: skip
    return sorted(keep, key=lambda e: e["filename"])


def write_scene(source: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    (out / "meshes").mkdir(exist_ok=True)
    lines = ["version: 1", "parts:"]
    for k, entry in enumerate(entries(source)):
        name = f"m{k:03d}.glb"
        shutil.copyfile(source / entry["filename"], out / "meshes" / name)
        material = MATERIALS.get(entry["group"], "organ")
        lines.append(f"  p{k:03d}: {{mesh: meshes/{name}, unit: mm, up_axis: z, material: {material}}}")
    path = out / "whole-body-like.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def write_merged(source: Path, out: Path) -> Path:
    """One GLB per material: every file's triangles with its node transform applied, concatenated."""
    import trimesh

    groups: dict[str, list] = {}
    for entry in entries(source):
        mesh = trimesh.load(source / entry["filename"], force="mesh")
        groups.setdefault(MATERIALS.get(entry["group"], "organ"), []).append(mesh)
    lines = ["version: 1", "parts:"]
    for material, meshes in groups.items():
        merged = trimesh.util.concatenate(meshes)
        merged.vertices = np.asarray(merged.vertices, dtype=np.float64)
        name = f"merged_{material}.glb"
        merged.export(out / "meshes" / name)
        lines.append(f"  {material}: {{mesh: meshes/{name}, unit: mm, up_axis: z, material: {material}}}")
    path = out / "whole-body-merged.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--merged", action="store_true")
    args = parser.parse_args()
    print(write_scene(args.source, args.out))
    if args.merged:
        print(write_merged(args.source, args.out))


if __name__ == "__main__":
    main()
