"""GpuScene: what the GPU holds for a scene, synced from the model by part id.

The scene model never holds GL objects; this class alone owns them. `sync()` adds, updates and
removes parts so that a reloaded scene (preview) re-uploads only meshes that changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from renderer import maths
from renderer.gl.resources import ResourceRegistry
from renderer.gpu.mesh import GpuMesh
from renderer.scene.load import LoadedScene
from renderer.scene.materials import Material, resolve
from renderer.scene.model import Part, Scene


@dataclass
class GpuPart:
    """A part as drawn: its mesh, model matrix (4, 4; model -> world) and effective material."""

    part_id: str
    mesh: GpuMesh
    model_matrix: np.ndarray
    material: Material
    visible: bool
    opacity: float
    highlight: bool = False

    @property
    def translucent(self) -> bool:
        return self.opacity < 0.999

    @property
    def cullable(self) -> bool:
        """Back faces of a closed, uncut mesh are never visible: skip rasterising them."""
        return self.mesh.source.closed

    def world_bounds(self) -> np.ndarray:
        """(2, 3) world-space box around the transformed mesh bounds."""
        lo, hi = self.mesh.source.bounds
        corners = np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])
        world = maths.transform_points(self.model_matrix, corners)
        return np.array([world.min(axis=0), world.max(axis=0)])


def model_matrix(part: Part) -> np.ndarray:
    t = part.transform
    return maths.translation(t.translation_m) @ maths.rotation_euler_deg(t.rotation_deg) @ maths.scaling(t.scale)


class GpuScene:
    def __init__(self, registry: ResourceRegistry):
        self.registry = registry
        self.parts: dict[str, GpuPart] = {}
        self._meshes: dict[int, GpuMesh] = {}  # id(MeshData) -> buffers; MeshData is cached per file
        self.scene: Scene | None = None

    def sync(self, loaded: LoadedScene) -> None:
        """Make the GPU scene match `loaded` (meshes must be loaded)."""
        self.scene = loaded.scene
        wanted = {}
        for part_id, part in loaded.scene.parts.items():
            mesh_data = loaded.meshes[part_id]
            gpu_mesh = self._meshes.get(id(mesh_data))
            if gpu_mesh is None or gpu_mesh.source is not mesh_data:
                gpu_mesh = GpuMesh(self.registry, mesh_data)
                self._meshes[id(mesh_data)] = gpu_mesh
            material = resolve(part.material, loaded.scene.materials)
            wanted[part_id] = GpuPart(part_id, gpu_mesh, model_matrix(part), material, part.visible, part.opacity)
        self.parts = wanted
        in_use = {id(p.mesh.source) for p in wanted.values()}
        for key in [k for k in self._meshes if k not in in_use]:
            self._meshes.pop(key).release()

    def visible_parts(self) -> list[GpuPart]:
        return [p for p in self.parts.values() if p.visible and p.opacity > 0.0]

    def bounds(self, visible_only: bool = True) -> np.ndarray:
        """(2, 3) world box of the (visible) parts, metres; a unit box when there are none."""
        parts = self.visible_parts() if visible_only else list(self.parts.values())
        if not parts:
            return np.array([[-0.5, -0.5, -0.5], [0.5, 0.5, 0.5]])
        boxes = np.array([p.world_bounds() for p in parts])
        return np.array([boxes[:, 0].min(axis=0), boxes[:, 1].max(axis=0)])

    @property
    def gpu_bytes(self) -> int:
        return sum(m.nbytes for m in self._meshes.values())

    def close(self) -> None:
        for mesh in self._meshes.values():
            mesh.release()
        self._meshes.clear()
        self.parts.clear()
