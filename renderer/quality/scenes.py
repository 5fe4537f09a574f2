"""The quality benchmark's scenes: a sphere on a plane, the bundled brain, and a crease-rich bone.

No real vertebra is bundled (the asset sources are brain templates), so the bone is procedural: a
vertebra-like shape from overlapping closed primitives (body, arch, spinous and transverse
processes, facets) on a slab, which gives many concave creases where the pieces meet.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parents[2]


def flat_box(extents, centre):
    """A box whose faces keep their own vertices, so smooth vertex normals stay flat per face."""
    import trimesh

    box = trimesh.creation.box(extents=extents)
    box.apply_translation(centre)
    box.unmerge_vertices()
    return box


def write_sphere_on_plane(folder: Path) -> Path:
    import trimesh

    folder.mkdir(parents=True, exist_ok=True)
    trimesh.creation.icosphere(subdivisions=4, radius=0.1).export(folder / "sphere.glb")
    flat_box((0.6, 0.02, 0.6), (0, -0.11, 0)).export(folder / "slab.glb")
    scene = folder / "sphere_on_plane.yaml"
    scene.write_text(
        "version: 1\n"
        "camera: {eye_m: [0.0, 0.35, 0.55], target_m: [0, -0.02, 0], vertical_fov_deg: 35}\n"
        "lights: {key: {direction: [0.4, 0.8, 0.3], angular_diameter_deg: 3}}\n"
        "parts:\n"
        "  ball: {mesh: sphere.glb, material: bone}\n"
        "  floor: {mesh: slab.glb, material: plastic}\n"
    )
    return scene


def vertebra_mesh():
    """A lumbar-vertebra-like solid, ~9 cm wide, metres, Y up, +Z anterior (trimesh.Trimesh)."""
    import trimesh
    from trimesh import creation
    from trimesh import transformations as tf

    def place(mesh, translate=(0, 0, 0), rotate_deg=(0, 0, 0)):
        angles = np.radians(rotate_deg)
        mesh.apply_transform(tf.euler_matrix(*angles, axes="sxyz"))
        mesh.apply_translation(translate)
        return mesh

    # The body is a flattened capsule rather than a cylinder: smooth normals on a cylinder's sharp
    # rim would tilt the cap's shading frame by 45 degrees.
    body = creation.capsule(height=0.014, radius=0.022, count=[48, 24])  # axis along Z
    body.apply_scale((1.0, 1.0, 0.8))
    body = place(body, (0, 0, 0.012), (90, 0, 0))
    pieces = [
        body,
        place(creation.torus(major_radius=0.016, minor_radius=0.005, major_sections=48, minor_sections=16),
              (0, 0.002, -0.018), (90, 0, 0)),  # arch around the canal
        place(creation.capsule(height=0.03, radius=0.0055, count=[16, 16]), (0, -0.004, -0.045), (100, 0, 0)),
        place(creation.capsule(height=0.034, radius=0.004, count=[16, 16]), (0.026, 0.003, -0.016), (0, 90, 0)),
        place(creation.capsule(height=0.034, radius=0.004, count=[16, 16]), (-0.026, 0.003, -0.016), (0, 90, 0)),
        place(creation.icosphere(subdivisions=3, radius=0.006), (0.011, 0.011, -0.024)),  # facets
        place(creation.icosphere(subdivisions=3, radius=0.006), (-0.011, 0.011, -0.024)),
        place(creation.icosphere(subdivisions=3, radius=0.0055), (0.011, -0.008, -0.026)),
        place(creation.icosphere(subdivisions=3, radius=0.0055), (-0.011, -0.008, -0.026)),
    ]
    return trimesh.util.concatenate(pieces)


def write_bone(folder: Path) -> Path:

    folder.mkdir(parents=True, exist_ok=True)
    vertebra = vertebra_mesh()
    vertebra.apply_translation((0, 0.0195 - vertebra.bounds[0][1] - 0.02, 0))  # rest on the slab top
    vertebra.export(folder / "vertebra.glb")
    flat_box((0.16, 0.006, 0.16), (0, -0.0235, 0)).export(folder / "bone_slab.glb")
    scene = folder / "bone.yaml"
    scene.write_text(
        "version: 1\n"
        "camera: {eye_m: [0.12, 0.13, -0.15], target_m: [0, -0.004, -0.012], vertical_fov_deg: 35}\n"
        "lights: {key: {direction: [-0.3, 0.8, 0.5], angular_diameter_deg: 3}}\n"
        "parts:\n"
        "  vertebra: {mesh: vertebra.glb, material: bone}\n"
        "  floor: {mesh: bone_slab.glb, material: plastic}\n"
    )
    return scene


def quality_scenes(folder: Path) -> dict[str, Path]:
    """Scene files by name; generated ones are written into `folder`."""
    return {
        "sphere_on_plane": write_sphere_on_plane(folder),
        "brain": REPOSITORY / "scenes" / "brain.yaml",
        "bone": write_bone(folder),
    }
