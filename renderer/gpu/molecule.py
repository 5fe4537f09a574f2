"""A molecule on the GPU: interleaved instance buffers for sphere and cylinder impostors, and
vertex buffers for its meshes (cartoon, surface). Built from `MoleculeDrawables` (model units,
normally ångström) with a model matrix that places and scales it into the scene (metres).

Per-instance memory: 20 B per sphere (centre + radius float32, sRGB colour as 4 bytes) and 36 B
per cylinder -- what the million-atom benchmark reports as GPU bytes per atom.
"""

from __future__ import annotations

import numpy as np

from renderer import maths
from renderer.gl import instanced
from renderer.gl.resources import Buffer, ResourceRegistry, VertexArray
from renderer.molecules.cartoon import TriangleMesh
from renderer.molecules.representations import Cylinders, MoleculeDrawables, Spheres

SPHERE_DTYPE = np.dtype([("centre_radius", np.float32, 4), ("color", np.uint8, 4)])
CYLINDER_DTYPE = np.dtype([("start_radius", np.float32, 4), ("end", np.float32, 3), ("color_start", np.uint8, 4),
                           ("color_end", np.uint8, 4)])  # fmt: skip
MESH_DTYPE = np.dtype([("position", np.float32, 3), ("normal", np.float32, 3), ("color", np.uint8, 4)])
CUBE_STRIP_VERTICES = 14


def _rgba8(colors: np.ndarray) -> np.ndarray:
    out = np.full((len(colors), 4), 255, np.uint8)
    out[:, :3] = np.clip(np.rint(np.asarray(colors, np.float32) * 255), 0, 255)
    return out


def pack_spheres(spheres: Spheres) -> np.ndarray:
    data = np.empty(spheres.count, SPHERE_DTYPE)
    data["centre_radius"][:, :3] = spheres.centres_a
    data["centre_radius"][:, 3] = spheres.radii_a
    data["color"] = _rgba8(spheres.colors)
    return data


def pack_cylinders(cylinders: Cylinders) -> np.ndarray:
    data = np.empty(cylinders.count, CYLINDER_DTYPE)
    data["start_radius"][:, :3] = cylinders.starts_a
    data["start_radius"][:, 3] = cylinders.radii_a
    data["end"] = cylinders.ends_a
    data["color_start"] = _rgba8(cylinders.colors_start)
    data["color_end"] = _rgba8(cylinders.colors_end)
    return data


class GpuMoleculeMesh:
    def __init__(self, registry: ResourceRegistry, mesh: TriangleMesh, opacity: float):
        data = np.empty(len(mesh.positions), MESH_DTYPE)
        data["position"], data["normal"], data["color"] = mesh.positions, mesh.normals, _rgba8(mesh.colors)
        self.opacity = opacity
        self.index_count = len(mesh.indices)
        self.vertices = Buffer(registry, data)
        self.indices = Buffer(registry, np.ascontiguousarray(mesh.indices, np.uint32))
        self.vertex_array = VertexArray(registry)
        stride = MESH_DTYPE.itemsize
        for location, (name, kind, components) in enumerate((("position", "float", 3), ("normal", "float", 3),
                                                             ("color", "unorm8", 4))):  # fmt: skip
            instanced.attribute(self.vertex_array, location, self.vertices, components, stride,
                                MESH_DTYPE.fields[name][1], kind)  # fmt: skip
        self.vertex_array.indices(self.indices)

    @property
    def nbytes(self) -> int:
        return self.vertices.size + self.indices.size

    @property
    def translucent(self) -> bool:
        return self.opacity < 0.999

    def release(self) -> None:
        for resource in (self.vertex_array, self.vertices, self.indices):
            resource.release()


class GpuMolecule:
    """GPU buffers of one molecule. model_matrix: (4, 4) model units -> scene metres (uniform scale)."""

    def __init__(self, registry: ResourceRegistry, drawables: MoleculeDrawables, model_matrix: np.ndarray,
                 roughness: float = 0.45, visible: bool = True, occludes: bool = True):  # fmt: skip
        self.model_matrix = np.asarray(model_matrix, np.float64)
        # Atoms on the CPU too (model units): the ray tracer's sphere occluders (renderer/raytrace/spheres.py).
        self.sphere_centres_a, self.sphere_radii_a = drawables.spheres.centres_a, drawables.spheres.radii_a
        self.occludes = occludes  # False: a scale bar or other annotation, never a ray occluder
        self.model_scale = float(np.cbrt(abs(np.linalg.det(self.model_matrix[:3, :3]))))
        self.roughness, self.visible = roughness, visible
        # Sections that cut it (world space, renderer.scene.molecule_state.MoleculeState), set per step.
        self.clip_planes, self.cut_boxes = np.zeros((0, 4)), np.zeros((0, 2, 3))
        self.model_bounds = drawables.bounds()
        self.sphere_count = drawables.spheres.count
        self.cylinder_count = drawables.cylinders.count
        self._resources = []
        self.spheres = self._instances(registry, pack_spheres(drawables.spheres), SPHERE_DTYPE,
                                       (("centre_radius", "float", 4), ("color", "unorm8", 4)))  # fmt: skip
        self.cylinders = self._instances(registry, pack_cylinders(drawables.cylinders), CYLINDER_DTYPE,
                                         (("start_radius", "float", 4), ("end", "float", 3),
                                          ("color_start", "unorm8", 4), ("color_end", "unorm8", 4)))  # fmt: skip
        self.meshes = [GpuMoleculeMesh(registry, m.mesh, m.opacity) for m in drawables.meshes]

    def _instances(self, registry: ResourceRegistry, data: np.ndarray, dtype: np.dtype, layout) -> VertexArray | None:
        if len(data) == 0:
            return None
        buffer = Buffer(registry, data)
        vertex_array = VertexArray(registry)
        for location, (name, kind, components) in enumerate(layout):
            instanced.attribute(vertex_array, location, buffer, components, dtype.itemsize, dtype.fields[name][1],
                                kind, divisor=1)  # fmt: skip
        self._resources += [vertex_array, buffer]
        return vertex_array

    def place(self, model_matrix: np.ndarray) -> None:
        """Move the molecule (a lesson step, a reloaded transform) without re-uploading anything."""
        self.model_matrix = np.asarray(model_matrix, np.float64)
        self.model_scale = float(np.cbrt(abs(np.linalg.det(self.model_matrix[:3, :3]))))

    @property
    def normal_matrix(self) -> np.ndarray:
        return maths.normal_matrix(self.model_matrix)

    @property
    def triangle_count(self) -> int:
        """Triangles of its meshes (cartoons, surfaces); atoms and bonds are impostors, not triangles."""
        return sum(m.index_count // 3 for m in self.meshes)

    def world_bounds(self) -> np.ndarray:
        """(2, 3) world box (metres) around the transformed model bounds."""
        lo, hi = self.model_bounds
        corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
        world = maths.transform_points(self.model_matrix, corners)
        return np.array([world.min(axis=0), world.max(axis=0)])

    @property
    def gpu_bytes(self) -> int:
        return sum(r.size for r in self._resources if isinstance(r, Buffer)) + sum(m.nbytes for m in self.meshes)

    def release(self) -> None:
        for resource in self._resources:
            resource.release()
        for mesh in self.meshes:
            mesh.release()
        self._resources.clear()
        self.meshes.clear()
