"""Build the simple, hand-shaped anatomy meshes used to demonstrate deformation (not real anatomy data).

    python tools/build_simple_anatomy.py --out assets/anatomy-simple

Writes thorax.glb (heart, lung_left, lung_right, diaphragm, liver) and arm.glb (humerus, radius, ulna,
biceps) with trimesh primitives shaped by simple formulas below; deterministic. Scene space: metres,
Y up, the patient faces +Z, the patient's left is +X.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import trimesh


def ellipsoid(half_extents, subdivisions: int = 4) -> trimesh.Trimesh:
    sphere = trimesh.creation.icosphere(subdivisions=subdivisions, radius=1.0)
    sphere.apply_scale(half_extents)
    return sphere


def heart() -> trimesh.Trimesh:
    """An egg: broad base above, narrowing to an apex that points down, to the left and forward."""
    mesh = ellipsoid((0.042, 0.06, 0.038))
    v = mesh.vertices
    taper = np.clip(1.0 + 0.55 * v[:, 1] / 0.06, 0.45, 1.3)  # narrow toward the apex (y < 0)
    v[:, 0] *= taper
    v[:, 2] *= taper
    mesh.vertices = v
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.radians(35), (0, 0, 1)))
    mesh.apply_transform(trimesh.transformations.rotation_matrix(np.radians(-20), (1, 0, 0)))
    mesh.apply_translation((0.015, -0.02, 0.04))
    return mesh


def lung(side: float) -> trimesh.Trimesh:
    """An ellipsoid whose base is pushed up into a concave dome where it sits on the diaphragm."""
    mesh = ellipsoid((0.055, 0.115, 0.065))
    v = mesh.vertices
    r2 = (v[:, 0] / 0.055) ** 2 + (v[:, 2] / 0.065) ** 2
    below = v[:, 1] < 0
    v[below, 1] += 0.035 * np.clip(1.0 - r2[below], 0.0, 1.0) * (-v[below, 1] / 0.115)
    mesh.vertices = v
    mesh.apply_translation((side * 0.085, 0.03, 0.0))
    return mesh


def diaphragm() -> trimesh.Trimesh:
    """A thin dome: a flat disc bent up in the middle."""
    disc = trimesh.creation.cylinder(radius=0.14, height=0.006, sections=64)
    disc.apply_transform(trimesh.transformations.rotation_matrix(np.radians(-90), (1, 0, 0)))
    disc = disc.subdivide_to_size(0.012)
    v = disc.vertices
    r2 = (v[:, 0] ** 2 + v[:, 2] ** 2) / 0.14**2
    v[:, 1] += 0.035 * (1.0 - r2)
    disc.vertices = v
    disc.apply_translation((0.0, -0.115, 0.0))
    return disc


def liver() -> trimesh.Trimesh:
    """A wedge-like blob under the right dome of the diaphragm (the patient's right is -X)."""
    mesh = ellipsoid((0.1, 0.05, 0.07))
    v = mesh.vertices
    v[:, 1] *= np.clip(1.0 - 0.5 * (v[:, 0] / 0.1), 0.4, 1.6)  # thicker on the right, thin to the left
    mesh.vertices = v
    mesh.apply_translation((-0.04, -0.17, 0.01))
    return mesh


def bone(head, tail, radius: float) -> trimesh.Trimesh:
    head, tail = np.asarray(head, float), np.asarray(tail, float)
    length = float(np.linalg.norm(tail - head))
    capsule = trimesh.creation.capsule(height=length, radius=radius, count=(24, 24))
    capsule.apply_transform(trimesh.geometry.align_vectors((0, 0, 1), (tail - head) / length))
    capsule.apply_translation((head + tail) / 2)
    return capsule


def biceps(origin, insertion) -> trimesh.Trimesh:
    """A spindle: thin tendons at both ends, a belly in the middle (a surface of revolution)."""
    origin, insertion = np.asarray(origin, float), np.asarray(insertion, float)
    length = float(np.linalg.norm(insertion - origin))
    u = np.linspace(0.0, 1.0, 48)
    radius = 0.004 + 0.019 * np.sin(np.pi * u) ** 1.5
    radius[0] = radius[-1] = 0.0
    profile = np.column_stack([radius, u * length])
    mesh = trimesh.creation.revolve(profile, sections=40)
    mesh.merge_vertices()
    mesh.apply_transform(trimesh.geometry.align_vectors((0, 0, 1), (insertion - origin) / length))
    mesh.apply_translation(origin)
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def export(path: Path, parts: dict[str, trimesh.Trimesh]) -> None:
    scene = trimesh.Scene()
    for name, mesh in parts.items():
        mesh.fix_normals()
        scene.add_geometry(mesh, node_name=name, geom_name=name)
    path.write_bytes(scene.export(file_type="glb"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("assets/anatomy-simple"))
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    export(out / "thorax.glb", {"heart": heart(), "lung_left": lung(1.0), "lung_right": lung(-1.0),
                                "diaphragm": diaphragm(), "liver": liver()})  # fmt: skip
    shoulder, elbow, wrist = (0.0, 0.3, 0.0), (0.0, 0.0, 0.0), (0.0, -0.25, 0.0)
    export(out / "arm.glb", {
        "humerus": bone(shoulder, (0.0, 0.012, 0.0), 0.012),
        "radius": bone((0.013, -0.012, 0.004), (0.018, -0.25, 0.004), 0.008),
        "ulna": bone((-0.012, -0.004, -0.006), (-0.014, -0.25, -0.006), 0.008),
        "biceps": biceps((0.0, 0.26, 0.03), (0.01, -0.04, 0.018)),
    })  # fmt: skip
    print(f"wrote {out / 'thorax.glb'} and {out / 'arm.glb'}; elbow at {elbow}, wrist at {wrist}")


if __name__ == "__main__":
    main()
