"""One mesh on the GPU: positions and normals in separate buffers (deformers rewrite positions and
normals in place, by dirty ranges), texture coordinates when the mesh has them (alpha masks), plus an
index buffer and a vertex array."""

from __future__ import annotations

import numpy as np

from renderer.gl.resources import Buffer, ResourceRegistry, VertexArray
from renderer.scene.meshes import MeshData

POSITION, NORMAL, UV = 0, 1, 2  # attribute locations, shared with shaders/mesh.vert


class GpuMesh:
    def __init__(self, registry: ResourceRegistry, mesh: MeshData):
        self.source = mesh
        self.vertex_count = len(mesh.positions)
        self.index_count = mesh.indices.size
        self.positions = Buffer(registry, np.ascontiguousarray(mesh.positions, dtype=np.float32), dynamic=True)
        self.normals = Buffer(registry, np.ascontiguousarray(mesh.normals, dtype=np.float32), dynamic=True)
        self.indices = Buffer(registry, np.ascontiguousarray(mesh.indices, dtype=np.uint32))
        self.vertex_array = VertexArray(registry)
        self.vertex_array.attribute(POSITION, self.positions, 3, 12)
        self.vertex_array.attribute(NORMAL, self.normals, 3, 12)
        # Without texture coordinates the attribute stays disabled and reads (0, 0): only masked parts use it.
        self.uvs = None
        if mesh.uvs is not None:
            self.uvs = Buffer(registry, np.ascontiguousarray(mesh.uvs, dtype=np.float32))
            self.vertex_array.attribute(UV, self.uvs, 2, 8)
        self.vertex_array.indices(self.indices)
        self.bounds = mesh.bounds  # (2, 3) float64 model space; deformation keeps it current
        # Deformed vertices as NumPy (N, 3) float32 model space, and a counter bumped on every
        # deformation, so the ray tracer refits its BVH only when a part really moved.
        self.deformed_positions: np.ndarray | None = None
        self.vertex_version = 0

    @property
    def nbytes(self) -> int:
        return self.positions.size + self.normals.size + self.indices.size + (self.uvs.size if self.uvs else 0)

    def update_vertices(self, positions: np.ndarray, normals: np.ndarray | None = None, first: int = 0) -> None:
        """Overwrite vertices [first, first + len(positions)): (K, 3) float32, metres, model space."""
        if first < 0 or first + len(positions) > self.vertex_count:
            raise ValueError(f"vertex range {first}..{first + len(positions)} outside 0..{self.vertex_count}")
        self.positions.write(np.asarray(positions, dtype=np.float32), first * 12)
        if normals is not None:
            self.normals.write(np.asarray(normals, dtype=np.float32), first * 12)

    def release(self) -> None:
        for resource in (self.vertex_array, self.positions, self.normals, self.indices, self.uvs):
            if resource is not None:
                resource.release()
