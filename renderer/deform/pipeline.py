"""A part's deformers chained on the array backend: rest shape in, deformed positions and normals out.

No GL here: `renderer.gpu.deformation` hands the arrays to the GPU scene, the benchmark times them,
tests compare backends. Deformers run in declaration order, each on the previous one's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

import numpy as np

from renderer.deform.blas_threads import single_blas_thread
from renderer.deform.frames import DeformContext
from renderer.deform.geometry import MeshTopology, topology, vertex_normals
from renderer.deform.registry import DEFORMERS


@dataclass
class _Stage:
    module: ModuleType
    params: object
    state: object


class PartDeformation:
    """One part's deformers. rest: (N, 3) float32 model-space metres; faces: (M, 3) indices."""

    def __init__(self, xp: ModuleType, rest: np.ndarray, faces: np.ndarray, specs: list, context: DeformContext):
        self.xp = xp
        self.context = context
        rest = np.ascontiguousarray(rest, dtype=np.float32)
        self.rest = xp.asarray(rest)
        self.topology: MeshTopology = topology(xp, faces, len(rest))
        self._rest_normals = None
        self.stages = [_Stage(DEFORMERS[s.kind], s, DEFORMERS[s.kind].setup(xp, rest, faces, s, context))
                       for s in specs]  # fmt: skip

    def positions(self, t: float):
        """(N, 3) float32 on the backend at time `t` (seconds)."""
        positions = self.rest
        with single_blas_thread(self.xp):
            for stage in self.stages:
                positions = stage.module.deform(self.xp, positions, stage.params, t, stage.state)
        return positions

    def evaluate(self, t: float):
        """(positions, normals), both (N, 3) float32 on the backend."""
        positions = self.positions(t)
        if self.translation_only:
            return positions, self.rest_normals  # a rigid shift leaves every normal as it was
        return positions, vertex_normals(self.xp, positions, self.topology)

    @property
    def translation_only(self) -> bool:
        """True when every stage only shifts the part, so its normals stay the rest normals."""
        return all(getattr(stage.module, "TRANSLATION_ONLY", False) for stage in self.stages)

    @property
    def rest_normals(self):
        """(N, 3) float32 normals of the rest shape, computed once."""
        if self._rest_normals is None:
            self._rest_normals = vertex_normals(self.xp, self.rest, self.topology)
        return self._rest_normals

    def stage_state(self, kind: str):
        """The state of the first deformer of `kind` (for interaction: soft-tissue grabs), or None."""
        return next((s.state for s in self.stages if s.params.kind == kind), None)
