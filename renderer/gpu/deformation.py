"""DeformationDriver: each frame, run every part's declared deformers and hand the result to the GPU.

Parts with a `deform:` list get private GPU buffers (so a beating heart does not drag along another
part that shares its file), a `PartDeformation` on the chosen array backend, and their bounds kept
current. Interaction (a controller or mouse grabbing soft tissue) goes through `grab`/`drag`/`release`
in scene space; the driver converts to the part's model space.
"""

from __future__ import annotations

import logging
import os

import numpy as np

from renderer.deform import soft_tissue
from renderer.deform.backend import ArrayBackend, BackendError, choose_backend
from renderer.deform.frames import DeformContext, DeformError
from renderer.deform.geometry import to_numpy
from renderer.deform.pipeline import PartDeformation
from renderer.gpu.handoff import choose_handoff
from renderer.gpu.scene import GpuScene
from renderer.scene.load import LoadedScene

log = logging.getLogger(__name__)


def backend_for(loaded: LoadedScene) -> ArrayBackend:
    """PROSECTOR_ARRAY_BACKEND wins (the person at this machine); then the scene's setting. A scene that
    asks for CuPy on a machine without it falls back to NumPy with a warning: scene files travel."""
    if os.environ.get("PROSECTOR_ARRAY_BACKEND"):
        try:
            return choose_backend()
        except BackendError as exc:
            raise DeformError(f"PROSECTOR_ARRAY_BACKEND: {exc}") from None
    wanted = getattr(loaded.scene.render, "array_backend", "auto")
    try:
        return choose_backend(wanted)
    except BackendError as exc:
        log.warning("%s; using NumPy", exc)
        return choose_backend("numpy")


class DeformationDriver:
    def __init__(self, gpu_scene: GpuScene, loaded: LoadedScene, backend: ArrayBackend | None = None):
        self.backend = backend or backend_for(loaded)
        self.gpu_scene = gpu_scene
        self.parts: dict[str, PartDeformation] = {}
        centre = gpu_scene.bounds(visible_only=False).mean(axis=0)
        xp = self.backend.xp
        for part_id, part in loaded.scene.parts.items():
            if not part.deform:
                continue
            mesh = loaded.meshes[part_id]
            context = DeformContext(part_id, gpu_scene.parts[part_id].model_matrix, centre)
            self.parts[part_id] = PartDeformation(xp, mesh.positions, mesh.indices, list(part.deform), context)
        meshes = [gpu_scene.private_mesh(part_id) for part_id in self.parts]
        self.handoff, self.handoff_reason = choose_handoff(self.backend, meshes)
        self.time_s = 0.0
        self._drawn: dict[str, np.ndarray] = {}  # part -> (N, 3) model-space positions last pushed to GL

    def update(self, t: float) -> None:
        """Deform every part to time `t` (seconds) and write the vertices into its GL buffers."""
        self.time_s = t
        xp = self.backend.xp
        for part_id, deformation in self.parts.items():
            positions, normals = deformation.evaluate(t)
            mesh = self.gpu_scene.private_mesh(part_id)
            self.handoff.push(mesh, positions, normals)
            box = xp.stack([positions.min(axis=0), positions.max(axis=0)])
            mesh.bounds = to_numpy(box).astype(np.float64)
            mesh.deformed_positions = to_numpy(positions)  # for the BVH refit (a copy only on CuPy)
            self._drawn[part_id] = mesh.deformed_positions
            mesh.vertex_version += 1

    def grab(self, part_id: str, point_m, radius_m: float) -> None:
        """Hold the soft tissue of `part_id` within `radius_m` of the scene-space point `point_m`."""
        deformation, state = self._soft(part_id)
        ctx = deformation.context
        scale = float(np.cbrt(abs(np.linalg.det(ctx.model_matrix[:3, :3]))))
        soft_tissue.grab(self.backend.xp, state, ctx.point_to_model(point_m), radius_m / scale)

    def drag(self, part_id: str, offset_m) -> None:
        """Move the held tissue by the scene-space offset `offset_m` from where it was grabbed."""
        deformation, state = self._soft(part_id)
        soft_tissue.drag(state, deformation.context.direction_to_model(offset_m))

    def release(self, part_id: str) -> None:
        soft_tissue.release(self._soft(part_id)[1])

    def max_displacement_m(self, part_id: str) -> float:
        """How far the part's furthest-moved vertex is from its rest place in the last update, scene
        metres (what a test or a log reports of a poke: pressed in, then recovered)."""
        deformation, drawn = self.parts[part_id], self._drawn.get(part_id)
        if drawn is None:
            return 0.0
        moved = drawn.astype(np.float64) - to_numpy(deformation.rest)
        scene = moved @ deformation.context.model_matrix[:3, :3].T  # a displacement: linear part only
        return float(np.sqrt((scene * scene).sum(axis=1)).max()) if len(scene) else 0.0

    @property
    def soft_parts(self) -> set[str]:
        """Parts with a soft_tissue deformer: what a poke (mouse or controller) can press."""
        return {part_id for part_id, d in self.parts.items() if d.stage_state("soft_tissue") is not None}

    def _soft(self, part_id: str):
        deformation = self.parts.get(part_id)
        state = deformation.stage_state("soft_tissue") if deformation else None
        if state is None:
            raise DeformError(f"part '{part_id}' has no soft_tissue deformer to grab")
        return deformation, state

    def close(self) -> None:
        self.handoff.release()
