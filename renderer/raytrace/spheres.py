"""Molecule atoms as ray-traced occluders: the world-space spheres of the visible molecules' sphere
impostors, a BVH over them, and their GPU storage buffers, kept in step with a GpuScene.

The spheres get a BVH of their own (the same NumPy builder: each sphere enters as the degenerate
triangle (c - r, c + r, c), whose box is the sphere's box and whose centroid is its centre) and are
hit analytically in shaders/lib/bvh_spheres.glsl, so a million-atom structure costs a million
spheres, not the triangles of a million tessellated balls. Atoms are opaque; bonds (cylinder
impostors), cartoons and molecular surfaces are not traced. Scale bars never occlude.

Rebuilt when the set of molecules, their representations or their placement change.
"""

from __future__ import annotations

import numpy as np

from renderer import maths
from renderer.gl.compute import bind_storage_buffer
from renderer.gl.resources import Buffer, ResourceRegistry
from renderer.gl.shader_interface import STORAGE_BINDINGS
from renderer.gpu.molecule import GpuMolecule
from renderer.gpu.scene import GpuScene
from renderer.raytrace.bvh import Bvh, build_bvh


def world_spheres(molecules: list[GpuMolecule]) -> tuple[np.ndarray, np.ndarray]:
    """Centres (S, 3) float32 metres (world) and radii (S,) float32 metres of the molecules' atoms,
    without those whose centre a section of the molecule cuts away (they are not drawn either)."""
    centres, radii = [], []
    for molecule in molecules:
        world = maths.transform_points(molecule.model_matrix, molecule.sphere_centres_a.astype(np.float64))
        kept = _uncut(world, molecule.clip_planes, molecule.cut_boxes)
        centres.append(world[kept])
        radii.append(molecule.sphere_radii_a.astype(np.float64)[kept] * molecule.model_scale)
    if not centres:
        return np.zeros((0, 3), np.float32), np.zeros(0, np.float32)
    return np.concatenate(centres).astype(np.float32), np.concatenate(radii).astype(np.float32)


def _uncut(points: np.ndarray, planes: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    """(P,) bool: points kept by every clip plane (K, 4) and outside every cut box (M, 2, 3)."""
    keep = np.ones(len(points), bool)
    for plane in np.asarray(planes, np.float64).reshape(-1, 4):
        keep &= points @ plane[:3] + plane[3] >= 0
    for lo, hi in np.asarray(boxes, np.float64).reshape(-1, 2, 3):
        keep &= ~np.all((points >= lo) & (points <= hi), axis=1)
    return keep


def sphere_boxes_as_triangles(centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """(S, 3, 3): per sphere the points c - r, c + r and c, for `build_bvh` (box = the sphere's box)."""
    r = radii[:, None]
    return np.stack([centres - r, centres + r, centres], axis=1)


class RaySpheres:
    """BVH + sphere buffers of the occluding atoms of a GpuScene; `sync()` once per frame."""

    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self.bvh: Bvh | None = None
        self.count = 0
        self.builds = 0
        self.extent_m = 0.0  # diagonal of the spheres' box
        self._key: tuple | None = None
        self._node_buffer: Buffer | None = None
        self._sphere_buffer: Buffer | None = None

    @staticmethod
    def occluders(scene: GpuScene) -> list[GpuMolecule]:
        return [m for m in scene.visible_molecules() if m.occludes and m.sphere_count > 0]

    def sync(self, scene: GpuScene) -> bool:
        """Rebuild when the occluding atoms changed; True when there are spheres to trace."""
        molecules = self.occluders(scene)
        key = tuple((id(m), id(m.sphere_centres_a), m.model_matrix.tobytes(), np.asarray(m.clip_planes).tobytes(),
                     np.asarray(m.cut_boxes).tobytes()) for m in molecules)  # fmt: skip
        if key != self._key:
            self._key = key
            self._build(molecules)
        return self.bvh is not None

    def _build(self, molecules: list[GpuMolecule]) -> None:
        self.release()
        centres, radii = world_spheres(molecules)
        self.count = len(radii)
        if not self.count:
            self.extent_m = 0.0
            return
        self.bvh = build_bvh(sphere_boxes_as_triangles(centres, radii))
        packed = np.empty((self.count, 4), dtype=np.float32)
        packed[:, :3], packed[:, 3] = centres[self.bvh.order], radii[self.bvh.order]
        self._node_buffer = Buffer(self.registry, self.bvh.packed_nodes())
        self._sphere_buffer = Buffer(self.registry, packed)
        lo, hi = (centres - radii[:, None]).min(axis=0), (centres + radii[:, None]).max(axis=0)
        self.extent_m = float(np.linalg.norm(hi - lo))
        self.builds += 1

    def bind(self) -> None:
        if self._node_buffer is not None and self._sphere_buffer is not None:
            bind_storage_buffer(STORAGE_BINDINGS["SphereNodes"], self._node_buffer)
            bind_storage_buffer(STORAGE_BINDINGS["Spheres"], self._sphere_buffer)

    def release(self) -> None:
        for buffer in (self._node_buffer, self._sphere_buffer):
            if buffer is not None:
                buffer.release()
        self._node_buffer = self._sphere_buffer = None
        self.bvh = None
